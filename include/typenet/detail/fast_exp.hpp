#pragma once
// Single-precision e^x written so that g++ -O3 vectorises the loops that call it. glibc's expf
// is only vectorised under -ffast-math, which typenet does not use, so a sigmoid layer paid one
// scalar library call per unit and per sample: the largest cost of an MLP besides its GEMMs.
//
// Method (Cephes expf): x = n ln2 + r with |r| <= ln2/2, e^x = 2^n e^r, e^r = 1 + r + r^2 P(r)
// with P a degree-5 minimax polynomial. ln2 is split in two (Cody-Waite) so that n ln2 is
// subtracted without rounding error; 2^n is assembled from its exponent bits. There is no branch:
// out-of-range inputs are clamped and the ends are selected at the end, which g++ turns into
// vector blends.
//
// Accuracy, checked by tests/unit/detail/test_fast_exp.cpp against double-precision exp:
//   x in [ln FLT_MIN, ln FLT_MAX]: relative error below 2e-7 (about 2 ulp), result normal;
//   x < ln FLT_MIN (about -87.34): exactly 0, where expf would return a denormal (never slow
//     denormals downstream; a sigmoid or softmax cannot tell 1e-38 from 0);
//   x > ln FLT_MAX (about 88.72): +inf, exactly where expf overflows; NaN stays NaN.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace typenet::detail {

// a * b + c. With FMA hardware (-march=native) one rounding; without it, std::fma would be a
// library call in the hot loop, so the plain expression is used instead (the bounds above still
// hold, the polynomial is not that sensitive).
inline float multiply_add(float a, float b, float c) {
#ifdef __FMA__
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

// 2^n for integer n in [-126, 127], from the exponent bits. Unsigned arithmetic: for a NaN input
// n is garbage, and the result only has to be some float (NaN times it is NaN), never UB.
inline float exp2_integer(std::int32_t n) {
  return std::bit_cast<float>((static_cast<std::uint32_t>(n) + 127u) << 23);
}

inline float fast_exp(float x) {
  constexpr float lowest = -87.3365402f;   // just above ln(FLT_MIN) = -87.336544..., e^lowest is normal
  constexpr float highest = 88.7228317f;   // the largest float whose e^x is finite
  constexpr float log2e = 1.44269504088896341f;
  constexpr float ln2_high = 0.693359375f;       // few mantissa bits: n * ln2_high is exact
  constexpr float ln2_low = -2.12194440e-4f;     // ln2 - ln2_high
  constexpr float round_magic = 12582912.0f;     // 1.5 * 2^23: adding it rounds to an integer

  // NaN passes through both comparisons unchanged and propagates below.
  const float xc = std::min(std::max(x, lowest), highest);

  // n = round(x / ln2); the integer also sits in the low mantissa bits of t.
  const float t = multiply_add(xc, log2e, round_magic);
  const float n = t - round_magic;
  const std::int32_t n_int = static_cast<std::int32_t>(std::bit_cast<std::uint32_t>(t) - std::bit_cast<std::uint32_t>(round_magic));

  float r = multiply_add(n, -ln2_high, xc);
  r = multiply_add(n, -ln2_low, r);

  float p = 1.9875691500e-4f;
  p = multiply_add(p, r, 1.3981999507e-3f);
  p = multiply_add(p, r, 8.3334519073e-3f);
  p = multiply_add(p, r, 4.1665795894e-2f);
  p = multiply_add(p, r, 1.6666665459e-1f);
  p = multiply_add(p, r, 5.0000001201e-1f);
  const float e_r = multiply_add(p, r * r, r) + 1.0f;

  // n reaches 128 at the top of the range, one past what one exponent field holds: scale in two
  // halves, each within [-63, 64].
  const std::int32_t n_half = n_int >> 1;
  const float y = e_r * exp2_integer(n_half) * exp2_integer(n_int - n_half);

  const float above = x > highest ? std::numeric_limits<float>::infinity() : y;
  return x < lowest ? 0.0f : above;
}

}  // namespace typenet::detail
