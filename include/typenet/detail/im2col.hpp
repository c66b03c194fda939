#pragma once
// im2col and col2im for channels-last images: the data movement that turns a convolution into
// one GEMM. Row (b, oy, ox) of the column matrix holds the patch that output pixel sees, in
// (ky, kx, c) order — the order of Keras's kernel (kh, kw, in_channels, filters) read as a
// (kh*kw*in_channels) x filters matrix, so the forward pass is columns x kernel with no
// transpose. Pixels the padding adds are zeros.
//
// The loops take the window's geometry as run-time numbers, so that a translation unit compiles
// them once rather than once for every convolution shape it has: they only move memory, and sides known at
// compile time gained them nothing measurable. They stay in this header, compiled with the
// program's own flags (-march), not in libtypenet, which is built portable (CMakeLists.txt).
#include <algorithm>
#include <cstddef>
#include <cstring>

#include "typenet/config.hpp"
#include "typenet/detail/parallel.hpp"
#include "typenet/layers/spatial.hpp"

namespace typenet::detail {

namespace im2col {

// Input row of output row oy and kernel row ky, or a negative value in the padding (and likewise
// for columns).
inline std::ptrdiff_t input_y(const WindowGeometry& g, std::size_t oy, std::size_t ky) {
  return static_cast<std::ptrdiff_t>(oy * g.stride_y + ky) - static_cast<std::ptrdiff_t>(g.pad_top);
}
inline std::ptrdiff_t input_x(const WindowGeometry& g, std::size_t ox, std::size_t kx) {
  return static_cast<std::ptrdiff_t>(ox * g.stride_x + kx) - static_cast<std::ptrdiff_t>(g.pad_left);
}
inline bool inside(std::ptrdiff_t v, std::size_t side) { return v >= 0 && v < static_cast<std::ptrdiff_t>(side); }

inline void image_to_columns(const WindowGeometry& g, const float* image, float* columns) {
  const std::size_t C = g.channels, KW = g.window_width, W = g.in_width;
  for (std::size_t oy = 0; oy < g.out_height; ++oy)
    for (std::size_t ox = 0; ox < g.out_width; ++ox) {
      float* row = columns + (oy * g.out_width + ox) * g.patch();
      const std::ptrdiff_t x0 = input_x(g, ox, 0);
      const bool whole_row = x0 >= 0 && inside(input_x(g, ox, KW - 1), W);
      for (std::size_t ky = 0; ky < g.window_height; ++ky, row += KW * C) {
        const std::ptrdiff_t y = input_y(g, oy, ky);
        if (!inside(y, g.in_height)) {
          std::fill(row, row + KW * C, 0.0f);
        } else if (whole_row) {  // the kernel row lies inside the image: KW*C contiguous floats
          std::memcpy(row, image + (static_cast<std::size_t>(y) * W + static_cast<std::size_t>(x0)) * C, KW * C * sizeof(float));
        } else {
          for (std::size_t kx = 0; kx < KW; ++kx) {
            const std::ptrdiff_t x = input_x(g, ox, kx);
            if (inside(x, W))
              std::memcpy(row + kx * C, image + (static_cast<std::size_t>(y) * W + static_cast<std::size_t>(x)) * C, C * sizeof(float));
            else
              std::fill(row + kx * C, row + (kx + 1) * C, 0.0f);
          }
        }
      }
    }
}

inline void columns_to_image(const WindowGeometry& g, const float* columns, float* image) {
  const std::size_t C = g.channels, KW = g.window_width, W = g.in_width;
  std::fill(image, image + g.image_size(), 0.0f);
  for (std::size_t oy = 0; oy < g.out_height; ++oy)
    for (std::size_t ox = 0; ox < g.out_width; ++ox) {
      const float* row = columns + (oy * g.out_width + ox) * g.patch();
      for (std::size_t ky = 0; ky < g.window_height; ++ky, row += KW * C) {
        const std::ptrdiff_t y = input_y(g, oy, ky);
        if (!inside(y, g.in_height)) continue;
        for (std::size_t kx = 0; kx < KW; ++kx) {
          const std::ptrdiff_t x = input_x(g, ox, kx);
          if (!inside(x, W)) continue;
          float* pixel = image + (static_cast<std::size_t>(y) * W + static_cast<std::size_t>(x)) * C;
          const float* from = row + kx * C;
          for (std::size_t c = 0; c < C; ++c) pixel[c] += from[c];
        }
      }
    }
}

}  // namespace im2col

// The columns of `batch` images (each g.image_size() floats) into `columns` (g.out_pixels() rows
// of g.patch() floats per image), one image per task, split across the cores. Neither this nor
// columns_to_batch is inlined or cloned (TYPENET_COMPILED_ONCE): in a caller whose geometry is a
// constant, the compiler would specialise and compile the loops again for every shape.
TYPENET_COMPILED_ONCE inline void batch_to_columns(const WindowGeometry& g, const float* images, float* columns,
                                                   std::size_t batch) {
  const std::size_t per_image = g.out_pixels() * g.patch();
  parallel_for(batch, grain_for(per_image), [&](std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) im2col::image_to_columns(g, images + b * g.image_size(), columns + b * per_image);
  });
}

// The adjoint: every column entry summed back onto the pixel it came from (images overwritten).
TYPENET_COMPILED_ONCE inline void columns_to_batch(const WindowGeometry& g, const float* columns, float* images,
                                                   std::size_t batch) {
  const std::size_t per_image = g.out_pixels() * g.patch();
  parallel_for(batch, grain_for(per_image), [&](std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) im2col::columns_to_image(g, columns + b * per_image, images + b * g.image_size());
  });
}

// Window: a SlidingWindow (layers/spatial.hpp), whose sizes a convolution lays its buffers out by.
template <class Window>
struct Im2col {
  static constexpr WindowGeometry geometry = Window::geometry;
  static constexpr std::size_t patch = geometry.patch();
  static constexpr std::size_t image_size = geometry.image_size();
  static constexpr std::size_t columns_per_image = geometry.out_pixels() * patch;

  static void batch_to_columns(const float* images, float* columns, std::size_t batch) {
    detail::batch_to_columns(geometry, images, columns, batch);
  }
  static void columns_to_batch(const float* columns, float* images, std::size_t batch) {
    detail::columns_to_batch(geometry, columns, images, batch);
  }
};

}  // namespace typenet::detail

