#pragma once
// Small seeded inputs for tests.
#include <cstddef>
#include <cstdint>

#include <xtensor/xtensor.hpp>

#include "typenet/detail/random.hpp"

namespace typenet::testing {

inline xt::xtensor<float, 2> random_matrix(std::size_t rows, std::size_t cols, std::uint64_t seed, float low = -1.0f,
                                           float high = 1.0f) {
  typenet::detail::Rng rng(seed);
  auto m = xt::xtensor<float, 2>::from_shape({rows, cols});
  for (auto& v : m) v = rng.uniform(low, high);
  return m;
}

// One-hot rows whose class cycles 0, 1, 2, ...
inline xt::xtensor<float, 2> one_hot_cycle(std::size_t rows, std::size_t classes) {
  xt::xtensor<float, 2> y = xt::zeros<float>({rows, classes});
  for (std::size_t i = 0; i < rows; ++i) y(i, i % classes) = 1.0f;
  return y;
}

}  // namespace typenet::testing
