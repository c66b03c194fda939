#pragma once
// Histograms of oriented gradients of one grayscale image, computed as scikit-image's
// skimage.feature.hog does (0.19 to 0.23, float32 images), into buffers the caller owns:
//   1. gradients by central difference in float (0 on the border rows/columns);
//   2. magnitude hypot(g_col, g_row) and orientation atan2(g_row, g_col) in degrees mod 180,
//      both in double;
//   3. hard binning: bin i holds [180/n*i, 180/n*(i+1)), the bounds computed as scikit-image does;
//   4. a cell's bin: the float sum of its magnitudes (row-major, as scikit-image's Cython loop
//      accumulates them) divided by p*p; pixels beyond the last whole cell are ignored;
//   5. blocks of b x b cells, overlapping with stride one cell, normalised in double;
//   6. output row-major over [block row][block col][cell in block][orientation].
// Steps 1-4 are replicated operation for operation: an orientation that lands exactly on a bin
// edge (45 degrees for 8 bins, as on a diagonal ramp) goes to the same bin as in scikit-image.
//
// The backward pass gives dLoss/dimage with every pixel's bin held fixed (HOG is piecewise
// smooth: the binning only jumps where an orientation crosses a bin edge).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <string_view>

namespace typenet::features {

// scikit-image's block_norm values.
enum class BlockNorm { L1, L1Sqrt, L2, L2Hys };
inline constexpr BlockNorm L1 = BlockNorm::L1;
inline constexpr BlockNorm L1Sqrt = BlockNorm::L1Sqrt;
inline constexpr BlockNorm L2 = BlockNorm::L2;
inline constexpr BlockNorm L2Hys = BlockNorm::L2Hys;

// The name scikit-image gives the norm ("L2-Hys", ...).
constexpr std::string_view name_of(BlockNorm norm) {
  switch (norm) {
    case BlockNorm::L1: return "L1";
    case BlockNorm::L1Sqrt: return "L1-sqrt";
    case BlockNorm::L2: return "L2";
    case BlockNorm::L2Hys: return "L2-Hys";
  }
  return "?";
}

// The sizes HOG derives from an image and its parameters; constexpr so that the Hog layer
// computes its output shape at compile time from the same formulas.
struct HogGeometry {
  std::size_t rows = 0, cols = 0;
  std::size_t orientations = 0, pixels_per_cell = 0, cells_per_block = 0;

  constexpr std::size_t cells_down() const { return pixels_per_cell ? rows / pixels_per_cell : 0; }
  constexpr std::size_t cells_across() const { return pixels_per_cell ? cols / pixels_per_cell : 0; }
  constexpr std::size_t blocks_down() const {
    return cells_per_block && cells_down() >= cells_per_block ? cells_down() - cells_per_block + 1 : 0;
  }
  constexpr std::size_t blocks_across() const {
    return cells_per_block && cells_across() >= cells_per_block ? cells_across() - cells_per_block + 1 : 0;
  }
  constexpr std::size_t block_size() const { return cells_per_block * cells_per_block * orientations; }
  constexpr std::size_t feature_count() const { return blocks_down() * blocks_across() * block_size(); }
  constexpr std::size_t histogram_size() const { return cells_down() * cells_across() * orientations; }
  // At least one orientation and one whole block in the image.
  constexpr bool valid() const { return orientations > 0 && blocks_down() > 0 && blocks_across() > 0; }
};

namespace detail {

inline constexpr double block_norm_epsilon = 1e-5;  // scikit-image's eps

// The image's gradient at one pixel, in float as scikit-image computes it for a float32 image.
struct Gradient {
  float along_rows = 0.0f, along_cols = 0.0f;
};

inline Gradient gradient_at(const float* image, const HogGeometry& g, std::size_t r, std::size_t c) {
  Gradient d;
  if (r > 0 && r + 1 < g.rows) d.along_rows = image[(r + 1) * g.cols + c] - image[(r - 1) * g.cols + c];
  if (c > 0 && c + 1 < g.cols) d.along_cols = image[r * g.cols + c + 1] - image[r * g.cols + c - 1];
  return d;
}

// numpy's rad2deg(arctan2(g_row, g_col)) % 180: the remainder takes the divisor's sign, so it is
// in [0, 180], and a tiny negative angle can round up to exactly 180.0.
inline double unsigned_orientation_degrees(double along_rows, double along_cols) {
  const double degrees = std::atan2(along_rows, along_cols) * (180.0 / std::numbers::pi);
  const double rest = std::fmod(degrees, 180.0);
  if (rest == 0.0) return 0.0;
  return rest < 0.0 ? rest + 180.0 : rest;
}

// The bin whose bounds, computed as scikit-image computes them ((180.0 / n) * i), hold `degrees`;
// n when none does (an angle that rounded up to 180).
inline std::size_t orientation_bin(double degrees, std::size_t n) {
  const double width = 180.0 / static_cast<double>(n);
  std::size_t bin = std::min(static_cast<std::size_t>(degrees / width), n - 1);
  while (bin > 0 && degrees < width * static_cast<double>(bin)) --bin;
  while (bin < n && degrees >= width * static_cast<double>(bin + 1)) ++bin;
  return bin;
}

// What one pixel contributes: its gradient, magnitude and bin (n if none).
struct PixelVote {
  Gradient gradient;
  double magnitude;
  std::size_t bin;
};

inline PixelVote vote_of(const Gradient& d, std::size_t orientations) {
  const double along_rows = d.along_rows, along_cols = d.along_cols;
  return {d, std::hypot(along_cols, along_rows),
          orientation_bin(unsigned_orientation_degrees(along_rows, along_cols), orientations)};
}

// Steps 1-4: `histogram` gets cells_down x cells_across x orientations values.
inline void hog_cell_histograms(const float* image, const HogGeometry& g, float* histogram) {
  const std::size_t n = g.orientations, p = g.pixels_per_cell;
  std::fill(histogram, histogram + g.histogram_size(), 0.0f);
  for (std::size_t r = 0; r < g.cells_down() * p; ++r) {
    float* cell_row = histogram + (r / p) * g.cells_across() * n;
    for (std::size_t c = 0; c < g.cells_across() * p; ++c) {
      const Gradient d = gradient_at(image, g, r, c);
      if (d.along_rows == 0.0f && d.along_cols == 0.0f) continue;  // adds 0 (most of a digit's pixels)
      const PixelVote v = vote_of(d, n);
      if (v.bin == n) continue;
      float& total = cell_row[(c / p) * n + v.bin];
      total = static_cast<float>(static_cast<double>(total) + v.magnitude);  // scikit-image sums in float
    }
  }
  const float cell_area = static_cast<float>(p * p);
  for (std::size_t i = 0; i < g.histogram_size(); ++i) histogram[i] /= cell_area;
}

// Calls f(value index within the block, histogram index) for every value of block (br, bc), in
// output order.
template <class F>
void for_each_in_block(const HogGeometry& g, std::size_t br, std::size_t bc, F&& f) {
  const std::size_t n = g.orientations, b = g.cells_per_block;
  std::size_t k = 0;
  for (std::size_t i = 0; i < b; ++i)
    for (std::size_t j = 0; j < b; ++j)
      for (std::size_t o = 0; o < n; ++o) f(k++, ((br + i) * g.cells_across() + bc + j) * n + o);
}

// The denominators of one block's normalisation. For L2-Hys, `second` is that of the clipped
// values' renormalisation.
struct BlockScale {
  double first = 1.0, second = 1.0;
};

inline BlockScale block_scale(const float* histogram, const HogGeometry& g, std::size_t br, std::size_t bc,
                              BlockNorm norm) {
  const double eps = block_norm_epsilon;
  double sum = 0.0;
  if (norm == BlockNorm::L1 || norm == BlockNorm::L1Sqrt) {
    for_each_in_block(g, br, bc, [&](std::size_t, std::size_t h) { sum += std::abs(static_cast<double>(histogram[h])); });
    return {sum + eps, 1.0};
  }
  for_each_in_block(g, br, bc, [&](std::size_t, std::size_t h) { sum += static_cast<double>(histogram[h]) * histogram[h]; });
  BlockScale s{std::sqrt(sum + eps * eps), 1.0};
  if (norm == BlockNorm::L2Hys) {
    double clipped = 0.0;
    for_each_in_block(g, br, bc, [&](std::size_t, std::size_t h) {
      const double v = std::min(histogram[h] / s.first, 0.2);
      clipped += v * v;
    });
    s.second = std::sqrt(clipped + eps * eps);
  }
  return s;
}

// Steps 5-6: `out` gets g.feature_count() values.
inline void hog_normalize_blocks(const float* histogram, const HogGeometry& g, BlockNorm norm, float* out) {
  for (std::size_t br = 0; br < g.blocks_down(); ++br) {
    for (std::size_t bc = 0; bc < g.blocks_across(); ++bc) {
      const BlockScale s = block_scale(histogram, g, br, bc, norm);
      float* block = out + (br * g.blocks_across() + bc) * g.block_size();
      for_each_in_block(g, br, bc, [&](std::size_t k, std::size_t h) {
        const double v = histogram[h];
        switch (norm) {
          case BlockNorm::L1: block[k] = static_cast<float>(v / s.first); break;
          case BlockNorm::L1Sqrt: block[k] = static_cast<float>(std::sqrt(v / s.first)); break;
          case BlockNorm::L2: block[k] = static_cast<float>(v / s.first); break;
          case BlockNorm::L2Hys: block[k] = static_cast<float>(std::min(v / s.first, 0.2) / s.second); break;
        }
      });
    }
  }
}

// HOG of one image: `histogram` gets the g.histogram_size() cell histograms (hog_backward reads
// them), `out` the g.feature_count() features. g must be valid().
inline void hog_forward(const float* image, const HogGeometry& g, BlockNorm norm, float* histogram, float* out) {
  hog_cell_histograms(image, g, histogram);
  hog_normalize_blocks(histogram, g, norm, out);
}

// What the backward pass of one block needs besides dout_k and v_k: its scale and dot products.
struct BlockGradient {
  BlockNorm norm;
  BlockScale s;
  double dot = 0.0;    // sum_k dout_k out_k (for L1-sqrt: sum_k du_k u_k; for L2-Hys: of the renormalisation)
  double dot_a = 0.0;  // L2-Hys: sum_k da_k a_k, with a = v / s.first and da its gradient

  // dLoss/dv_k. With S the scale (v >= 0):
  //   L1: out = v / S, S = sum v + eps:            dv_k = (dout_k - [v_k > 0] dot) / S
  //   L1-sqrt: out = sqrt(u), u = v / S:          du_k = dout_k / (2 out_k), then as L1 with u
  //   L2: out = v / S, S = sqrt(sum v^2 + eps^2): dv_k = (dout_k - out_k dot) / S
  //   L2-Hys: a = v / S1, c = min(a, 0.2), out = c / S2: back through S2, the clip, then S1.
  double value_grad(double dout_k, double v) const {
    switch (norm) {
      case BlockNorm::L1: return (dout_k - (v > 0.0 ? dot : 0.0)) / s.first;
      case BlockNorm::L1Sqrt: {
        const double u = v / s.first;
        return u > 0.0 ? (dout_k / (2.0 * std::sqrt(u)) - dot) / s.first : 0.0;
      }
      case BlockNorm::L2: return (dout_k - v / s.first * dot) / s.first;
      case BlockNorm::L2Hys: return (clipped_grad(dout_k, v) - v / s.first * dot_a) / s.first;
    }
    return 0.0;
  }
  double clipped_grad(double dout_k, double v) const {  // L2-Hys: dLoss/da_k
    const double a = v / s.first;
    return a >= 0.2 ? 0.0 : (dout_k - a / s.second * dot) / s.second;
  }
};

inline BlockGradient block_gradient(const float* histogram, const HogGeometry& g, std::size_t br, std::size_t bc,
                                    BlockNorm norm, const float* dblock) {
  BlockGradient bg{norm, block_scale(histogram, g, br, bc, norm)};
  const double S = bg.s.first;
  for_each_in_block(g, br, bc, [&](std::size_t k, std::size_t h) {
    const double v = histogram[h];
    switch (norm) {
      case BlockNorm::L1:
      case BlockNorm::L2: bg.dot += dblock[k] * (v / S); break;
      case BlockNorm::L1Sqrt:
        if (v > 0.0) bg.dot += dblock[k] / (2.0 * std::sqrt(v / S)) * (v / S);
        break;
      case BlockNorm::L2Hys: bg.dot += dblock[k] * (std::min(v / S, 0.2) / bg.s.second); break;
    }
  });
  if (norm == BlockNorm::L2Hys)
    for_each_in_block(g, br, bc, [&](std::size_t k, std::size_t h) {
      bg.dot_a += bg.clipped_grad(dblock[k], histogram[h]) * (histogram[h] / S);
    });
  return bg;
}

// dLoss/dimage (overwritten) from dLoss/dout, given the cell histograms hog_forward left.
// Each block's gradient goes straight to the pixels of its cells (1/p^2 of the pixel's bin into
// its magnitude, then through the gradient's central differences), so no buffer is needed.
inline void hog_backward(const float* image, const HogGeometry& g, BlockNorm norm, const float* histogram,
                         const float* dout, float* dimage) {
  std::fill(dimage, dimage + g.rows * g.cols, 0.0f);
  const std::size_t n = g.orientations, p = g.pixels_per_cell, b = g.cells_per_block;
  const double cell_area = static_cast<double>(p * p);
  for (std::size_t br = 0; br < g.blocks_down(); ++br) {
    for (std::size_t bc = 0; bc < g.blocks_across(); ++bc) {
      const float* dblock = dout + (br * g.blocks_across() + bc) * g.block_size();
      const BlockGradient bg = block_gradient(histogram, g, br, bc, norm, dblock);
      for (std::size_t i = 0; i < b; ++i) {
        for (std::size_t j = 0; j < b; ++j) {
          const std::size_t cell = (br + i) * g.cells_across() + bc + j;
          for (std::size_t r = (br + i) * p; r < (br + i + 1) * p; ++r) {
            for (std::size_t c = (bc + j) * p; c < (bc + j + 1) * p; ++c) {
              const Gradient d = gradient_at(image, g, r, c);
              if (d.along_rows == 0.0f && d.along_cols == 0.0f) continue;
              const PixelVote v = vote_of(d, n);
              if (v.bin == n) continue;
              const std::size_t k = (i * b + j) * n + v.bin;
              const double dmagnitude = bg.value_grad(dblock[k], histogram[cell * n + v.bin]) / cell_area;
              const auto drow = static_cast<float>(dmagnitude * d.along_rows / v.magnitude);
              const auto dcol = static_cast<float>(dmagnitude * d.along_cols / v.magnitude);
              if (r > 0 && r + 1 < g.rows) {
                dimage[(r + 1) * g.cols + c] += drow;
                dimage[(r - 1) * g.cols + c] -= drow;
              }
              if (c > 0 && c + 1 < g.cols) {
                dimage[r * g.cols + c + 1] += dcol;
                dimage[r * g.cols + c - 1] -= dcol;
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace detail

}  // namespace typenet::features
