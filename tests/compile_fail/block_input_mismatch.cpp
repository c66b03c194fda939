// expect: the block receives a different shape
// expect: typenet::Input<64>::at_layer<2, typenet::Shape<32> >
#include <typenet/network.hpp>
namespace tn = typenet;
using Head = tn::Sequential<tn::Input<64>, tn::Dense<10, tn::Softmax>>;
using Net = tn::Sequential<tn::Input<784>, tn::Dense<32, tn::ReLU>, Head>;
static_assert(Net::param_count > 0);
