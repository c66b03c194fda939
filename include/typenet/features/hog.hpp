#pragma once
// HOG features as scikit-image computes them (see hog_kernel.hpp for the definition):
//
//   auto f = typenet::features::hog(image, {.orientations = 8, .pixels_per_cell = 4,
//                                           .cells_per_block = 1, .block_norm = typenet::features::L2Hys});
//   auto F = typenet::features::hog_batch(mnist.train_images, {.orientations = 8, .pixels_per_cell = 4,
//                                                              .cells_per_block = 1});
//
// `hog` takes one float image (rows, cols) or (rows, cols, 1) and gives its feature vector;
// `hog_batch` takes (N, rows, cols) or (N, rows, cols, 1) and gives (N, features), computed on
// every core (TYPENET_NUM_THREADS) with a progress bar like fit's. Pixels are used as given (the
// lab scales MNIST to [0, 1]). Bad parameters, empty or too small images and non-finite pixels
// are refused with an std::invalid_argument that says what was expected and where.
#include "typenet/training/progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "typenet/model/array_ref.hpp"
#include "typenet/detail/parallel.hpp"
#include "typenet/features/hog_kernel.hpp"

namespace typenet::features {

// scikit-image's parameters (square cells and blocks) with its defaults.
struct HogOptions {
  std::size_t orientations = 9;
  std::size_t pixels_per_cell = 8;
  std::size_t cells_per_block = 3;
  BlockNorm block_norm = L2Hys;
};

struct HogBatchOptions {
  int verbose = 1;  // 0 silent, otherwise a progress bar (redrawn in place on a terminal)
  std::ostream* out = &std::cout;
};

// The feature count of a rows x cols image: 0 if the parameters do not give one whole block.
// For cells_per_block = 1 this is (rows/p)(cols/p)n, the lab's hog_size = 28*28*n/(p*p).
constexpr std::size_t hog_feature_count(std::size_t rows, std::size_t cols, const HogOptions& o) {
  const HogGeometry g{rows, cols, o.orientations, o.pixels_per_cell, o.cells_per_block};
  return g.valid() ? g.feature_count() : 0;
}

namespace detail {

// The image part of `shape` from axis `first` on: (rows, cols) or (rows, cols, 1).
inline HogGeometry hog_geometry(const ArrayShape& shape, std::size_t first, const HogOptions& o, const std::string& where,
                                const std::string& expected) {
  const std::size_t rank = shape.rank - first;
  if (rank != 2 && !(rank == 3 && shape.dims[first + 2] == 1))
    throw std::invalid_argument(where + ": expected " + expected + ", got shape " + shape.to_string());
  if (o.orientations == 0) throw std::invalid_argument(where + ": orientations must be at least 1, got 0");
  if (o.pixels_per_cell == 0) throw std::invalid_argument(where + ": pixels_per_cell must be at least 1, got 0");
  if (o.cells_per_block == 0) throw std::invalid_argument(where + ": cells_per_block must be at least 1, got 0");
  const HogGeometry g{shape.dims[first], shape.dims[first + 1], o.orientations, o.pixels_per_cell, o.cells_per_block};
  if (g.rows == 0 || g.cols == 0)
    throw std::invalid_argument(where + ": the image is empty (shape " + shape.to_string() + "); expected " + expected);
  if (!g.valid()) {
    const std::size_t side = o.pixels_per_cell * o.cells_per_block;
    throw std::invalid_argument(where + ": a " + std::to_string(g.rows) + "x" + std::to_string(g.cols) + " image holds " +
                                std::to_string(g.cells_down()) + "x" + std::to_string(g.cells_across()) + " cells of " +
                                std::to_string(o.pixels_per_cell) + "x" + std::to_string(o.pixels_per_cell) +
                                " pixels, less than one block of " + std::to_string(o.cells_per_block) + "x" +
                                std::to_string(o.cells_per_block) + " cells; it needs at least " + std::to_string(side) +
                                " rows and " + std::to_string(side) + " columns");
  }
  return g;
}

// Throws naming the first non-finite pixel: HOG of a NaN is NaN everywhere in its block.
inline void require_finite_pixels(const float* image, const HogGeometry& g, const std::string& where) {
  for (std::size_t i = 0; i < g.rows * g.cols; ++i)
    if (!std::isfinite(image[i]))
      throw std::invalid_argument(where + ": pixel (" + std::to_string(i / g.cols) + ", " + std::to_string(i % g.cols) +
                                  ") is " + std::to_string(image[i]) + "; HOG needs finite pixel values");
}

}  // namespace detail

// HOG of one grayscale image: skimage.feature.hog(image, orientations, (p, p), (b, b), block_norm).
template <typenet::detail::DenseArray Image>
xt::xtensor<float, 1> hog(const Image& image, const HogOptions& options = {}) {
  const Features view(image);
  const HogGeometry g = detail::hog_geometry(view.shape, 0, options, "hog", "one grayscale image (rows, cols) or (rows, cols, 1)");
  detail::require_finite_pixels(view.data, g, "hog");
  auto features = xt::xtensor<float, 1>::from_shape({g.feature_count()});
  std::vector<float> histogram(g.histogram_size());
  detail::hog_forward(view.data, g, options.block_norm, histogram.data(), features.data());
  return features;
}

// HOG of every image of a data set, one row each: (N, rows, cols) or (N, rows, cols, 1) -> (N, F).
inline xt::xtensor<float, 2> hog_batch(Features images, const HogOptions& options = {},
                                       const HogBatchOptions& batch = {}) {
  const std::string expected = "grayscale images (N, rows, cols) or (N, rows, cols, 1)";
  if (images.shape.rank < 3) throw std::invalid_argument("hog_batch: expected " + expected + ", got shape " + images.shape.to_string());
  const HogGeometry g = detail::hog_geometry(images.shape, 1, options, "hog_batch", expected);
  const std::size_t count = images.shape.rows(), pixels = g.rows * g.cols;
  if (count == 0) throw std::invalid_argument("hog_batch: there are no images (shape " + images.shape.to_string() + ")");
  for (std::size_t i = 0; i < count; ++i)
    detail::require_finite_pixels(images.data + i * pixels, g, "hog_batch: image " + std::to_string(i));

  auto features = xt::xtensor<float, 2>::from_shape({count, g.feature_count()});
  const bool interactive = batch.verbose == 1 && batch.out == &std::cout && stdout_is_terminal();
  ProgressBar bar(*batch.out, count, interactive);
  // Slices of a few thousand images between progress updates; each slice is split over the threads.
  const std::size_t slice = std::max<std::size_t>(2048, 256 * typenet::detail::thread_count());
  for (std::size_t start = 0; start < count; start += slice) {
    const std::size_t end = std::min(count, start + slice);
    typenet::detail::parallel_for(end - start, 32, [&](std::size_t begin, std::size_t stop) {
      std::vector<float> histogram(g.histogram_size());
      for (std::size_t i = start + begin; i < start + stop; ++i)
        detail::hog_forward(images.data + i * pixels, g, options.block_norm, histogram.data(),
                            features.data() + i * g.feature_count());
    });
    if (batch.verbose) bar.update(end, {});
  }
  if (batch.verbose) bar.finish({});
  return features;
}

}  // namespace typenet::features
