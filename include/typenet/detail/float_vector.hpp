#pragma once
// One register of floats as a GCC vector type (vector_size, also understood by Clang): 16 lanes
// with AVX-512, else 8 with AVX, else SSE's 4. g++ 12 turns plain loops into scalar code once
// their accumulators outgrow its scalar-replacement limits, while vector types stay in registers;
// the direct convolution and the sparse products use them for that.
#include <cstddef>
#include <cstring>

namespace typenet::detail {

// A vector wider than the target's registers would be returned in memory (g++ warns -Wpsabi),
// so a build without AVX (no -march=native) gets SSE's 4 lanes.
#if defined(__AVX512F__)
inline constexpr std::size_t vector_lanes = 16;
#elif defined(__AVX__)
inline constexpr std::size_t vector_lanes = 8;
#else
inline constexpr std::size_t vector_lanes = 4;
#endif
using float_vector = float __attribute__((vector_size(vector_lanes * sizeof(float))));

inline float_vector load_vector(const float* p) {
  float_vector v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store_vector(float* p, const float_vector& v) { std::memcpy(p, &v, sizeof v); }

}  // namespace typenet::detail
