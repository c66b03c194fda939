#pragma once
// im2col and col2im for channels-last images: the data movement that turns a convolution into
// one GEMM. Row (b, oy, ox) of the column matrix holds the patch that output pixel sees, in
// (ky, kx, c) order — the order of Keras's kernel (kh, kw, in_channels, filters) read as a
// (kh*kw*in_channels) x filters matrix, so the forward pass is columns x kernel with no
// transpose. Pixels the padding adds are zeros.
#include <algorithm>
#include <cstddef>
#include <cstring>

#include "typenet/detail/parallel.hpp"

namespace typenet::detail {

// Window: a SlidingWindow (layers/spatial.hpp).
template <class Window>
struct Im2col {
  static constexpr std::size_t H = Window::in_height, W = Window::in_width, C = Window::channels;
  static constexpr std::size_t KH = Window::window_height, KW = Window::window_width, S = Window::stride;
  static constexpr std::size_t OH = Window::out_height, OW = Window::out_width;
  static constexpr std::size_t patch = KH * KW * C;
  static constexpr std::size_t image_size = H * W * C;
  static constexpr std::size_t columns_per_image = OH * OW * patch;

  // Input column of output x and kernel column kx, or -1 in the padding.
  static constexpr std::ptrdiff_t input_x(std::size_t ox, std::size_t kx) {
    return static_cast<std::ptrdiff_t>(ox * S + kx) - static_cast<std::ptrdiff_t>(Window::pad_left);
  }
  static constexpr std::ptrdiff_t input_y(std::size_t oy, std::size_t ky) {
    return static_cast<std::ptrdiff_t>(oy * S + ky) - static_cast<std::ptrdiff_t>(Window::pad_top);
  }
  static constexpr bool inside(std::ptrdiff_t v, std::size_t side) { return v >= 0 && v < static_cast<std::ptrdiff_t>(side); }

  static void image_to_columns(const float* image, float* columns) {
    for (std::size_t oy = 0; oy < OH; ++oy)
      for (std::size_t ox = 0; ox < OW; ++ox) {
        float* row = columns + (oy * OW + ox) * patch;
        const std::ptrdiff_t x0 = input_x(ox, 0);
        const bool whole_row = x0 >= 0 && inside(input_x(ox, KW - 1), W);
        for (std::size_t ky = 0; ky < KH; ++ky, row += KW * C) {
          const std::ptrdiff_t y = input_y(oy, ky);
          if (!inside(y, H)) {
            std::fill(row, row + KW * C, 0.0f);
          } else if (whole_row) {  // the kernel row lies inside the image: KW*C contiguous floats
            std::memcpy(row, image + (static_cast<std::size_t>(y) * W + static_cast<std::size_t>(x0)) * C, KW * C * sizeof(float));
          } else {
            for (std::size_t kx = 0; kx < KW; ++kx) {
              const std::ptrdiff_t x = input_x(ox, kx);
              if (inside(x, W))
                std::memcpy(row + kx * C, image + (static_cast<std::size_t>(y) * W + static_cast<std::size_t>(x)) * C, C * sizeof(float));
              else
                std::fill(row + kx * C, row + (kx + 1) * C, 0.0f);
            }
          }
        }
      }
  }

  // The adjoint of image_to_columns: sums every column entry back onto the pixel it came from.
  static void columns_to_image(const float* columns, float* image) {
    std::fill(image, image + image_size, 0.0f);
    for (std::size_t oy = 0; oy < OH; ++oy)
      for (std::size_t ox = 0; ox < OW; ++ox) {
        const float* row = columns + (oy * OW + ox) * patch;
        for (std::size_t ky = 0; ky < KH; ++ky, row += KW * C) {
          const std::ptrdiff_t y = input_y(oy, ky);
          if (!inside(y, H)) continue;
          for (std::size_t kx = 0; kx < KW; ++kx) {
            const std::ptrdiff_t x = input_x(ox, kx);
            if (!inside(x, W)) continue;
            float* pixel = image + (static_cast<std::size_t>(y) * W + static_cast<std::size_t>(x)) * C;
            const float* from = row + kx * C;
            for (std::size_t c = 0; c < C; ++c) pixel[c] += from[c];
          }
        }
      }
  }

  // Whole batches, one image per task, split across the cores.
  static void batch_to_columns(const float* images, float* columns, std::size_t batch) {
    detail::parallel_for(batch, grain, [&](std::size_t b0, std::size_t b1) {
      for (std::size_t b = b0; b < b1; ++b) image_to_columns(images + b * image_size, columns + b * columns_per_image);
    });
  }
  static void columns_to_batch(const float* columns, float* images, std::size_t batch) {
    detail::parallel_for(batch, grain, [&](std::size_t b0, std::size_t b1) {
      for (std::size_t b = b0; b < b1; ++b) columns_to_image(columns + b * columns_per_image, images + b * image_size);
    });
  }

 private:
  // Images per thread below which waking a second thread costs more than it saves.
  static constexpr std::size_t grain = std::max<std::size_t>(1, 16384 / columns_per_image);
};

}  // namespace typenet::detail
