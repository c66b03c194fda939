#pragma once
// Conv2D<filters, kernel_h, kernel_w, Activation, Padding, stride>: a 2-D convolution over
// channels-last images, y = f(conv(x, K) + b), as keras.layers.Conv2D with the same kernel layout
// (kh, kw, in_channels, filters) and the same Valid/Same padding.
//
// Forward: im2col of the batch into this layer's scratch and the sgemm
// (rows x patch) * (patch x filters) whose rows are already the channels-last output, a few
// images at a time so that the sgemm finds the columns in cache; then bias + activation in one
// pass. Backward reuses the whole batch's columns: the kernel gradient
// is columns^T * dz, the input gradient is col2im(dz * kernel^T), both single sgemm calls; the
// column buffer is overwritten by dz * kernel^T since the forward pass refills it anyway.
// A 1x1 kernel with stride 1 needs no im2col: the input already is the column matrix.
// A small patch (kh * kw * in_channels, such as a 3x3 kernel on a one-channel image) runs as a
// direct convolution instead, vectorised over the filters (detail/direct_conv.hpp): its GEMMs
// would have an inner dimension too short for OpenBLAS. Chosen at compile time.
//
// Inference (predict, evaluate) has two paths of its own, which training cannot take since
// backward needs the columns and the pooling's winners:
// - a 3x3 stride-1 kernel that does not run direct and has whole vectors of filters runs as
//   Winograd's F(4x4, 3x3) (detail/winograd.hpp): up to 4 times fewer multiplications (3.4 on
//   W3's 11x11 outputs, which tiles of 4 cut), outputs within about 4e-6 of the largest one
//   rather than 1e-7;
// - a ReLU convolution that runs direct or as Winograd and is followed by a 2x2 max pooling writes
//   the pooling's output itself (forward_pooled): its own output, four times larger, never leaves
//   L1. What the two gave W3's inference: benchmarks/README.md, "Inference beside ONNX Runtime".
#include "typenet/detail/im2col.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include "typenet/layers/activations.hpp"
#include "typenet/detail/gemm.hpp"
#include "typenet/detail/direct_conv.hpp"
#include "typenet/detail/winograd.hpp"
#include "typenet/layers/layer.hpp"
#include "typenet/layers/spatial.hpp"

namespace typenet {

template <std::size_t Filters, std::size_t KernelH, std::size_t KernelW, class Act = Linear, class Pad = Valid,
          std::size_t Stride = 1>
struct Conv2D {
  static_assert(ActivationFunction<Act>, "typenet::Conv2D: the fourth argument must be an activation (ReLU, Sigmoid, ...)");
  static_assert(Padding<Pad>, "typenet::Conv2D: the fifth argument must be typenet::Valid or typenet::Same");

  template <std::size_t LayerIndex, class In>
  struct at_layer {
    using window = detail::SlidingWindow<In, Pad, KernelH, KernelW, Stride>;
    static_assert(has_rank<In, 3>, "typenet::Conv2D needs a (height, width, channels) input; In above has another rank");
    static_assert(!has_rank<In, 3> || (Filters > 0 && KernelH > 0 && KernelW > 0 && Stride > 0),
                  "typenet::Conv2D: filters, kernel sides and stride must all be > 0");
    static_assert(!has_rank<In, 3> || !(Filters > 0 && KernelH > 0 && KernelW > 0 && Stride > 0) || window::fits,
                  "typenet::Conv2D: the kernel is larger than its (valid-padded) input In above");
  };

  template <class In>
  struct bind {
    using layer = Conv2D;
    using activation = Act;
    using padding = Pad;
    using input_shape = In;
    using window = detail::SlidingWindow<In, Pad, KernelH, KernelW, Stride>;
    using im2col = detail::Im2col<window>;
    static constexpr std::size_t filters = Filters > 0 ? Filters : 1;
    static constexpr std::size_t kernel_height = KernelH, kernel_width = KernelW, stride = Stride;
    static constexpr std::size_t channels = window::channels;
    static constexpr std::size_t out_pixels = window::out_pixels;
    static constexpr std::size_t patch = im2col::patch;  // one row of the column matrix
    using direct = detail::DirectConvolution<window, filters>;  // instantiated only where runs_direct
    using output_shape = Shape<window::out_height, window::out_width, filters>;

    static constexpr bool fits = window::fits && Filters > 0;
    static constexpr std::size_t kernel_size = patch * filters;
    static constexpr std::size_t param_count = kernel_size + filters;
    static constexpr WeightShape weights[] = {{"kernel", 4, {KernelH, KernelW, channels, filters}}, {"bias", 1, {filters}}};
    static constexpr bool runs_direct = detail::runs_direct(patch, filters);
    static constexpr bool input_is_columns = KernelH == 1 && KernelW == 1 && Stride == 1;
    // In inference a 3x3 kernel with stride 1 runs as Winograd's F(4x4, 3x3) (detail/winograd.hpp).
    static constexpr bool runs_winograd = !runs_direct && detail::winograd::applies(KernelH, KernelW, Stride, filters);
    static constexpr std::size_t own_scratch = input_is_columns || runs_direct ? 0 : out_pixels * patch;  // the columns
    static constexpr std::size_t scratch_per_sample = own_scratch + kept_per_element<Act> * output_shape::size;
    // Images whose columns fill about 512 KB: a share of L2 that leaves room for the GEMM's packing.
    static constexpr std::size_t chunk_images = std::max<std::size_t>(1, (std::size_t{1} << 17) / (out_pixels * patch));
    static constexpr bool aliases_input = false;
    // Followed by max pooling, a ReLU convolution leaves its bias and activation to it (layer.hpp).
    static constexpr bool defers_bias_and_relu = std::is_same_v<Act, ReLU>;
    // ... and in inference may run a 2x2 max pooling after it itself (PoolsNextInInference, layer.hpp).
    static constexpr bool pools_2x2_itself = defers_bias_and_relu && (runs_direct || runs_winograd);
    static constexpr std::size_t bias_offset = kernel_size;
    static constexpr bool shown_in_summary = true;
    static constexpr std::string_view keras_class = "Conv2D";
    static constexpr std::string_view keras_name = "conv2d";

    // Glorot uniform over the receptive fields (fan_in = kh*kw*in, fan_out = kh*kw*filters),
    // zero bias: Keras's defaults.
    static void initialize(float* params, detail::Rng& rng) {
      const float fan_in = static_cast<float>(patch), fan_out = static_cast<float>(KernelH * KernelW * filters);
      const float limit = std::sqrt(6.0f / (fan_in + fan_out));
      for (std::size_t i = 0; i < kernel_size; ++i) params[i] = rng.uniform(-limit, limit);
      for (std::size_t i = 0; i < filters; ++i) params[kernel_size + i] = 0.0f;
    }

    // Where the activation keeps its input (KeepsInput), after the batch's columns.
    static float* kept(float* scratch, std::size_t batch) { return scratch + batch * own_scratch; }

    static void forward(const ForwardPass& p) {
      using detail::Transpose;
      // In inference only: `if constexpr`, so that a program without such a layer does not compile it.
      bool winograd = false;
      if constexpr (runs_winograd) winograd = !p.training;
      if constexpr (runs_direct) {
        direct::forward(p.in, p.params, p.out, p.batch);
      } else if constexpr (input_is_columns) {
        detail::gemm(Transpose::no, Transpose::no, p.batch * out_pixels, filters, patch, p.in, p.params, p.out);
      } else if (winograd) {
        if constexpr (runs_winograd) detail::winograd::forward(window::geometry, p.in, p.params, filters, p.out, p.batch);
      } else {
        // im2col and the GEMM a few images at a time, so that the GEMM reads each chunk's columns
        // from cache rather than memory; in training the whole batch's columns stay in scratch for
        // backward, in inference every chunk reuses the first chunk's place, which stays in cache.
        for (std::size_t b = 0; b < p.batch; b += chunk_images) {
          const std::size_t n = std::min(chunk_images, p.batch - b);
          float* columns = p.scratch + (p.training ? b * im2col::columns_per_image : 0);
          im2col::batch_to_columns(p.in + b * In::size, columns, n);
          detail::gemm(Transpose::no, Transpose::no, n * out_pixels, filters, patch, columns, p.params,
                       p.out + b * output_shape::size);
        }
      }
      if (!p.defer_bias_and_relu)
        detail::activate<Act>(p.out, p.params + kernel_size, p.batch * out_pixels, filters, kept(p.scratch, p.batch));
    }

    // Inference, followed by a 2x2 max pooling (pools_2x2_itself): writes the pooling's output at
    // p.pool_into, bias and ReLU included. The engine calls it only for such pairs, so that other
    // layers do not compile it.
    static void forward_pooled(const ForwardPass& p) {
      if constexpr (runs_direct)
        direct::forward_pooled_2x2(p.in, p.params, p.params + kernel_size, p.pool_into, p.batch);
      else
        detail::winograd::forward(window::geometry, p.in, p.params, filters, p.pool_into, p.batch, p.params + kernel_size);
    }

    static void backward(const BackwardPass& p) {
      using detail::Transpose;
      const std::size_t rows = p.batch * out_pixels;
      float* dz = p.dout;
      float* bias_grad = p.grads + kernel_size;
      if constexpr (runs_direct) {
        // The bias gradient comes with the kernel gradient when dz is already known.
        if (!p.dout_is_preactivation)
          detail::activation_backward<Act>(p.out, kept(p.scratch, p.batch), dz, bias_grad, rows, filters);
        direct::kernel_gradient(p.in, dz, p.grads, p.dout_is_preactivation ? bias_grad : nullptr, p.batch);
        if (p.din) direct::input_gradient(dz, p.params, p.din, p.batch);
        return;
      }
      if (p.dout_is_preactivation)
        detail::sum_rows(dz, bias_grad, rows, filters);
      else
        detail::activation_backward<Act>(p.out, kept(p.scratch, p.batch), dz, bias_grad, rows, filters);
      const float* columns = input_is_columns ? p.in : p.scratch;
      detail::gemm(Transpose::yes, Transpose::no, patch, filters, rows, columns, dz, p.grads);
      if (!p.din) return;
      if constexpr (input_is_columns) {
        detail::gemm(Transpose::no, Transpose::yes, rows, patch, filters, dz, p.params, p.din);
      } else {
        float* column_grads = p.scratch;  // this layer's own scratch, refilled by forward
        detail::gemm(Transpose::no, Transpose::yes, rows, patch, filters, dz, p.params, column_grads);
        im2col::columns_to_batch(column_grads, p.din, p.batch);
      }
    }
  };
};

}  // namespace typenet
