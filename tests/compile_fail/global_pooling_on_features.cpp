// expect: typenet::GlobalAveragePooling2D needs a (height, width, channels) input
// expect: at_layer<3, typenet::Shape<676> >
#include <typenet/network.hpp>
namespace tn = typenet;
using Net = tn::Sequential<tn::Input<28, 28, 1>, tn::Conv2D<1, 3, 3, tn::ReLU>, tn::Flatten, tn::GlobalAveragePooling2D,
                           tn::Dense<10, tn::Softmax>>;
static_assert(Net::param_count > 0);
