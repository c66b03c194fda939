// expect: typenet::Dense needs a rank-1 input; put typenet::Flatten before it
// expect: at_layer<1, typenet::Shape<28, 28, 1> >
// expect: typenet::Dense<512, typenet::ReLU>
#include <typenet/network.hpp>
namespace tn = typenet;
using Net = tn::Sequential<tn::Input<28, 28, 1>, tn::Dense<512, tn::ReLU>, tn::Dense<10, tn::Softmax>>;
static_assert(Net::param_count > 0);
