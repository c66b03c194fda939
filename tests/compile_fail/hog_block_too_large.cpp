// expect: typenet::Hog: the cells do not fit the image
// expect: typenet::Hog<8, 4, 8>::at_layer<1, typenet::Shape<28, 28> >
#include <typenet/network.hpp>
namespace tn = typenet;
// 28 / 4 = 7 cells a side, fewer than one block of 8 x 8 cells.
using Net = tn::Sequential<tn::Input<28, 28>, tn::Hog<8, 4, 8>, tn::Dense<10, tn::Softmax>>;
static_assert(Net::param_count > 0);
