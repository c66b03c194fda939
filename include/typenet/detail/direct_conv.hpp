#pragma once
// Direct convolution for kernels whose patch (kh * kw * in_channels) is small, such as a 3x3
// kernel on a one-channel image (patch 9). There im2col + sgemm is a poor deal: the GEMM's inner
// dimension is the patch, too short for OpenBLAS's blocking, and the column matrix is patch
// times the image. Here each output pixel reads its patch straight from the image and
// multiplies it by the kernel one vector of filters at a time: vectorised over the filters (the
// contiguous axis of the channels-last output), with nothing reduced across lanes.
//
// The vectors are GCC vector types (vector_size, also understood by Clang) rather than plain
// loops: g++ 12 turns plain loops of this shape into scalar code once the accumulators outgrow
// its scalar-replacement limits (the kernel gradient holds patch x 16 of them), while vector
// types stay in registers. One vector is a whole register: 16 floats with AVX-512, else 8.
//
// Same data layout and conventions as Im2col: images channels-last, kernel (kh, kw, c, filters)
// read as a (patch x filters) matrix, Keras's Valid/Same padding and stride from the Window.
// Every sum runs in a fixed order whatever the number of threads, so results do not depend on it.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>

#include "typenet/detail/float_vector.hpp"
#include "typenet/detail/max_pool_rule.hpp"
#include "typenet/detail/parallel.hpp"

namespace typenet::detail {

// Largest patch that runs direct. Measured on one Zen 4 core (batch 128, 28x28 images,
// 32 filters), im2col + OpenBLAS sgemm time over direct time for forward / kernel gradient /
// input gradient. AVX-512: patch 9 (3x3x1): 1.8 / 4.2 / 1.35; 18: 1.37 / 3.0 / 0.84;
// 27: 1.24 / 2.0 / 1.18; 36: 1.17 / 1.48 / 1.08; 45: 1.28 / 0.57 / 1.39 (the kernel gradient's
// accumulators no longer fit in the 32 registers). Built for AVX2 (16 registers, 8 lanes,
// against the same AVX-512 OpenBLAS): 9: 1.42 / 2.0 / 1.41; 18: 1.03 / 1.48 / 1.06;
// 27: 1.0 / 1.21 / 1.16; 36: 0.92 / 0.75 / 1.0.
// SSE's 4 lanes take AVX2's limit, unmeasured.
inline constexpr std::size_t direct_convolution_max_patch = vector_lanes == 16 ? 36 : 27;

// Whether a convolution of this patch and filter count runs direct (whole vectors of filters).
inline constexpr bool runs_direct(std::size_t patch, std::size_t filters) {
  return patch <= direct_convolution_max_patch && filters % vector_lanes == 0;
}

// Window: a SlidingWindow (layers/spatial.hpp).
template <class Window, std::size_t Filters>
struct DirectConvolution {
  static constexpr std::size_t H = Window::in_height, W = Window::in_width, C = Window::channels;
  static constexpr std::size_t KH = Window::window_height, KW = Window::window_width, S = Window::stride;
  static constexpr std::size_t OH = Window::out_height, OW = Window::out_width;
  static constexpr std::size_t F = Filters;
  static constexpr std::size_t patch = KH * KW * C;
  static constexpr std::size_t image_size = H * W * C, out_pixels = OH * OW, out_size = out_pixels * F;
  static constexpr std::size_t lanes = vector_lanes;
  static_assert(F % lanes == 0, "DirectConvolution takes whole vectors of filters (see runs_direct)");

  // out = conv(images, kernel), without bias: (batch * out_pixels) x F, channels-last.
  static void forward(const float* images, const float* kernel, float* out, std::size_t batch) {
    detail::parallel_for(batch, grain, [&](std::size_t b0, std::size_t b1) {
      for (std::size_t b = b0; b < b1; ++b) {
        const float* image = images + b * image_size;
        float* o = out + b * out_size;
        for (std::size_t oy = 0; oy < OH; ++oy)
          for (std::size_t ox = 0; ox < OW; ++ox, o += F)
            with_patch(image, oy, ox, [&](auto x) {
              for (std::size_t f0 = 0; f0 < F; f0 += lanes) multiply(x, kernel + f0, o + f0);
            });
      }
    });
  }

  // forward followed by the 2x2 max pooling after the layer, with the bias and ReLU the layer
  // left to it (max_pool_rule.hpp), in inference: each window's four outputs stay in L1 and only
  // the pooling's output is written. A last row or column the pooling floors is not computed.
  static void forward_pooled_2x2(const float* images, const float* kernel, const float* bias, float* pooled,
                                 std::size_t batch) {
    constexpr std::size_t PH = OH / 2, PW = OW / 2;
    detail::parallel_for(batch, grain, [&](std::size_t b0, std::size_t b1) {
      for (std::size_t b = b0; b < b1; ++b) {
        const float* image = images + b * image_size;
        float* o = pooled + b * PH * PW * F;
        for (std::size_t py = 0; py < PH; ++py)
          for (std::size_t px = 0; px < PW; ++px, o += F) {
            alignas(64) float four[4][F];  // the window's outputs, row-major
            for (std::size_t k = 0; k < 4; ++k)
              with_patch(image, 2 * py + k / 2, 2 * px + k % 2, [&](auto x) {
                for (std::size_t f0 = 0; f0 < F; f0 += lanes) multiply(x, kernel + f0, four[k] + f0);
              });
            for (std::size_t f0 = 0; f0 < F; f0 += lanes)
              store_vector(o + f0, max_2x2_rectified(load_vector(four[0] + f0), load_vector(four[1] + f0),
                                                     load_vector(four[2] + f0), load_vector(four[3] + f0),
                                                     load_vector(bias + f0)));
          }
      }
    });
  }

  // kernel_grad = sum over pixels of patch^T * dz, and, given bias_grad, bias_grad = sum of dz in
  // the same pass. Split across threads by vectors of filters, so that each thread owns its
  // slice of both and nothing needs reducing.
  static void kernel_gradient(const float* images, const float* dz, float* kernel_grad, float* bias_grad,
                              std::size_t batch) {
    detail::parallel_for(blocks, 1, [&](std::size_t k0, std::size_t k1) {
      std::array<float_vector, blocks * patch> total{};
      std::array<float_vector, blocks> bias_total{};
      // Image by image, so that the image's dz stays in cache while each block reads its share.
      for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t k = k0; k < k1; ++k)
          add_image(images + b * image_size, dz + b * out_size + k * lanes, total.data() + k * patch, bias_total[k]);
      for (std::size_t k = k0; k < k1; ++k) {
        for (std::size_t i = 0; i < patch; ++i) store_vector(kernel_grad + i * F + k * lanes, total[k * patch + i]);
        if (bias_grad) store_vector(bias_grad + k * lanes, bias_total[k]);
      }
    });
  }

  // din = the adjoint of forward: each output pixel's patch gradient dz * kernel^T, added back
  // onto the pixels the patch came from. Vectorised over the patch.
  static void input_gradient(const float* dz, const float* kernel, float* din, std::size_t batch) {
    std::array<float_vector, F * patch_vectors> transposed;  // row f: filter f's weights over the patch
    for (std::size_t f = 0; f < F; ++f)
      for (std::size_t v = 0; v < patch_vectors; ++v) {
        float_vector w{};
        for (std::size_t i = 0; i < lanes && v * lanes + i < patch; ++i) w[i] = kernel[(v * lanes + i) * F + f];
        transposed[f * patch_vectors + v] = w;
      }
    detail::parallel_for(batch, grain, [&](std::size_t b0, std::size_t b1) {
      for (std::size_t b = b0; b < b1; ++b) {
        float* image = din + b * image_size;
        std::fill(image, image + image_size, 0.0f);
        const float* d = dz + b * out_size;
        for (std::size_t oy = 0; oy < OH; ++oy)
          for (std::size_t ox = 0; ox < OW; ++ox, d += F) {
            // Partial sums over the filters: `chains` dependency chains instead of one.
            float_vector g[chains][patch_vectors] = {};
            for (std::size_t f = 0; f < F; f += chains)
#pragma GCC unroll 16
              for (std::size_t c = 0; c < chains; ++c)
#pragma GCC unroll 16
                for (std::size_t v = 0; v < patch_vectors; ++v) g[c][v] += d[f + c] * transposed[(f + c) * patch_vectors + v];
            for (std::size_t c = 1; c < chains; ++c)
              for (std::size_t v = 0; v < patch_vectors; ++v) g[0][v] += g[c][v];
            scatter(g[0], oy, ox, image);
          }
      }
    });
  }

 private:
  static constexpr std::size_t blocks = F / lanes;
  static constexpr std::size_t patch_vectors = (patch + lanes - 1) / lanes;
  static constexpr std::size_t chains = 4;  // divides F, a multiple of 8
  // Images per thread below which waking a second thread costs more than it saves.
  static constexpr std::size_t grain = std::max<std::size_t>(1, 8192 / (out_size + 1));

  // Where patch entry k of a window lying inside the image sits, from the window's first pixel.
  static constexpr std::size_t image_offset(std::size_t k) { return k / (KW * C) * W * C + k % (KW * C); }
  static constexpr std::ptrdiff_t first_y(std::size_t oy) {
    return static_cast<std::ptrdiff_t>(oy * S) - static_cast<std::ptrdiff_t>(Window::pad_top);
  }
  static constexpr std::ptrdiff_t first_x(std::size_t ox) {
    return static_cast<std::ptrdiff_t>(ox * S) - static_cast<std::ptrdiff_t>(Window::pad_left);
  }
  static constexpr bool inside(std::ptrdiff_t v, std::size_t side) { return v >= 0 && v < static_cast<std::ptrdiff_t>(side); }
  static constexpr bool window_inside(std::ptrdiff_t y0, std::ptrdiff_t x0) {
    return inside(y0, H) && inside(x0, W) && inside(y0 + static_cast<std::ptrdiff_t>(KH) - 1, H) &&
           inside(x0 + static_cast<std::ptrdiff_t>(KW) - 1, W);
  }
  static constexpr std::size_t pixel(std::ptrdiff_t y, std::ptrdiff_t x) {
    return (static_cast<std::size_t>(y) * W + static_cast<std::size_t>(x)) * C;
  }
  // Image row and column of patch entry k for the window starting at (y0, x0).
  static constexpr std::ptrdiff_t entry_y(std::ptrdiff_t y0, std::size_t k) { return y0 + static_cast<std::ptrdiff_t>(k / (KW * C)); }
  static constexpr std::ptrdiff_t entry_x(std::ptrdiff_t x0, std::size_t k) { return x0 + static_cast<std::ptrdiff_t>(k / C % KW); }

  // fn(x) with x(k) the k-th patch entry (ky, kx, c order) of output pixel (oy, ox). Inside the
  // image x reads it in place at constant offsets; on the border it reads a zero-padded copy.
  template <class Fn>
  static void with_patch(const float* image, std::size_t oy, std::size_t ox, Fn&& fn) {
    const std::ptrdiff_t y0 = first_y(oy), x0 = first_x(ox);
    if (window_inside(y0, x0)) {
      const float* at = image + pixel(y0, x0);
      fn([at](std::size_t k) { return at[image_offset(k)]; });
      return;
    }
    std::array<float, patch> copy;
    for (std::size_t k = 0; k < patch; ++k) {
      const std::ptrdiff_t y = entry_y(y0, k), x = entry_x(x0, k);
      copy[k] = inside(y, H) && inside(x, W) ? image[pixel(y, x) + k % C] : 0.0f;
    }
    fn([&copy](std::size_t k) { return copy[k]; });
  }

  // The adjoint of with_patch: adds g onto the pixels of (oy, ox)'s patch that lie in the image.
  static void scatter(const float_vector* g, std::size_t oy, std::size_t ox, float* image) {
    std::array<float, patch_vectors * lanes> flat;
    std::memcpy(flat.data(), g, sizeof flat);
    const std::ptrdiff_t y0 = first_y(oy), x0 = first_x(ox);
    if (window_inside(y0, x0)) {
      float* at = image + pixel(y0, x0);
#pragma GCC unroll 64
      for (std::size_t k = 0; k < patch; ++k) at[image_offset(k)] += flat[k];
      return;
    }
    for (std::size_t k = 0; k < patch; ++k) {
      const std::ptrdiff_t y = entry_y(y0, k), x = entry_x(x0, k);
      if (inside(y, H) && inside(x, W)) image[pixel(y, x) + k % C] += flat[k];
    }
  }

  // out[0, lanes) = x (1 x patch) * the kernel's `lanes` columns from kernel on. Two partial
  // sums, so that the additions form two dependency chains instead of one.
  template <class Patch>
  static void multiply(const Patch& x, const float* kernel, float* out) {
    float_vector even{}, odd{};
#pragma GCC unroll 64
    for (std::size_t k = 0; k < patch; ++k) {
      if (k % 2 == 0)
        even += x(k) * load_vector(kernel + k * F);
      else
        odd += x(k) * load_vector(kernel + k * F);
    }
    store_vector(out, even + odd);
  }

  // Adds one image's share of the kernel and bias gradients for the `lanes` filters d points
  // at. The image is summed in registers on its own and then added to the total: no memory
  // traffic per pixel, and shorter float sums.
  static void add_image(const float* image, const float* d, float_vector* total, float_vector& bias_total) {
    float_vector acc[patch] = {}, bias_acc{};
    for (std::size_t oy = 0; oy < OH; ++oy)
      for (std::size_t ox = 0; ox < OW; ++ox, d += F) {
        const float_vector dv = load_vector(d);
        with_patch(image, oy, ox, [&](auto x) {
#pragma GCC unroll 64
          for (std::size_t k = 0; k < patch; ++k) acc[k] += x(k) * dv;
        });
        bias_acc += dv;
      }
    for (std::size_t k = 0; k < patch; ++k) total[k] += acc[k];
    bias_total += bias_acc;
  }
};

}  // namespace typenet::detail
