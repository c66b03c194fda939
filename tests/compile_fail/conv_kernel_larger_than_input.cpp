// expect: typenet::Conv2D: the kernel is larger than its (valid-padded) input
// expect: typenet::Conv2D<4, 5, 5, typenet::ReLU>::at_layer<3, typenet::Shape<3, 3, 8> >
#include <typenet/network.hpp>
namespace tn = typenet;
// 12 -> 6 -> 3 after two blocks; a 5x5 valid kernel has no room left.
using Net = tn::Sequential<tn::Input<12, 12, 1>, tn::Conv2D<8, 3, 3, tn::ReLU, tn::Same>, tn::MaxPooling2D<4, 4>,
                           tn::Conv2D<4, 5, 5, tn::ReLU>, tn::Flatten, tn::Dense<10, tn::Softmax>>;
static_assert(Net::param_count > 0);
