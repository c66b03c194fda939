// expect: typenet::Hog: the cells do not fit the image
// expect: typenet::Hog<8, 32>::at_layer<1, typenet::Shape<28, 28, 1> >
#include <typenet/network.hpp>
namespace tn = typenet;
using Net = tn::Sequential<tn::Input<28, 28, 1>, tn::Hog<8, 32>, tn::Dense<10, tn::Softmax>>;
static_assert(Net::param_count > 0);
