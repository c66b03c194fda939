// expect: typenet::Conv2D needs a (height, width, channels) input
// expect: at_layer<1, typenet::Shape<784> >
#include <typenet/network.hpp>
namespace tn = typenet;
// The MLP's flattened rows, not images.
using Net = tn::Sequential<tn::Input<784>, tn::Conv2D<32, 3, 3, tn::ReLU>, tn::Flatten, tn::Dense<10, tn::Softmax>>;
static_assert(Net::param_count > 0);
