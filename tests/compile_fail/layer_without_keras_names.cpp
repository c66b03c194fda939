// expect: the layer's bind<In> must declare keras_class and keras_name
// expect: explain_protocol<Unnamed, 2, typenet::Shape<64> >
// max-lines-clang: 13
#include <typenet/network.hpp>
namespace tn = typenet;
// A user's layer that forgot its names: the message names the first missing member, once.
struct Unnamed {
  template <class In>
  struct bind : tn::LayerDefaults<Unnamed, In> {
    using output_shape = In;
    static void forward(const tn::ForwardPass&) {}
    static void backward(const tn::BackwardPass&) {}
  };
};
using Net = tn::Sequential<tn::Input<784>, tn::Dense<64, tn::ReLU>, Unnamed, tn::Dense<10, tn::Softmax>>;
static_assert(Net::layer_count == 4);
