#pragma once
// The two ways detail/sparse_rows.hpp's listings are made: plainly, and 16 inputs at a time with
// AVX-512's compress on the processors that have it (sparse_rows-inl.hpp chooses when they run).
// The second needs <immintrin.h>, some 50,000 lines that every program including a layer would
// otherwise parse: this header is included only where the listings are compiled (libtypenet, or
// header-only the programs that compile everything themselves) and by their test.
#include "typenet/detail/sparse_rows.hpp"

#include <bit>
#include <cstddef>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TYPENET_SPARSE_LISTS_AVX512 1
#include <immintrin.h>
#endif

namespace typenet::detail::sparse {

namespace listing {

// Branch-free: every position is written, and kept only if the count moves past it.
inline void rows_plain(const float* x, std::size_t rows, std::size_t inputs, float* lists) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * inputs;
    float* list = lists + r * (inputs + 1);
    std::size_t count = 0;
    for (std::size_t j = 0; j < inputs; ++j) {
      list[1 + count] = static_cast<float>(j);
      count += xr[j] != 0.0f;
    }
    list[0] = static_cast<float>(count);
  }
}

// nonzeros: the group's rows' nonzeros, which decide whether the group is taken as a group.
inline std::size_t group_plain(const float* xg, std::size_t inputs, float* positions, float* values, std::size_t stride,
                               std::size_t& nonzeros) {
  std::size_t count = 0;
  for (std::size_t j = 0; j < inputs; ++j) {
    positions[count] = static_cast<float>(j);
    std::size_t in_rows = 0;
    for (std::size_t r = 0; r < group_rows; ++r) {
      values[r * stride + count] = xg[r * inputs + j];
      in_rows += xg[r * inputs + j] != 0.0f;
    }
    nonzeros += in_rows;
    count += in_rows != 0;
  }
  return count;
}

#ifdef TYPENET_SPARSE_LISTS_AVX512
// Each step compresses 16 inputs' positions (and values) and stores all 16 lanes, of which those
// up to the count are kept: a list may be written up to list_slack floats past its end. The
// compress is the register form followed by a plain store, not the store form of compress, which
// is reported to be far slower on Zen 4 (not measured here).
__attribute__((target("avx512f"))) inline __mmask16 valid_lanes(std::size_t left) {
  return static_cast<__mmask16>(left >= 16 ? 0xffff : (1u << left) - 1);
}

__attribute__((target("avx512f"))) inline __m512 positions_from(std::size_t j) {
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  return _mm512_cvtepi32_ps(_mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(j)), lane));
}

__attribute__((target("avx512f"))) inline void rows_avx512(const float* x, std::size_t rows, std::size_t inputs,
                                                           float* lists) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * inputs;
    float* list = lists + r * (inputs + 1);
    std::size_t count = 0;
    for (std::size_t j = 0; j < inputs; j += 16) {
      const __mmask16 valid = valid_lanes(inputs - j);
      // Not-equal or unordered: a NaN is listed, as the plain version's != lists it.
      const __mmask16 nonzero =
          _mm512_mask_cmp_ps_mask(valid, _mm512_maskz_loadu_ps(valid, xr + j), _mm512_setzero_ps(), _CMP_NEQ_UQ);
      _mm512_storeu_ps(list + 1 + count, _mm512_maskz_compress_ps(nonzero, positions_from(j)));
      count += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(nonzero)));
    }
    list[0] = static_cast<float>(count);
  }
}

__attribute__((target("avx512f"))) inline std::size_t group_avx512(const float* xg, std::size_t inputs, float* positions,
                                                                   float* values, std::size_t stride,
                                                                   std::size_t& nonzeros) {
  std::size_t count = 0;
  for (std::size_t j = 0; j < inputs; j += 16) {
    const __mmask16 valid = valid_lanes(inputs - j);
    __m512 v[group_rows];
    unsigned any = 0;
    for (std::size_t r = 0; r < group_rows; ++r) {
      v[r] = _mm512_maskz_loadu_ps(valid, xg + r * inputs + j);
      const unsigned nonzero = _mm512_mask_cmp_ps_mask(valid, v[r], _mm512_setzero_ps(), _CMP_NEQ_UQ);
      nonzeros += static_cast<std::size_t>(std::popcount(nonzero));
      any |= nonzero;
    }
    const auto keep = static_cast<__mmask16>(any);
    _mm512_storeu_ps(positions + count, _mm512_maskz_compress_ps(keep, positions_from(j)));
    for (std::size_t r = 0; r < group_rows; ++r) _mm512_storeu_ps(values + r * stride + count, _mm512_maskz_compress_ps(keep, v[r]));
    count += static_cast<std::size_t>(std::popcount(any));
  }
  return count;
}

// __builtin_cpu_init first: a model may be run from a static constructor, before the one that
// would otherwise have filled in what __builtin_cpu_supports reads.
inline bool has_avx512() {
  static const bool has = (__builtin_cpu_init(), __builtin_cpu_supports("avx512f"));
  return has;
}
#endif

}  // namespace listing

}  // namespace typenet::detail::sparse
