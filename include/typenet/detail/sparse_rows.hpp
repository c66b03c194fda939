#pragma once
// A Dense layer's two products with its input x, x W (forward) and x^T dz (kernel gradient), for
// an input that is mostly zeros: raw pixels (81% of an MNIST image is background), one-hot
// features. The zeros contribute nothing, so only the nonzeros are multiplied. Forward, each row
// lists its nonzeros and adds up their rows of W; backward, each input lists the rows where it
// is nonzero and adds up their rows of dz into its row of the kernel gradient. Each output is
// then written once, from accumulators in registers, and each sum runs in the GEMM's order
// (the kernel gradient comes out bit for bit the same, the forward to rounding).
//
// The work is a block of vectors of output columns at a time (256 columns with AVX-512), so that
// the block's columns of W or dz stay in cache across the rows. Blocks are independent, so
// typenet's threads split them when the batch is not already split across workers.
//
// Forward, rows whose nonzeros mostly coincide (the pixels of digits, all near the centre) are
// taken group_rows at a time: the group lists each input that is nonzero in any of its rows, with
// the rows' values, and each row of W that it loads serves all of them (a zero adds 0 to a sum:
// the outputs are those of the rows one by one). On MNIST a group of 6 images has 339 such inputs,
// one image 163: 2.1x as many multiplications as the rows one by one, but 2.9x fewer loads of W,
// which is what the products wait for. With the lists made 16 inputs at a time (AVX-512's
// compress, detail/sparse_listing.hpp), the forward product of 64 MNIST images, 784 inputs to 512
// units, listing included, takes 0.19 ms instead of 0.26 on this project's Zen 4 machines. A group
// whose rows share few nonzeros is taken row by row as before.
#include "typenet/detail/float_vector.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "typenet/config.hpp"
#include "typenet/detail/parallel.hpp"

namespace typenet::detail {

// The share of nonzeros in a layer's input at or below which the sparse products replace the
// GEMMs. Measured on one Zen 4 core (AVX-512), batch 64, 784 inputs, 512 units, sparse time over
// OpenBLAS sgemm time, forward / kernel gradient, listing included, with blocks of 8 vectors:
// density 0.05: 0.22 / 0.24; 0.1: 0.38 / 0.37; 0.19 (MNIST's pixels): 0.63 / 0.62; 0.3: 0.95 /
// 0.92; 0.5: 1.53 / 1.51. Blocks of 16 vectors (used with AVX-512) at 0.19: 0.64 / 0.57. Both
// are bound by loading rows of W or dz from cache, not by multiplying.
inline constexpr double sparse_input_max_density = 0.25;

// The lists hold positions as floats, exact integers up to 2^24, which bounds the inputs and rows.
inline constexpr std::size_t sparse_max_index = std::size_t{1} << 24;

// The listing writes 16 positions or values at a time (AVX-512) and keeps those up to the count, so
// each list may be written up to list_slack floats past its end.
inline constexpr std::size_t list_slack = 16;

// Floats of scratch per sample that the lists take. The rows' lists take rows * (inputs + 1); the
// columns' take inputs + 1 offsets and one entry per nonzero, up to rows * inputs; together at
// most 3 * rows * (inputs + 1), even for a single row with no zero in it. The groups' lists of the
// forward product (sparse::group_list_size: under 2 * (inputs + 1) + 2 * list_slack floats a row)
// take the columns' place, which is free until the backward product.
inline constexpr std::size_t sparse_scratch_per_sample(std::size_t inputs) { return 3 * (inputs + 1) + 2 * list_slack; }

inline bool input_is_sparse(const float* x, std::size_t rows, std::size_t inputs) {
  if (inputs >= sparse_max_index || rows >= sparse_max_index || rows == 0) return false;
  // A row at a time, so that a dense input (most hidden layers' inputs) stops the count early.
  const auto limit = static_cast<std::size_t>(sparse_input_max_density * static_cast<double>(rows * inputs));
  std::size_t nonzeros = 0;
  for (std::size_t r = 0; r < rows && nonzeros <= limit; ++r) {
    const float* xr = x + r * inputs;
    for (std::size_t j = 0; j < inputs; ++j) nonzeros += xr[j] != 0.0f;
  }
  return nonzeros <= limit;
}

namespace sparse {

// Row r's list at lists + r * (inputs + 1): its count of nonzeros, then their positions.
void list_rows(const float* x, std::size_t rows, std::size_t inputs, float* lists);

// The same nonzeros by input: columns[j] .. columns[j + 1] index the rows of input j, listed
// after the inputs + 1 offsets, each in increasing order.
inline void list_columns(const float* lists, std::size_t rows, std::size_t inputs, float* columns) {
  float* offsets = columns;
  float* entries = columns + inputs + 1;
  std::fill_n(offsets, inputs + 1, 0.0f);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* list = lists + r * (inputs + 1);
    for (std::size_t t = 1; t <= static_cast<std::size_t>(list[0]); ++t) offsets[static_cast<std::size_t>(list[t]) + 1] += 1.0f;
  }
  for (std::size_t j = 0; j < inputs; ++j) offsets[j + 1] += offsets[j];
  for (std::size_t r = 0; r < rows; ++r) {  // offsets[j] is input j's cursor meanwhile...
    const float* list = lists + r * (inputs + 1);
    for (std::size_t t = 1; t <= static_cast<std::size_t>(list[0]); ++t) {
      const auto j = static_cast<std::size_t>(list[t]);
      entries[static_cast<std::size_t>(offsets[j])] = static_cast<float>(r);
      offsets[j] += 1.0f;
    }
  }
  for (std::size_t j = inputs; j > 0; --j) offsets[j] = offsets[j - 1];  // ...and the start again
  offsets[0] = 0.0f;
}

// 16 accumulators of AVX-512's 32 registers; 8 of AVX2's 16.
inline constexpr std::size_t block_vectors = vector_lanes == 16 ? 16 : 8;
inline constexpr std::size_t block_columns = block_vectors * vector_lanes;

// A group's accumulators: 6 rows of 4 vectors in AVX-512's 32 registers, of 2 in AVX2's 16.
inline constexpr std::size_t group_rows = 6;
inline constexpr std::size_t group_vectors = vector_lanes == 16 ? 4 : 2;
inline constexpr std::size_t group_columns = group_vectors * vector_lanes;

// Group g's list at groups + g * group_list_size(inputs): its count of entries, then the entries'
// positions, then each of its rows' values at those positions, each of these lists
// group_list_stride floats long. A group whose rows share few nonzeros gets the count -1 and is
// taken row by row: with more than half as many entries as its rows have nonzeros, its
// multiplications would outweigh the loads of W saved.
inline constexpr std::size_t group_list_stride(std::size_t inputs) { return inputs + list_slack; }
inline constexpr std::size_t group_list_size(std::size_t inputs) { return 1 + (group_rows + 1) * group_list_stride(inputs); }
static_assert(group_list_size(0) <= group_rows * 2 * list_slack && group_rows + 1 <= 2 * group_rows,
              "a group's list fits in its rows' share of sparse_scratch_per_sample past their own lists");

void list_groups(const float* x, std::size_t groups_count, std::size_t inputs, float* groups);

// out[:, c0 : c0 + V lanes] = x w.
template <std::size_t V>
void times_block(const float* x, const float* lists, std::size_t rows, std::size_t inputs, const float* w,
                 std::size_t units, std::size_t c0, float* out) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * inputs;
    const float* list = lists + r * (inputs + 1);
    const auto count = static_cast<std::size_t>(list[0]);
    float_vector acc[V] = {};
    for (std::size_t t = 1; t <= count; ++t) {
      const auto j = static_cast<std::size_t>(list[t]);
      const float xv = xr[j];
      const float* wj = w + j * units + c0;
      for (std::size_t v = 0; v < V; ++v) acc[v] += xv * load_vector(wj + v * vector_lanes);
    }
    for (std::size_t v = 0; v < V; ++v) store_vector(out + r * units + c0 + v * vector_lanes, acc[v]);
  }
}

// out[:, c0 : c0 + V lanes] = x w for the first groups_count * group_rows rows, a group at a time.
template <std::size_t V>
void times_groups(const float* x, const float* lists, const float* groups, std::size_t groups_count, std::size_t inputs,
                  const float* w, std::size_t units, std::size_t c0, float* out) {
  constexpr std::size_t R = group_rows;
  const std::size_t stride = group_list_stride(inputs);
  for (std::size_t g = 0; g < groups_count; ++g) {
    const float* list = groups + g * group_list_size(inputs);
    float* out_g = out + g * R * units;
    if (list[0] < 0.0f) {
      times_block<V>(x + g * R * inputs, lists + g * R * (inputs + 1), R, inputs, w, units, c0, out_g);
      continue;
    }
    const auto count = static_cast<std::size_t>(list[0]);
    const float* positions = list + 1;
    const float* values = positions + stride;
    float_vector acc[R][V] = {};
    for (std::size_t t = 0; t < count; ++t) {
      const float* wj = w + static_cast<std::size_t>(positions[t]) * units + c0;
      for (std::size_t v = 0; v < V; ++v) {
        const float_vector wv = load_vector(wj + v * vector_lanes);
        for (std::size_t r = 0; r < R; ++r) acc[r][v] += values[r * stride + t] * wv;
      }
    }
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t v = 0; v < V; ++v) store_vector(out_g + r * units + c0 + v * vector_lanes, acc[r][v]);
  }
}

// grad[:, c0 : c0 + V lanes] = x^T dz.
template <std::size_t V>
void transposed_times_block(const float* x, const float* columns, std::size_t inputs, const float* dz,
                            std::size_t units, std::size_t c0, float* grad) {
  const float* offsets = columns;
  const float* entries = columns + inputs + 1;
  for (std::size_t j = 0; j < inputs; ++j) {
    float_vector acc[V] = {};
    const auto end = static_cast<std::size_t>(offsets[j + 1]);
    for (auto e = static_cast<std::size_t>(offsets[j]); e < end; ++e) {
      const auto r = static_cast<std::size_t>(entries[e]);
      const float xv = x[r * inputs + j];
      const float* d = dz + r * units + c0;
      for (std::size_t v = 0; v < V; ++v) acc[v] += xv * load_vector(d + v * vector_lanes);
    }
    for (std::size_t v = 0; v < V; ++v) store_vector(grad + j * units + c0 + v * vector_lanes, acc[v]);
  }
}

// Calls block(c0) for each whole block (split across threads), then vector(c0) for the whole
// vectors past the last block and column(c) for the last few columns.
template <class Block, class Vector, class Column>
void over_columns(std::size_t units, std::size_t columns_per_block, Block&& block, Vector&& vector, Column&& column) {
  const std::size_t blocks = units / columns_per_block;
  detail::parallel_for(blocks, 1, [&](std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) block(b * columns_per_block);
  });
  const std::size_t vectors_begin = blocks * columns_per_block;
  const std::size_t vectors = (units - vectors_begin) / vector_lanes;
  for (std::size_t i = 0; i < vectors; ++i) vector(vectors_begin + i * vector_lanes);
  for (std::size_t c = vectors_begin + vectors * vector_lanes; c < units; ++c) column(c);
}

}  // namespace sparse

// out (rows x units) = x (rows x inputs) w (inputs x units); leaves x's nonzeros listed in
// `lists` (sparse_scratch_per_sample(inputs) floats per row) for sparse_transposed_times.
inline void sparse_times(const float* x, std::size_t rows, std::size_t inputs, const float* w, std::size_t units,
                         float* out, float* lists) {
  sparse::list_rows(x, rows, inputs, lists);
  const std::size_t groups_count = rows / sparse::group_rows, grouped = groups_count * sparse::group_rows;
  float* groups = lists + rows * (inputs + 1);
  sparse::list_groups(x, groups_count, inputs, groups);
  sparse::over_columns(
      units, sparse::group_columns,
      [&](std::size_t c0) {
        sparse::times_groups<sparse::group_vectors>(x, lists, groups, groups_count, inputs, w, units, c0, out);
        sparse::times_block<sparse::group_vectors>(x + grouped * inputs, lists + grouped * (inputs + 1), rows - grouped,
                                                   inputs, w, units, c0, out + grouped * units);
      },
      [&](std::size_t c0) { sparse::times_block<1>(x, lists, rows, inputs, w, units, c0, out); },
      [&](std::size_t c) {
        for (std::size_t r = 0; r < rows; ++r) {
          const float* list = lists + r * (inputs + 1);
          float sum = 0.0f;
          for (std::size_t t = 1; t <= static_cast<std::size_t>(list[0]); ++t) {
            const auto j = static_cast<std::size_t>(list[t]);
            sum += x[r * inputs + j] * w[j * units + c];
          }
          out[r * units + c] = sum;
        }
      });
}

// grad (inputs x units) = x^T dz (rows x units), with the lists sparse_times left for this x.
inline void sparse_transposed_times(const float* x, std::size_t rows, std::size_t inputs, const float* dz,
                                    std::size_t units, float* grad, float* lists) {
  float* columns = lists + rows * (inputs + 1);
  sparse::list_columns(lists, rows, inputs, columns);
  sparse::over_columns(
      units, sparse::block_columns,
      [&](std::size_t c0) {
        sparse::transposed_times_block<sparse::block_vectors>(x, columns, inputs, dz, units, c0, grad);
      },
      [&](std::size_t c0) { sparse::transposed_times_block<1>(x, columns, inputs, dz, units, c0, grad); },
      [&](std::size_t c) {
        const float* entries = columns + inputs + 1;
        for (std::size_t j = 0; j < inputs; ++j) {
          float sum = 0.0f;
          for (auto e = static_cast<std::size_t>(columns[j]); e < static_cast<std::size_t>(columns[j + 1]); ++e) {
            const auto r = static_cast<std::size_t>(entries[e]);
            sum += x[r * inputs + j] * dz[r * units + c];
          }
          grad[j * units + c] = sum;
        }
      });
}

}  // namespace typenet::detail

#ifdef TYPENET_HEADER_ONLY
#include "typenet/detail/sparse_rows-inl.hpp"
#endif
