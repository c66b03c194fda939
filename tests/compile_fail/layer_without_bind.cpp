// expect: typenet: this layer type has no member template bind<InputShape>
// expect: explain_protocol<NotALayer, 2, typenet::Shape<64> >
// max-lines-clang: 13
#include <typenet/network.hpp>
namespace tn = typenet;
struct NotALayer {};  // a layer written without the protocol of typenet/layers/layer.hpp
using Net = tn::Sequential<tn::Input<784>, tn::Dense<64, tn::ReLU>, NotALayer, tn::Dense<10, tn::Softmax>>;
static_assert(Net::layer_count == 4);
