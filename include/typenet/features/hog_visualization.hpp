#pragma once
// The picture scikit-image's hog(..., visualize=True) returns: for every cell and orientation bin,
// a line through the cell's centre, perpendicular to the middle of the bin's angle range (so it
// runs along the edges that vote for the bin), whose pixels add the cell's un-normalised bin
// value. Lines are drawn with skimage.draw.line's Bresenham, pixel for pixel.
//
// write_hog_visualization puts images next to their HOG pictures in one PNG, as the lab's
// notebook shows them side by side.
#include "typenet/features/hog.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "typenet/model/array_ref.hpp"
#include "typenet/io/png.hpp"

namespace typenet::features {

namespace detail {

// skimage.draw.line(r0, c0, r1, c1): calls plot(r, c) for each pixel of the line, in its order.
template <class Plot>
void bresenham_line(long r0, long c0, long r1, long c1, Plot&& plot) {
  long r = r0, c = c0;
  long dr = std::labs(r1 - r0), dc = std::labs(c1 - c0);
  long sc = (c1 - c) > 0 ? 1 : -1;
  long sr = (r1 - r) > 0 ? 1 : -1;
  const bool steep = dr > dc;
  if (steep) {
    std::swap(c, r);
    std::swap(dc, dr);
    std::swap(sc, sr);
  }
  long d = 2 * dr - dc;
  for (long i = 0; i < dc; ++i) {
    if (steep)
      plot(c, r);
    else
      plot(r, c);
    while (d >= 0) {
      r += sr;
      d -= 2 * dc;
    }
    c += sc;
    d += 2 * dr;
  }
  plot(r1, c1);
}

// The HOG picture from the cell histograms (cells_down x cells_across x n), rows x cols floats.
inline void draw_hog_picture(const float* histogram, const HogGeometry& g, float* picture) {
  std::fill(picture, picture + g.rows * g.cols, 0.0f);
  const std::size_t p = g.pixels_per_cell, n = g.orientations;
  const double radius = static_cast<double>(static_cast<long>(p / 2) - 1);  // min(c_row, c_col) // 2 - 1
  std::vector<double> dr(n), dc(n);
  for (std::size_t o = 0; o < n; ++o) {
    const double middle = std::numbers::pi * (static_cast<double>(o) + 0.5) / static_cast<double>(n);
    dr[o] = radius * std::sin(middle);
    dc[o] = radius * std::cos(middle);
  }
  for (std::size_t cr = 0; cr < g.cells_down(); ++cr) {
    for (std::size_t cc = 0; cc < g.cells_across(); ++cc) {
      const auto centre_r = static_cast<double>(cr * p + p / 2), centre_c = static_cast<double>(cc * p + p / 2);
      for (std::size_t o = 0; o < n; ++o) {
        const double value = histogram[(cr * g.cells_across() + cc) * n + o];
        // Python's int() truncates toward zero, as the casts do. numpy would wrap a -1 index to the
        // last row; such points (only for 1-pixel cells) are left out instead.
        bresenham_line(static_cast<long>(centre_r - dc[o]), static_cast<long>(centre_c + dr[o]),
                       static_cast<long>(centre_r + dc[o]), static_cast<long>(centre_c - dr[o]), [&](long r, long c) {
                         if (r < 0 || c < 0 || r >= static_cast<long>(g.rows) || c >= static_cast<long>(g.cols)) return;
                         float& pixel = picture[static_cast<std::size_t>(r) * g.cols + static_cast<std::size_t>(c)];
                         pixel = static_cast<float>(static_cast<double>(pixel) + value);  // a float32 image, as skimage's
                       });
      }
    }
  }
}

}  // namespace detail

// skimage.feature.hog(image, ..., visualize=True)[1]: a (rows, cols) picture of the cell
// histograms. cells_per_block and block_norm do not change it, but the image must hold a block.
template <typenet::detail::DenseArray Image>
xt::xtensor<float, 2> hog_visualization(const Image& image, const HogOptions& options = {}) {
  const Features view(image);
  const HogGeometry g = detail::hog_geometry(view.shape, 0, options, "hog_visualization",
                                             "one grayscale image (rows, cols) or (rows, cols, 1)");
  detail::require_finite_pixels(view.data, g, "hog_visualization");
  std::vector<float> histogram(g.histogram_size());
  detail::hog_cell_histograms(view.data, g, histogram.data());
  auto picture = xt::xtensor<float, 2>::from_shape({g.rows, g.cols});
  detail::draw_hog_picture(histogram.data(), g, picture.data());
  return picture;
}

struct HogPictureLayout {
  std::size_t zoom = 8;      // screen pixels per image pixel
  std::size_t per_row = 5;   // image/HOG pairs per row of the sheet
};

// A PNG of each image (black 0 to white 1) beside its HOG picture (black 0 to white at the
// picture's largest value, as matplotlib's imshow scales it), on a white sheet, written atomically.
// `images` is (N, rows, cols) or (N, rows, cols, 1).
inline void write_hog_visualization(const std::filesystem::path& png, Features images, const HogOptions& options = {},
                                    const HogPictureLayout& layout = {}) {
  const std::string expected = "grayscale images (N, rows, cols) or (N, rows, cols, 1)";
  if (images.shape.rank < 3)
    throw std::invalid_argument("write_hog_visualization: expected " + expected + ", got shape " + images.shape.to_string());
  const HogGeometry g = detail::hog_geometry(images.shape, 1, options, "write_hog_visualization", expected);
  const std::size_t count = images.shape.rows();
  if (count == 0 || layout.zoom == 0 || layout.per_row == 0)
    throw std::invalid_argument("write_hog_visualization: needs at least one image, zoom >= 1 and per_row >= 1");

  const std::size_t z = layout.zoom, panel_w = g.cols * z, panel_h = g.rows * z;
  const std::size_t gap = z, pair_gap = 3 * z;  // between an image and its picture; around pairs
  const std::size_t across = std::min(count, layout.per_row), down = (count + across - 1) / across;
  const std::size_t width = pair_gap + across * (2 * panel_w + gap + pair_gap);
  const std::size_t height = pair_gap + down * (panel_h + pair_gap);
  std::vector<std::uint8_t> sheet(width * height, 255);

  auto paint = [&](const float* values, float top, std::size_t x0, std::size_t y0) {
    for (std::size_t r = 0; r < panel_h; ++r)
      for (std::size_t c = 0; c < panel_w; ++c) {
        const float v = top > 0.0f ? values[(r / z) * g.cols + c / z] / top : 0.0f;
        sheet[(y0 + r) * width + x0 + c] = static_cast<std::uint8_t>(std::lround(255.0f * std::clamp(v, 0.0f, 1.0f)));
      }
  };
  std::vector<float> histogram(g.histogram_size()), picture(g.rows * g.cols);
  for (std::size_t i = 0; i < count; ++i) {
    const float* image = images.data + i * g.rows * g.cols;
    detail::require_finite_pixels(image, g, "write_hog_visualization: image " + std::to_string(i));
    detail::hog_cell_histograms(image, g, histogram.data());
    detail::draw_hog_picture(histogram.data(), g, picture.data());
    const std::size_t x0 = pair_gap + (i % across) * (2 * panel_w + gap + pair_gap);
    const std::size_t y0 = pair_gap + (i / across) * (panel_h + pair_gap);
    paint(image, 1.0f, x0, y0);
    paint(picture.data(), *std::max_element(picture.begin(), picture.end()), x0 + panel_w + gap, y0);
  }
  io::write_gray_png(png, width, height, sheet);
}

}  // namespace typenet::features
