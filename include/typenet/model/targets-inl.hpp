#pragma once
// The definitions of model/targets.hpp (typenet/config.hpp says where they are compiled).
#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>

#include "typenet/detail/parallel.hpp"
#include "typenet/model/targets.hpp"

namespace typenet::detail {


inline std::string dims_string(std::span<const std::size_t> dims) {
  ArrayShape s;
  s.rank = dims.size() + 1;
  s.dims[0] = 0;
  for (std::size_t d = 0; d < dims.size(); ++d) s.dims[d + 1] = dims[d];
  std::string text = s.to_string();
  return "(N" + text.substr(2);
}

TYPENET_INLINE void check_features(const Features& x, std::span<const std::size_t> input_dims, const char* where) {
  std::size_t input_size = 1;
  for (auto d : input_dims) input_size *= d;
  auto fail = [&](const std::string& problem) {
    return std::invalid_argument(std::string(where) + ": x has shape " + x.shape.to_string() + problem +
                                 "; the model's input is " + dims_string(input_dims) + " (or (N, " +
                                 std::to_string(input_size) + ") flattened)");
  };
  if (x.shape.rank < 2) throw fail(", not a batch of samples");
  if (x.shape.rows() == 0) throw fail(", which is empty");
  auto significant = [](const std::size_t* dims, std::size_t n) {
    while (n > 1 && dims[n - 1] == 1) --n;
    return n;
  };
  const std::size_t* given = x.shape.dims.data() + 1;
  const std::size_t given_rank = significant(given, x.shape.rank - 1);
  const std::size_t want_rank = significant(input_dims.data(), input_dims.size());
  const bool same = given_rank == want_rank && std::equal(given, given + given_rank, input_dims.data());
  const bool flattened = x.shape.rank == 2 && x.shape.dims[1] == input_size;
  if (!same && !flattened) throw fail("");
  check_finite(x, input_size, where);
}

// One pass over the data set before it is used: a NaN or infinity in x would otherwise spread
// through the weights (or be turned into 0 by some layer) with no error. The bit test vectorises,
// the blocks are split across typenet's threads (the pass reads the whole data set: 6% of W4-W1's
// inference single-threaded), and the position is searched for only in the first block that failed.
TYPENET_INLINE void check_finite(const Features& x, std::size_t sample_size, const char* where) {
  const std::size_t n = x.shape.rows() * sample_size;
  constexpr std::size_t block = 4096, blocks_per_part = 16;
  auto non_finite = [&](std::size_t i) {
    return (std::bit_cast<std::uint32_t>(x.data[i]) & 0x7f800000u) == 0x7f800000u;  // exponent all ones
  };
  const std::size_t blocks = (n + block - 1) / block;
  std::atomic<std::size_t> first_failed{blocks};
  parallel_for(blocks, blocks_per_part, [&](std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1 && b < first_failed.load(std::memory_order_relaxed); ++b) {
      const std::size_t end = std::min(n, (b + 1) * block);
      bool any = false;
      for (std::size_t i = b * block; i < end; ++i) any |= non_finite(i);
      if (!any) continue;
      std::size_t seen = first_failed.load(std::memory_order_relaxed);
      while (b < seen && !first_failed.compare_exchange_weak(seen, b, std::memory_order_relaxed)) {
      }
      return;
    }
  });
  if (first_failed.load() == blocks) return;
  std::size_t i = first_failed.load() * block;
  while (!non_finite(i)) ++i;
  throw std::invalid_argument(std::string(where) + ": x holds " + (std::isnan(x.data[i]) ? "NaN" : "an infinity") +
                              " at sample " + std::to_string(i / sample_size) + ", feature " +
                              std::to_string(i % sample_size) + " (of " + std::to_string(sample_size) +
                              "); typenet takes finite numbers only");
}

// Checks y against the loss and writes it as float rows of the loss's target width to `dest`
// (samples x width). Allocates nothing unless it throws.
template <class L>
void fill_targets(const L& loss, const Labels& y, std::size_t samples, std::size_t outputs, const char* where, float* dest) {
  auto prefix = [&] { return std::string(where) + ": y (" + std::string(loss.name) + ")"; };
  if (y.shape.rank == 0 || y.shape.rows() != samples)
    throw std::invalid_argument(std::string(where) + ": x has " + std::to_string(samples) + " samples but y has shape " +
                                y.shape.to_string());
  const std::size_t width = loss.target_width(outputs);
  const bool rank_ok = y.shape.rank == 2 ? y.shape.dims[1] == width : (y.shape.rank == 1 && width == 1);
  if (!rank_ok) {
    std::string hint = std::is_same_v<L, CategoricalCrossentropy> ? " (one-hot rows: use typenet::data::to_categorical)" : "";
    throw std::invalid_argument(prefix() + " has shape " + y.shape.to_string() + "; expected (N, " + std::to_string(width) +
                                ")" + (width == 1 ? " or (N,)" : "") + hint);
  }
  for (std::size_t i = 0; i < samples * width; ++i) {
    const double v = y[i];
    auto bad = [&](const std::string& expected) {
      return std::out_of_range(prefix() + ": value " + std::to_string(v) + " at sample " + std::to_string(i / width) +
                               (width > 1 ? ", column " + std::to_string(i % width) : "") + " is outside " + expected);
    };
    if (!std::isfinite(v)) throw bad("the finite numbers");
    if constexpr (std::is_same_v<L, SparseCategoricalCrossentropy>) {
      if (v < 0 || v >= static_cast<double>(outputs) || v != std::floor(v))
        throw bad("the class indices [0, " + std::to_string(outputs) + ")");
    } else if constexpr (!std::is_same_v<L, MeanSquaredError> && !std::is_same_v<L, CustomLoss>) {
      if (v < 0.0 || v > 1.0) throw bad("[0, 1]");
    }
    dest[i] = static_cast<float>(v);
  }
}

TYPENET_INLINE std::size_t target_width(const Loss& loss, std::size_t outputs) {
  return std::visit([&](const auto& l) { return l.target_width(outputs); }, loss);
}

TYPENET_INLINE void fill_targets(const Loss& loss, const Labels& y, std::size_t samples, std::size_t outputs, const char* where,
                         float* dest) {
  std::visit([&](const auto& l) { fill_targets(l, y, samples, outputs, where, dest); }, loss);
}

TYPENET_INLINE Targets prepare_targets(const Loss& loss, const Labels& y, std::size_t samples, std::size_t outputs,
                               const char* where) {
  Targets t;
  t.width = target_width(loss, outputs);
  t.values.resize(samples * t.width);
  fill_targets(loss, y, samples, outputs, where, t.values.data());
  return t;
}

}  // namespace typenet::detail
