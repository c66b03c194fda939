// expect: typenet::Dense needs a rank-1 input; put typenet::Flatten before it
// expect: typenet::Dense<128, typenet::ReLU>::at_layer<3, typenet::Shape<13, 13, 32> >
#include <typenet/network.hpp>
namespace tn = typenet;
using Net = tn::Sequential<tn::Input<28, 28, 1>, tn::Conv2D<32, 3, 3, tn::ReLU>, tn::MaxPooling2D<2, 2>,
                           tn::Dense<128, tn::ReLU>, tn::Dense<10, tn::Softmax>>;
static_assert(Net::param_count > 0);
