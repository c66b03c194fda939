// expect: typenet::Hog needs at least one orientation
// expect: typenet::Hog<0, 4>::at_layer<1, typenet::Shape<28, 28, 1> >
#include <typenet/network.hpp>
namespace tn = typenet;
using Net = tn::Sequential<tn::Input<28, 28, 1>, tn::Hog<0, 4>, tn::Dense<10, tn::Softmax>>;
static_assert(Net::param_count > 0);
