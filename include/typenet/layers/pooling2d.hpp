#pragma once
// MaxPooling2D<pool_h, pool_w> and AveragePooling2D<pool_h, pool_w>, as Keras's with their
// defaults: the stride is the pool size and the padding is valid, so a side that the pool does
// not divide is floored (7 -> 3 with a pool of 2) and the last row/column is dropped.
//
// Channels-last data makes each window position a contiguous run of channels, so both passes
// are vector loops over the channels. Max pooling records which window element won (its index
// in the window, stored as a float: exact, and independent of the image size) so that backward
// routes each gradient with one write per input element and no comparison.
//
// The passes take the pooling's geometry as run-time numbers, so that a translation unit compiles
// them once rather than once for every shape it pools: their loops run over the channels either
// way. They stay in this header, compiled with the program's own flags (-march), not in
// libtypenet, which is built portable (CMakeLists.txt).
#include "typenet/layers/spatial.hpp"

#include <algorithm>
#include <cstddef>
#include <string_view>

#include "typenet/config.hpp"
#include "typenet/detail/max_pool_rule.hpp"
#include "typenet/detail/parallel.hpp"
#include "typenet/layers/layer.hpp"

namespace typenet {

namespace detail {

enum class PoolKind { max, average };

namespace pooling {

// Where element (ky, kx) of the window at output pixel (oy, ox) starts in the image.
inline std::size_t offset(const WindowGeometry& g, std::size_t oy, std::size_t ox, std::size_t ky, std::size_t kx) {
  return ((oy * g.stride_y + ky) * g.in_width + ox * g.stride_x + kx) * g.channels;
}

// Keras's default 2x2 pool, channels [c, c + N) of one window whose four elements' channels start
// at v[0..3]. Blocks of a fixed size let the compiler vectorise without a remainder loop for each
// window, whose cost, with a channel count known only at run time, rivals the work at 32 channels.
template <std::size_t N, bool Winner, bool Bias>
inline void max_2x2_block(const float* const* v, float* __restrict out, float* __restrict winner,
                          const float* __restrict bias, std::size_t c) {
  for (std::size_t j = c; j < c + N; ++j) {
    float best = v[0][j], index = 0.0f;
    for (std::size_t k = 1; k < 4; ++k) {
      const bool wins = beats(v[k][j], best);
      best = wins ? v[k][j] : best;
      index = wins ? static_cast<float>(k) : index;
    }
    if constexpr (Bias) best = std::max(best + bias[j], 0.0f);
    out[j] = best;
    if constexpr (Winner) winner[j] = index;
  }
}

// Calls block.template operator()<N>(c) over channels [0, channels) in blocks of N = 16, then at
// most one of 8 and one of 4, then one channel at a time: vector loops also for 8 or 12 channels.
template <class Block>
inline void in_channel_blocks(std::size_t channels, Block&& block) {
  std::size_t c = 0;
  for (; c + 16 <= channels; c += 16) block.template operator()<16>(c);
  if (c + 8 <= channels) block.template operator()<8>(c), c += 8;
  if (c + 4 <= channels) block.template operator()<4>(c), c += 4;
  for (; c < channels; ++c) block.template operator()<1>(c);
}

template <bool Winner, bool Bias>
inline void max_2x2(const float* const* v, float* out, float* winner, const float* bias, std::size_t channels) {
  in_channel_blocks(channels,
                    [&]<std::size_t N>(std::size_t c) { max_2x2_block<N, Winner, Bias>(v, out, winner, bias, c); });
}

template <std::size_t N, bool Rectified>
inline void unpool_2x2_block(float* const* d, const float* __restrict dout, const float* __restrict winner,
                             const float* __restrict out, std::size_t c) {
  for (std::size_t j = c; j < c + N; ++j) {
    const float w = winner[j];
    const float gradient = !Rectified || out[j] > 0.0f ? dout[j] : 0.0f;
    for (std::size_t k = 0; k < 4; ++k) d[k][j] = w == static_cast<float>(k) ? gradient : 0.0f;
  }
}

template <bool Rectified>
inline void unpool_2x2(float* const* d, const float* dout, const float* winner, const float* out, std::size_t channels) {
  in_channel_blocks(channels,
                    [&]<std::size_t N>(std::size_t c) { unpool_2x2_block<N, Rectified>(d, dout, winner, out, c); });
}

// The window at (oy, ox), every channel at once: its maximum into `out` and, given `winner`, the
// index in the window (row-major) of the element that won. With `bias` (fused after a ReLU
// convolution) the input lacks its bias and ReLU: the maximum gets both here. Selects rather than
// branches; a 2x2 pool as above, any other one vector loop over the channels per window element.
inline void max_window(const WindowGeometry& g, const float* image, std::size_t oy, std::size_t ox, float* __restrict out,
                       float* __restrict winner, const float* __restrict bias) {
  const std::size_t C = g.channels;
  const float* first = image + offset(g, oy, ox, 0, 0);
  if (g.window_height == 2 && g.window_width == 2) {
    const float* v[4] = {first, first + C, first + g.in_width * C, first + g.in_width * C + C};
    if (winner)
      bias ? max_2x2<true, true>(v, out, winner, bias, C) : max_2x2<true, false>(v, out, winner, bias, C);
    else
      bias ? max_2x2<false, true>(v, out, winner, bias, C) : max_2x2<false, false>(v, out, winner, bias, C);
    return;
  }
  std::copy(first, first + C, out);
  if (winner) std::fill(winner, winner + C, 0.0f);
  std::size_t k = 0;
  for (std::size_t ky = 0; ky < g.window_height; ++ky)
    for (std::size_t kx = 0; kx < g.window_width; ++kx, ++k) {
      if (k == 0) continue;
      const float* __restrict v = image + offset(g, oy, ox, ky, kx);
      const float index = static_cast<float>(k);
      if (winner) {
        for (std::size_t c = 0; c < C; ++c) {
          const bool wins = beats(v[c], out[c]);
          out[c] = wins ? v[c] : out[c];
          winner[c] = wins ? index : winner[c];
        }
      } else {
        for (std::size_t c = 0; c < C; ++c) out[c] = beats(v[c], out[c]) ? v[c] : out[c];
      }
    }
  if (bias)
    for (std::size_t c = 0; c < C; ++c) out[c] = std::max(out[c] + bias[c], 0.0f);
}

// Routes each channel's gradient to its window's winner; the others get 0. With `out` (fused:
// the output was rectified), a window whose output is 0 passes no gradient, so din is already
// the gradient of the convolution's pre-activation. din never overlaps dout, winner or out (the
// engine gives each layer's input gradient a buffer of its own).
inline void max_unwindow(const WindowGeometry& g, const float* __restrict dout, const float* __restrict winner,
                         float* din, std::size_t oy, std::size_t ox, const float* __restrict out) {
  const std::size_t C = g.channels;
  if (g.window_height == 2 && g.window_width == 2) {
    float* first = din + offset(g, oy, ox, 0, 0);
    float* d[4] = {first, first + C, first + g.in_width * C, first + g.in_width * C + C};
    out ? unpool_2x2<true>(d, dout, winner, out, C) : unpool_2x2<false>(d, dout, winner, out, C);
    return;
  }
  std::size_t k = 0;
  for (std::size_t ky = 0; ky < g.window_height; ++ky)
    for (std::size_t kx = 0; kx < g.window_width; ++kx, ++k) {
      float* __restrict d = din + offset(g, oy, ox, ky, kx);
      const float index = static_cast<float>(k);
      if (out)
        for (std::size_t c = 0; c < C; ++c) d[c] = winner[c] == index && out[c] > 0.0f ? dout[c] : 0.0f;
      else
        for (std::size_t c = 0; c < C; ++c) d[c] = winner[c] == index ? dout[c] : 0.0f;
    }
}

inline void average_window(const WindowGeometry& g, const float* image, std::size_t oy, std::size_t ox,
                           float* __restrict out) {
  const std::size_t C = g.channels;
  std::fill(out, out + C, 0.0f);
  for (std::size_t ky = 0; ky < g.window_height; ++ky)
    for (std::size_t kx = 0; kx < g.window_width; ++kx) {
      const float* __restrict v = image + offset(g, oy, ox, ky, kx);
      for (std::size_t c = 0; c < C; ++c) out[c] += v[c];
    }
  const float scale = 1.0f / static_cast<float>(g.window_height * g.window_width);
  for (std::size_t c = 0; c < C; ++c) out[c] *= scale;
}

inline void average_unwindow(const WindowGeometry& g, const float* __restrict dout, float* din, std::size_t oy,
                             std::size_t ox) {
  const std::size_t C = g.channels;
  const float scale = 1.0f / static_cast<float>(g.window_height * g.window_width);
  for (std::size_t ky = 0; ky < g.window_height; ++ky)
    for (std::size_t kx = 0; kx < g.window_width; ++kx) {
      float* __restrict d = din + offset(g, oy, ox, ky, kx);
      for (std::size_t c = 0; c < C; ++c) d[c] = dout[c] * scale;
    }
}

}  // namespace pooling

// The passes of a pooling layer over a batch (p.batch images of g.image_size() floats). Neither
// inlined nor cloned (TYPENET_COMPILED_ONCE): into each layer's forward, whose geometry is a
// constant, the compiler would specialise and compile the loops again for every shape.
TYPENET_COMPILED_ONCE inline void pool_forward(PoolKind kind, const WindowGeometry& g, const ForwardPass& p) {
  const std::size_t in_size = g.image_size(), out_size = g.out_pixels() * g.channels;
  parallel_for(p.batch, grain_for(in_size), [&](std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) {
      const float* image = p.in + b * in_size;
      for (std::size_t oy = 0; oy < g.out_height; ++oy)
        for (std::size_t ox = 0; ox < g.out_width; ++ox) {
          const std::size_t at = b * out_size + (oy * g.out_width + ox) * g.channels;
          if (kind == PoolKind::max)  // in inference (no scratch) the winners are not written
            pooling::max_window(g, image, oy, ox, p.out + at, p.training && p.scratch ? p.scratch + at : nullptr,
                                p.pending_bias);
          else
            pooling::average_window(g, image, oy, ox, p.out + at);
        }
    }
  });
}

TYPENET_COMPILED_ONCE inline void pool_backward(PoolKind kind, const WindowGeometry& g, const BackwardPass& p) {
  if (!p.din) return;
  const std::size_t H = g.in_height, W = g.in_width, C = g.channels;
  const std::size_t in_size = g.image_size(), out_size = g.out_pixels() * C;
  const std::size_t covered_h = g.out_height * g.stride_y, covered_w = g.out_width * g.stride_x;
  parallel_for(p.batch, grain_for(in_size), [&](std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) {
      float* din = p.din + b * in_size;
      // Rows and columns the floor dropped get no gradient.
      if (covered_h < H) std::fill(din + covered_h * W * C, din + in_size, 0.0f);
      if (covered_w < W)
        for (std::size_t y = 0; y < covered_h; ++y) std::fill(din + (y * W + covered_w) * C, din + (y + 1) * W * C, 0.0f);
      for (std::size_t oy = 0; oy < g.out_height; ++oy)
        for (std::size_t ox = 0; ox < g.out_width; ++ox) {
          const std::size_t at = b * out_size + (oy * g.out_width + ox) * C;
          if (kind == PoolKind::max)
            pooling::max_unwindow(g, p.dout + at, p.scratch ? p.scratch + at : nullptr, din, oy, ox,
                                  p.rectified ? p.out + at : nullptr);
          else
            pooling::average_unwindow(g, p.dout + at, din, oy, ox);
        }
    }
  });
}

struct MaxPool {
  static constexpr PoolKind kind = PoolKind::max;
  static constexpr bool records_argmax = true;  // the winners, for backward
  static constexpr std::string_view keras_class = "MaxPooling2D";
  static constexpr std::string_view keras_name = "max_pooling2d";
};

struct AveragePool {
  static constexpr PoolKind kind = PoolKind::average;
  static constexpr bool records_argmax = false;
  static constexpr std::string_view keras_class = "AveragePooling2D";
  static constexpr std::string_view keras_name = "average_pooling2d";
};

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
    using output_shape = Shape<OH, OW, C>;
    static constexpr bool fits = rows::fits && cols::fits;
    static constexpr std::size_t scratch_per_sample = Kind::records_argmax ? OH * OW * C : 0;
    // After a ReLU convolution, max pooling adds its bias and rectifies (layer.hpp).
    static constexpr bool absorbs_bias_and_relu = Kind::records_argmax;
    // What a convolution before it may run itself in inference (PoolsNextInInference).
    static constexpr bool is_2x2_max_pool = Kind::records_argmax && PoolH == 2 && PoolW == 2;
    static constexpr std::string_view keras_class = Kind::keras_class;
    static constexpr std::string_view keras_name = Kind::keras_name;
    static constexpr WindowGeometry geometry{H, W, C, PoolH, PoolW, PoolH, PoolW, 0, 0, OH, OW};

    static void forward(const ForwardPass& p) { pool_forward(Kind::kind, geometry, p); }
    static void backward(const BackwardPass& p) { pool_backward(Kind::kind, geometry, p); }
  };
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

