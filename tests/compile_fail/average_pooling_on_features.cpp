// expect: typenet::AveragePooling2D needs a (height, width, channels) input
// expect: typenet::AveragePooling2D<2, 2>::at_layer<3, typenet::Shape<64> >
#include <typenet/network.hpp>
namespace tn = typenet;
using Net = tn::Sequential<tn::Input<28, 28, 1>, tn::Flatten, tn::Dense<64, tn::ReLU>, tn::AveragePooling2D<2, 2>,
                           tn::Dense<10, tn::Softmax>>;
static_assert(Net::param_count > 0);
