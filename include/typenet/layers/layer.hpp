#pragma once
// What every layer sees at run time. A layer type (Dense<512, ReLU>) is bound to the shape it
// receives (`bind<Shape<784>>`), which gives a struct of compile-time constants and static
// `forward`/`backward` functions over batch-major buffers that the model owns:
//   input_shape, output_shape, param_count, scratch_per_sample, fits, aliases_input
//   forward(const ForwardPass&), backward(const BackwardPass&), initialize(params, rng)
//   config(): its Keras class and arguments, for saved files and the Keras export (layer_config.hpp)
//   weights (layers with parameters): its arrays as Keras's get_weights() lists them, with their
//     shapes, laid end to end in its parameter slice (trainable) or non-trainable slice
//     (model/layer_weights.hpp reads and writes them)
// `fits` is false when the layer cannot take that input; the layer's `at_layer<Index, In>`
// then states why in a static_assert (see sequential.hpp for how only that one fires).
#include <concepts>
#include <cstddef>
#include <string_view>

#include "typenet/detail/random.hpp"
#include "typenet/layers/layer_config.hpp"
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

namespace detail {
// Defaults for layers without weights.
struct ParameterFree {
  static constexpr std::size_t param_count = 0;
  static constexpr std::size_t scratch_per_sample = 0;
  static constexpr bool aliases_input = false;
  static constexpr bool shown_in_summary = true;
  static void initialize(float*, Rng&) {}
};

// Layers that only reinterpret their input (Flatten): the model hands the input buffer on.
struct View : ParameterFree {
  static constexpr bool aliases_input = true;
  static void forward(const ForwardPass&) {}
  static void backward(const BackwardPass&) {}
};
}  // namespace detail

}  // namespace typenet
