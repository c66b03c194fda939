#pragma once
// Max pooling's rule for one window, shared by the pooling layer (layers/pooling2d.hpp) and by
// the convolutions that pool their own outputs in inference (Conv2D's pooled forward): a NaN wins
// and stays, as in PyTorch, and after a ReLU convolution the window's maximum gets the bias the
// convolution left out and is rectified.
#include <algorithm>
#include <cstddef>
#include <cstring>

#include "typenet/detail/float_vector.hpp"

namespace typenet::detail {

// Whether v beats the best so far.
inline bool beats(float v, float best) { return v > best || v != v; }

// max(max(a, b, c, d) + bias, 0) per lane, with beats' NaN rule: the four outputs of a 2x2
// window, `lanes` channels. A loop over the lanes, which the compiler vectorises, rather than
// vector selects, whose spelling differs between g++ and clang.
inline float_vector max_2x2_rectified(const float_vector& a, const float_vector& b, const float_vector& c,
                                      const float_vector& d, const float_vector& bias) {
  float v[4][vector_lanes], add[vector_lanes], best[vector_lanes];
  std::memcpy(v[0], &a, sizeof a);
  std::memcpy(v[1], &b, sizeof b);
  std::memcpy(v[2], &c, sizeof c);
  std::memcpy(v[3], &d, sizeof d);
  std::memcpy(add, &bias, sizeof bias);
  for (std::size_t j = 0; j < vector_lanes; ++j) {
    float m = v[0][j];
    for (std::size_t k = 1; k < 4; ++k) m = beats(v[k][j], m) ? v[k][j] : m;
    best[j] = std::max(m + add[j], 0.0f);
  }
  float_vector result;
  std::memcpy(&result, best, sizeof result);
  return result;
}

}  // namespace typenet::detail
