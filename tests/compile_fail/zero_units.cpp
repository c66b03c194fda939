// expect: typenet::Dense needs at least one unit
// expect: at_layer<2, typenet::Shape<64> >
#include <typenet/network.hpp>
namespace tn = typenet;
using Net = tn::Sequential<tn::Input<784>, tn::Dense<64, tn::ReLU>, tn::Dense<0>, tn::Dense<10, tn::Softmax>>;
static_assert(Net::param_count > 0);
