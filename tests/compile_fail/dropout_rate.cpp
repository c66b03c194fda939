// expect: typenet::Dropout: the rate must be in
// expect-gcc: typenet::Dropout<1.0e+0>::at_layer<2, typenet::Shape<512> >
// expect-clang: typenet::Dropout<1.000000e+00>::at_layer<2, typenet::Shape<512>>
#include <typenet/network.hpp>
namespace tn = typenet;
using Net = tn::Sequential<tn::Input<784>, tn::Dense<512, tn::Sigmoid>, tn::Dropout<1.0>, tn::Dense<10, tn::Softmax>>;
static_assert(Net::param_count > 0);
