#pragma once
// MaxPooling2D<pool_h, pool_w> and AveragePooling2D<pool_h, pool_w>, as Keras's with their
// defaults: the stride is the pool size and the padding is valid, so a side that the pool does
// not divide is floored (7 -> 3 with a pool of 2) and the last row/column is dropped.
//
// Channels-last data makes each window position a contiguous run of channels, so both passes
// are vector loops over the channels. Max pooling records which window element won (its index
// in the window, stored as a float: exact, and independent of the image size) so that backward
// routes each gradient with one write per input element and no comparison.
#include "typenet/layers/spatial.hpp"

#include <algorithm>
#include <cstddef>
#include <string_view>

#include "typenet/detail/parallel.hpp"
#include "typenet/layers/layer.hpp"

namespace typenet {

namespace detail {

template <class Kind, std::size_t PoolH, std::size_t PoolW>
struct Pooling2D {
  // What at_layer checks, in order, so that only the first broken rule speaks.
  template <class In>
  static constexpr bool is_image = In::rank == 3;
  static constexpr bool sides_positive = PoolH > 0 && PoolW > 0;
  template <class In>
  static constexpr bool pool_fits = SlidingWindow<In, Valid, PoolH, 1, PoolH>::fits && SlidingWindow<In, Valid, 1, PoolW, PoolW>::fits;

  template <class In>
  struct bind : ParameterFree {
    using input_shape = In;
    // Stride = pool size on both axes; SlidingWindow takes one stride, so the width axis uses
    // its own window below.
    using rows = SlidingWindow<In, Valid, PoolH, 1, PoolH>;
    using cols = SlidingWindow<In, Valid, 1, PoolW, PoolW>;
    static constexpr std::size_t H = rows::in_height, W = rows::in_width, C = rows::channels;
    static constexpr std::size_t OH = rows::out_height, OW = cols::out_width;
    static constexpr std::size_t window = PoolH * PoolW;
    using output_shape = Shape<OH, OW, C>;
    static constexpr bool fits = rows::fits && cols::fits;
    static constexpr std::size_t scratch_per_sample = Kind::records_argmax ? OH * OW * C : 0;
    // After a ReLU convolution, max pooling adds its bias and rectifies (layer.hpp).
    static constexpr bool absorbs_bias_and_relu = Kind::records_argmax;
    static constexpr std::string_view keras_class = Kind::keras_class;
    static constexpr std::string_view keras_name = Kind::keras_name;

    static constexpr std::size_t in_size = H * W * C, out_size = OH * OW * C;
    // Where element k (row-major in the window) of the window at (oy, ox) sits in the image.
    static constexpr std::size_t offset(std::size_t oy, std::size_t ox, std::size_t k) {
      return ((oy * PoolH + k / PoolW) * W + ox * PoolW + k % PoolW) * C;
    }

    static void forward(const ForwardPass& p) {
      detail::parallel_for(p.batch, grain, [&](std::size_t b0, std::size_t b1) {
        for (std::size_t b = b0; b < b1; ++b)
          for (std::size_t oy = 0; oy < OH; ++oy)
            for (std::size_t ox = 0; ox < OW; ++ox) {
              const std::size_t at = b * out_size + (oy * OW + ox) * C;
              Kind::template pool<window>(p.in + b * in_size, [&](std::size_t k) { return offset(oy, ox, k); }, p.out + at,
                                          p.training && p.scratch ? p.scratch + at : nullptr, C, p.pending_bias);
            }
      });
    }

    static void backward(const BackwardPass& p) {
      if (!p.din) return;
      detail::parallel_for(p.batch, grain, [&](std::size_t b0, std::size_t b1) {
        for (std::size_t b = b0; b < b1; ++b) {
          float* din = p.din + b * in_size;
          // Rows and columns the floor dropped get no gradient.
          if (OH * PoolH < H) std::fill(din + OH * PoolH * W * C, din + in_size, 0.0f);
          if (OW * PoolW < W)
            for (std::size_t y = 0; y < OH * PoolH; ++y) std::fill(din + (y * W + OW * PoolW) * C, din + (y + 1) * W * C, 0.0f);
          for (std::size_t oy = 0; oy < OH; ++oy)
            for (std::size_t ox = 0; ox < OW; ++ox) {
              const std::size_t at = b * out_size + (oy * OW + ox) * C;
              Kind::template unpool<window>(p.dout + at, p.scratch ? p.scratch + at : nullptr, din,
                                            [&](std::size_t k) { return offset(oy, ox, k); }, C,
                                            p.rectified ? p.out + at : nullptr);
            }
        }
      });
    }

   private:
    static constexpr std::size_t grain = std::max<std::size_t>(1, 16384 / std::max<std::size_t>(in_size, 1));
  };
};

struct MaxPool {
  static constexpr bool records_argmax = true;
  static constexpr std::string_view keras_class = "MaxPooling2D";
  static constexpr std::string_view keras_name = "max_pooling2d";

  // With `bias` (fused after a ReLU convolution) the input lacks its bias and ReLU: the window's
  // maximum gets both here. One vector loop over the channels, the window unrolled inside it, with
  // selects rather than branches; in inference (no `winner`) the winners are not written.
  template <std::size_t Window, class Offset>
  static void pool(const float* __restrict image, Offset offset, float* __restrict out, float* __restrict winner,
                   std::size_t channels, const float* __restrict bias) {
    std::size_t at[Window];
    for (std::size_t k = 0; k < Window; ++k) at[k] = offset(k);
    const auto window_max = [&](std::size_t c, float& index) {
      float best = image[at[0] + c];
      index = 0.0f;
      for (std::size_t k = 1; k < Window; ++k) {
        const float v = image[at[k] + c];
        const bool wins = v > best || v != v;  // a NaN wins and stays, as in PyTorch's max pooling
        best = wins ? v : best;
        index = wins ? static_cast<float>(k) : index;
      }
      return best;
    };
    const auto finish = [&](std::size_t c, float best) { return bias ? std::max(best + bias[c], 0.0f) : best; };
    float index;
    if (winner)
      for (std::size_t c = 0; c < channels; ++c) out[c] = finish(c, window_max(c, index)), winner[c] = index;
    else
      for (std::size_t c = 0; c < channels; ++c) out[c] = finish(c, window_max(c, index));
  }

  // With `out` (fused: the output was rectified), a window whose output is 0 passes no gradient,
  // so din is already the gradient of the convolution's pre-activation.
  template <std::size_t Window, class Offset>
  static void unpool(const float* dout, const float* winner, float* din, Offset offset, std::size_t channels,
                     const float* out) {
    for (std::size_t k = 0; k < Window; ++k) {
      float* d = din + offset(k);
      const float index = static_cast<float>(k);
      if (out)
        for (std::size_t c = 0; c < channels; ++c) d[c] = winner[c] == index && out[c] > 0.0f ? dout[c] : 0.0f;
      else
        for (std::size_t c = 0; c < channels; ++c) d[c] = winner[c] == index ? dout[c] : 0.0f;
    }
  }
};

struct AveragePool {
  static constexpr bool records_argmax = false;
  static constexpr std::string_view keras_class = "AveragePooling2D";
  static constexpr std::string_view keras_name = "average_pooling2d";

  template <std::size_t Window, class Offset>
  static void pool(const float* image, Offset offset, float* out, float*, std::size_t channels, const float*) {
    std::fill(out, out + channels, 0.0f);
    for (std::size_t k = 0; k < Window; ++k) {
      const float* v = image + offset(k);
      for (std::size_t c = 0; c < channels; ++c) out[c] += v[c];
    }
    constexpr float scale = 1.0f / static_cast<float>(Window);
    for (std::size_t c = 0; c < channels; ++c) out[c] *= scale;
  }

  template <std::size_t Window, class Offset>
  static void unpool(const float* dout, const float*, float* din, Offset offset, std::size_t channels, const float*) {
    constexpr float scale = 1.0f / static_cast<float>(Window);
    for (std::size_t k = 0; k < Window; ++k) {
      float* d = din + offset(k);
      for (std::size_t c = 0; c < channels; ++c) d[c] = dout[c] * scale;
    }
  }
};

}  // namespace detail

template <std::size_t PoolH = 2, std::size_t PoolW = PoolH>
struct MaxPooling2D : detail::Pooling2D<detail::MaxPool, PoolH, PoolW> {
  template <std::size_t LayerIndex, class In>
  struct at_layer {
    static_assert(MaxPooling2D::template is_image<In>, "typenet::MaxPooling2D needs a (height, width, channels) input; In above has another rank");
    static_assert(!MaxPooling2D::template is_image<In> || MaxPooling2D::sides_positive, "typenet::MaxPooling2D: the pool sides must be > 0");
    static_assert(!MaxPooling2D::template is_image<In> || !MaxPooling2D::sides_positive || MaxPooling2D::template pool_fits<In>,
                  "typenet::MaxPooling2D: the pool is larger than its input In above, so a side would become 0");
  };
  template <class In>
  struct bind : detail::Pooling2D<detail::MaxPool, PoolH, PoolW>::template bind<In> {
    using layer = MaxPooling2D;
  };
};

template <std::size_t PoolH = 2, std::size_t PoolW = PoolH>
struct AveragePooling2D : detail::Pooling2D<detail::AveragePool, PoolH, PoolW> {
  template <std::size_t LayerIndex, class In>
  struct at_layer {
    static_assert(AveragePooling2D::template is_image<In>, "typenet::AveragePooling2D needs a (height, width, channels) input; In above has another rank");
    static_assert(!AveragePooling2D::template is_image<In> || AveragePooling2D::sides_positive, "typenet::AveragePooling2D: the pool sides must be > 0");
    static_assert(!AveragePooling2D::template is_image<In> || !AveragePooling2D::sides_positive || AveragePooling2D::template pool_fits<In>,
                  "typenet::AveragePooling2D: the pool is larger than its input In above, so a side would become 0");
  };
  template <class In>
  struct bind : detail::Pooling2D<detail::AveragePool, PoolH, PoolW>::template bind<In> {
    using layer = AveragePooling2D;
  };
};

// The short names Keras also accepts.
template <std::size_t PoolH = 2, std::size_t PoolW = PoolH>
using MaxPool2D = MaxPooling2D<PoolH, PoolW>;
template <std::size_t PoolH = 2, std::size_t PoolW = PoolH>
using AvgPool2D = AveragePooling2D<PoolH, PoolW>;

}  // namespace typenet
