#pragma once
// The layer protocol: what a layer type provides, for typenet's own layers and for a user's.
//
// A layer type (Dense<512, ReLU>) has a member template `bind<In>`: the layer bound to the
// shape In it receives. A bound layer is a struct of compile-time constants and static
// functions over batch-major buffers that the model owns (the concept BoundLayer below):
//   using layer, input_shape, output_shape   the layer type, In, and the shape it produces
//   param_count, scratch_per_sample           floats of trainable parameters, and of scratch per sample
//   fits, aliases_input, shown_in_summary     may it take In; is its output its input (Flatten); a summary row
//   keras_class, keras_name                   Keras's class and the base of its layer names ("Dense", "dense")
//   forward(const ForwardPass&), backward(const BackwardPass&), initialize(float* params, Rng&)
//   config()   (optional) its Keras class and arguments, for saved files and the Keras export
//              (layer_config.hpp); two layers that compute different things must differ here
//   weights[]  (layers with parameters) its arrays as Keras's get_weights() lists them, with their
//              shapes, laid end to end in its parameter slice (model/layer_weights.hpp)
//   non_trainable_count (optional) values it keeps that the optimizer never updates
// `LayerDefaults` gives the defaults of all but output_shape, keras_class, keras_name, forward
// and backward, so a layer of one's own is a few lines (examples/custom_layer.cpp); and
// typenet/testing/gradient_check.hpp checks its backward pass against finite differences.
//
// `fits` is false when the layer cannot take that input; the layer's `at_layer<Index, In>` (optional
// for layers that take any input) then states why in a static_assert (see sequential.hpp for how
// only that one fires). A layer that breaks the protocol is reported the same way, in one line
// naming the first missing member (detail::explain_protocol below).
#include "typenet/layers/layer_config.hpp"

#include <concepts>
#include <cstddef>
#include <string_view>

#include "typenet/detail/random.hpp"
#include "typenet/network/shape.hpp"

namespace typenet {

struct ForwardPass {
  const float* params;  // this layer's slice of the model's parameter buffer
  const float* in;      // batch x input_shape::size
  float* out;           // batch x output_shape::size
  float* scratch;       // batch x scratch_per_sample (e.g. a dropout mask)
  std::size_t batch;
  bool training;
  detail::Rng* rng;
  float* non_trainable = nullptr;  // this layer's slice of the model's non-trainable buffer (moving statistics)
  // A convolution with ReLU followed by max pooling runs as a fused pair (see FusesBiasAndReLU):
  // the convolution writes conv(x, K) alone and the pooling adds the bias to each window's
  // maximum and rectifies it, on a quarter of the elements and in the same pass.
  bool defer_bias_and_relu = false;    // to the convolution
  const float* pending_bias = nullptr;  // to the pooling: the convolution's per-channel bias
  // In inference, a convolution that runs the 2x2 max pooling after it too (PoolsNextInInference)
  // writes the pooling's output here in its forward_pooled, bias and ReLU included; the pooling
  // then does not run.
  float* pool_into = nullptr;
};

struct BackwardPass {
  const float* params;
  float* grads;          // this layer's slice of the model's gradient buffer (overwritten)
  const float* in;
  const float* out;
  float* dout;           // dLoss/dout on entry; the layer may overwrite it
  float* din;            // dLoss/din to write, or nullptr when nobody needs it (first layer)
  float* scratch;        // as forward left it; the layer may write there too (Dense's column lists)
  std::size_t batch;
  bool dout_is_preactivation;  // the loss (or a fused next layer) already applied the activation's derivative
  bool rectified = false;       // to a pooling that applied its input's ReLU: outputs <= 0 route no gradient
};

// A pair (layer I, layer I + 1) fuses when I leaves its bias and ReLU to I + 1. Exact for max
// pooling: ReLU is monotone and the bias is constant over a window, so
// max(relu(z + b)) = relu(max(z) + b), and the gradient reaches only the window's winner, when
// the pooled value is positive.
template <class Bound>
concept DefersBiasAndReLU = requires {
  requires Bound::defers_bias_and_relu;
  { Bound::bias_offset } -> std::convertible_to<std::size_t>;
};
template <class Bound>
concept AbsorbsBiasAndReLU = requires { requires Bound::absorbs_bias_and_relu; };
template <class Bound, class Next>
inline constexpr bool FusesBiasAndReLU = DefersBiasAndReLU<Bound> && AbsorbsBiasAndReLU<Next>;
// Further, in inference: the convolution pools its own outputs in L1 (a 2x2 max pool, and a
// convolution that runs direct or as Winograd: Conv2D::pools_2x2_itself), so that its output,
// four times the pooling's, is never written out and read back.
template <class Bound, class Next>
inline constexpr bool PoolsNextInInference =
    FusesBiasAndReLU<Bound, Next> && requires { requires Bound::pools_2x2_itself && Next::is_2x2_max_pool; };

// One array of a layer's weights in Keras's order and shape: Dense's kernel (inputs, units), then
// its bias (units). Its values are row-major in the layer's slice, right after the array before it.
struct WeightShape {
  std::string_view name;
  std::size_t rank;
  std::size_t dims[4];
  bool trainable = true;  // false: in the non-trainable slice (BatchNormalization's moving statistics)

  constexpr std::size_t size() const {
    std::size_t n = 1;
    for (std::size_t k = 0; k < rank; ++k) n *= dims[k];
    return n;
  }
};

using Rng = detail::Rng;  // the model's seeded generator, which initialize() draws from

// The defaults of a bound layer: no parameters, no scratch, fits any input, shown in summary().
// A layer derives its `bind<In>` from it and declares the rest (see the list above).
namespace detail {
// Defaults for layers without weights; LayerDefaults adds the layer, its input and `fits`.
struct ParameterFree {
  static constexpr std::size_t param_count = 0;
  static constexpr std::size_t scratch_per_sample = 0;
  static constexpr bool aliases_input = false;
  static constexpr bool shown_in_summary = true;
  static void initialize(float*, Rng&) {}
};
}  // namespace detail

template <class Layer, class In>
struct LayerDefaults : detail::ParameterFree {
  using layer = Layer;
  using input_shape = In;
  static constexpr bool fits = true;
};

// What the model requires of a bound layer, in four groups so that a layer that misses one is
// told which (detail::explain_protocol below).
namespace detail {
template <class B>
inline constexpr bool declares_shapes = requires {
  typename B::layer;
  requires is_shape_v<typename B::input_shape>;
  requires is_shape_v<typename B::output_shape>;
};
template <class B>
inline constexpr bool declares_sizes = requires {
  { B::param_count } -> std::convertible_to<std::size_t>;
  { B::scratch_per_sample } -> std::convertible_to<std::size_t>;
  { B::fits } -> std::convertible_to<bool>;
  { B::aliases_input } -> std::convertible_to<bool>;
  { B::shown_in_summary } -> std::convertible_to<bool>;
};
template <class B>
inline constexpr bool declares_names = requires {
  { B::keras_class } -> std::convertible_to<std::string_view>;
  { B::keras_name } -> std::convertible_to<std::string_view>;
};
template <class B>
inline constexpr bool has_passes = requires(const ForwardPass& f, const BackwardPass& b, float* params, Rng& rng) {
  B::forward(f);
  B::backward(b);
  B::initialize(params, rng);
};
}  // namespace detail

template <class B>
concept BoundLayer =
    detail::declares_shapes<B> && detail::declares_sizes<B> && detail::declares_names<B> && detail::has_passes<B>;

// L is a layer that can be bound to the input shape In: `static_assert(tn::Layer<MyLayer, tn::Shape<10>>)`.
template <class L, class In>
concept Layer = requires { typename L::template bind<In>; } && BoundLayer<typename L::template bind<In>>;

namespace detail {

// Layers that only reinterpret their input (Flatten): the model hands the input buffer on.
struct View : ParameterFree {
  static constexpr bool aliases_input = true;
  static void forward(const ForwardPass&) {}
  static void backward(const BackwardPass&) {}
};

// A layer that breaks the protocol, in its place in the chain so that the chain stays well formed;
// its `fits` is false, so that only explain_protocol below reports it.
template <class L, class In>
struct Unbound : ParameterFree {
  using layer = L;
  using input_shape = In;
  using output_shape = In;
  static constexpr bool fits = false;
  static constexpr bool malformed = true;
  static constexpr std::string_view keras_class = "Layer";
  static constexpr std::string_view keras_name = "layer";
  static void forward(const ForwardPass&) {}
  static void backward(const BackwardPass&) {}
};

template <class L, class In>
struct bind_layer {
  using type = Unbound<L, In>;
};
template <class L, class In>
  requires Layer<L, In>
struct bind_layer<L, In> {
  using type = typename L::template bind<In>;
};

// The first requirement of BoundLayer that layer L, bound to In at position LayerIndex, misses
// (or, if none, that it does not fit): each assertion fires only when all those before it hold,
// so the compiler prints one.
template <bool HasBind, class L, class In>
struct bound_if {  // L::bind<In> only where it exists
  struct type {};
};
template <class L, class In>
struct bound_if<true, L, In> {
  using type = typename L::template bind<In>;
};

template <class L, std::size_t LayerIndex, class In>
struct explain_protocol {
  static constexpr bool has_bind = requires { typename L::template bind<In>; };
  static_assert(has_bind, "typenet: this layer type has no member template bind<InputShape> (the layer protocol: typenet/layers/layer.hpp)");
  using B = typename bound_if<has_bind, L, In>::type;
  static constexpr bool ok_shapes = !has_bind || declares_shapes<B>;
  static_assert(ok_shapes, "typenet: the layer's bind<In> must declare `layer`, `input_shape` and `output_shape` (typenet::Shape); derive it from typenet::LayerDefaults<Layer, In>");
  static constexpr bool ok_sizes = !has_bind || !ok_shapes || declares_sizes<B>;
  static_assert(ok_sizes, "typenet: the layer's bind<In> must declare param_count, scratch_per_sample, fits, aliases_input and shown_in_summary; derive it from typenet::LayerDefaults<Layer, In>");
  static constexpr bool ok_names = !has_bind || !ok_sizes || !ok_shapes || declares_names<B>;
  static_assert(ok_names, "typenet: the layer's bind<In> must declare keras_class and keras_name (std::string_view), as \"Dense\" and \"dense\"");
  static constexpr bool ok_passes = !has_bind || !ok_shapes || !ok_sizes || !ok_names || has_passes<B>;
  static_assert(ok_passes, "typenet: the layer's bind<In> must have static forward(const ForwardPass&), backward(const BackwardPass&) and initialize(float*, Rng&)");
  // Well formed but not fitting, with no at_layer to say why.
  static_assert(!has_bind || !ok_shapes || !ok_sizes || !ok_names || !ok_passes,
                "typenet: this layer cannot take the input shape In (its bind<In>::fits is false)");
};

// How a misfit is reported: a malformed layer by the protocol, one that does not fit by its own at_layer.
template <class Bound, std::size_t Index>
struct misfit_report {
  using type = explain_protocol<typename Bound::layer, Index, typename Bound::input_shape>;
};
template <class Bound, std::size_t Index>
  requires(!requires { Bound::malformed; } && requires { typename Bound::layer::template at_layer<Index, typename Bound::input_shape>; })
struct misfit_report<Bound, Index> {
  using type = typename Bound::layer::template at_layer<Index, typename Bound::input_shape>;
};
}  // namespace detail

}  // namespace typenet
