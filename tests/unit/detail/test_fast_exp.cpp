// detail::fast_exp and the activations built on it (Sigmoid, Tanh, Softmax) against
// double-precision references. The bounds asserted here were measured over EVERY float in
// range (2.2e9 inputs; g++ 12 -O3 -march=native with AVX-512, and the same at -O1 in unit_tests):
//   fast_exp on [ln FLT_MIN, ln FLT_MAX]: max relative error 8.5e-8 (1.01 ulp), monotone;
//   sigmoid on [-120, 120] (where the result is normal): 1.5e-7; tanh on [-120, 120]: 1.4e-7
//   (std::tanh in float: 1.5e-7).
// The tests assert a little above those, on a sweep that visits every 257th float plus a
// uniform grid, so that a wrong constant or a broken range reduction fails them. The exhaustive
// sweep that measured them is the last test case here, skipped by default (2 CPU-minutes at -O1):
//   unit_tests -tc="fast_exp: exhaustive*" --no-skip -s | grep logged
#include <doctest/doctest.h>

#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "typenet/layers/activations.hpp"
#include "typenet/detail/fast_exp.hpp"

namespace test_fast_exp {

namespace tn = typenet;
using tn::detail::fast_exp;

namespace {

constexpr float lowest_normal_input = -87.3365402f;  // smallest float x with e^x >= FLT_MIN
constexpr float highest_finite_input = 88.7228317f;  // largest float x with e^x <= FLT_MAX
constexpr float inf = std::numeric_limits<float>::infinity();

// Every stride-th float from `from` up to `to`, plus a uniform grid of step 1e-3 on the same span.
std::vector<float> sweep(float from, float to, std::uint32_t stride) {
  std::vector<float> xs;
  for (float x = from; x <= to;) {
    xs.push_back(x);
    // Walk the float line: bit patterns are ordered (descending for negatives, ascending above 0).
    const auto bits = std::bit_cast<std::uint32_t>(x);
    if (x < 0.0f)
      x = bits > 0x80000000u + stride ? std::bit_cast<float>(bits - stride) : 0.0f;
    else
      x = std::bit_cast<float>(bits + stride);
  }
  for (double x = from; x <= to; x += 1e-3) xs.push_back(static_cast<float>(x));
  return xs;
}

double relative_error(float got, double want) { return std::fabs(static_cast<double>(got) - want) / std::fabs(want); }

}  // namespace

TEST_CASE("fast_exp: within 1e-7 relative of exp over the normal range, monotone") {
  const auto xs = sweep(lowest_normal_input, highest_finite_input, 257);
  REQUIRE(xs.size() > 8'000'000);
  double worst = 0.0;
  float worst_at = 0.0f;
  std::size_t not_monotone = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const float y = fast_exp(xs[i]);
    const double error = relative_error(y, std::exp(static_cast<double>(xs[i])));
    if (error > worst) worst = error, worst_at = xs[i];
    if (i > 0 && xs[i] > xs[i - 1] && y < fast_exp(xs[i - 1])) ++not_monotone;
    if (!(y >= FLT_MIN)) FAIL_CHECK("e^" << xs[i] << " gave " << y << ", not a normal float");
  }
  INFO("worst relative error " << worst << " at x = " << worst_at);
  CHECK(worst < 1.0e-7);
  CHECK(not_monotone == 0);
}

TEST_CASE("fast_exp: the ends of the range and special values") {
  // Top: finite exactly as far as expf is, then +inf.
  CHECK(std::isfinite(fast_exp(highest_finite_input)));
  CHECK(relative_error(fast_exp(highest_finite_input), std::exp(static_cast<double>(highest_finite_input))) < 1e-7);
  CHECK(std::isinf(std::exp(std::nextafter(highest_finite_input, inf))));
  for (float x : {std::nextafter(highest_finite_input, inf), 89.0f, 100.0f, 1e10f, FLT_MAX, inf}) CHECK(fast_exp(x) == inf);

  // Bottom: the last normal result, then exactly 0 where expf would go denormal (or to 0).
  CHECK(fast_exp(lowest_normal_input) >= FLT_MIN);
  CHECK(std::exp(static_cast<double>(std::nextafter(lowest_normal_input, -inf))) < FLT_MIN);
  for (float x : {std::nextafter(lowest_normal_input, -inf), -88.0f, -103.9f, -104.0f, -1e10f, -FLT_MAX, -inf})
    CHECK(fast_exp(x) == 0.0f);

  CHECK(fast_exp(0.0f) == 1.0f);
  CHECK(fast_exp(-0.0f) == 1.0f);
  CHECK(std::isnan(fast_exp(std::numeric_limits<float>::quiet_NaN())));
  CHECK(std::isnan(fast_exp(-std::numeric_limits<float>::quiet_NaN())));
}

TEST_CASE("Sigmoid::forward: within 2e-7 relative of the double-precision logistic, saturating cleanly") {
  auto zs = sweep(-120.0f, 120.0f, 4099);
  const std::size_t n = zs.size();
  std::vector<float> bias(n, 0.0f);
  std::vector<float> y = zs;
  tn::Sigmoid::forward(y.data(), bias.data(), 1, n);  // one long row: the vectorised path
  double worst = 0.0, worst_absolute = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double want = 1.0 / (1.0 + std::exp(-static_cast<double>(zs[i])));
    REQUIRE_FALSE(std::isnan(y[i]));
    worst_absolute = std::max(worst_absolute, std::fabs(y[i] - want));
    if (want >= FLT_MIN) worst = std::max(worst, relative_error(y[i], want));
  }
  INFO("worst relative error " << worst << ", absolute " << worst_absolute);
  CHECK(worst < 2e-7);
  CHECK(worst_absolute < 1e-7);

  std::vector<float> ends = {-inf, -1e30f, -200.0f, 200.0f, 1e30f, inf, 0.0f};
  tn::Sigmoid::forward(ends.data(), nullptr, 1, ends.size());
  CHECK(ends == std::vector<float>{0.0f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f, 0.5f});
}

TEST_CASE("Tanh::forward: within 2e-7 relative of double tanh, odd, saturating at +-1") {
  auto zs = sweep(-120.0f, 120.0f, 4099);
  std::vector<float> y = zs;
  tn::Tanh::forward(y.data(), nullptr, 1, y.size());
  double worst = 0.0;
  float worst_at = 0.0f;
  for (std::size_t i = 0; i < zs.size(); ++i) {
    const double want = std::tanh(static_cast<double>(zs[i]));
    if (want == 0.0) {
      CHECK(y[i] == 0.0f);
      continue;
    }
    const double error = relative_error(y[i], want);
    if (error > worst) worst = error, worst_at = zs[i];
  }
  INFO("worst relative error " << worst << " at z = " << worst_at);
  CHECK(worst < 2e-7);

  std::vector<float> ends = {-inf, -50.0f, 50.0f, inf, 1e-30f, -1e-30f, -0.0f};
  tn::Tanh::forward(ends.data(), nullptr, 1, ends.size());
  CHECK(ends == std::vector<float>{-1.0f, -1.0f, 1.0f, 1.0f, 1e-30f, -1e-30f, 0.0f});
  CHECK(std::signbit(ends[6]));
}

TEST_CASE("Softmax::forward: within 1e-6 relative of a double-precision softmax, also for far-apart logits") {
  constexpr std::size_t rows = 64, cols = 10;
  std::vector<float> z(rows * cols), bias(cols);
  std::uint32_t state = 12345;  // a small LCG: logits spread over [-s, s] with s growing per row
  auto uniform = [&] { return static_cast<float>((state = state * 1664525u + 1013904223u) >> 8) / 16777216.0f * 2.0f - 1.0f; };
  for (std::size_t c = 0; c < cols; ++c) bias[c] = uniform();
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) z[r * cols + c] = uniform() * static_cast<float>(1 + r * r);
  std::vector<float> y = z;
  tn::Softmax::forward(y.data(), bias.data(), rows, cols);
  // The reference starts from the same float differences z + b - max: rounding those (up to
  // 4e-6 relative in e^d for d near -69) belongs to any float softmax, std::exp or not; what is
  // checked is the exponential, the sum and the division.
  double worst = 0.0;
  for (std::size_t r = 0; r < rows; ++r) {
    float peak = -inf;
    double total = 0.0;
    std::vector<double> e(cols);
    for (std::size_t c = 0; c < cols; ++c) peak = std::max(peak, z[r * cols + c] + bias[c]);
    for (std::size_t c = 0; c < cols; ++c) total += e[c] = std::exp(static_cast<double>((z[r * cols + c] + bias[c]) - peak));
    for (std::size_t c = 0; c < cols; ++c) {
      const double want = e[c] / total;
      if (want >= 1e-30) worst = std::max(worst, relative_error(y[r * cols + c], want));
      else CHECK(y[r * cols + c] < 1e-30f);
    }
  }
  INFO("worst relative error " << worst);
  CHECK(worst < 1e-6);

  std::vector<float> far = {0.0f, 1000.0f, -1000.0f, 0.0f};
  tn::Softmax::forward(far.data(), nullptr, 1, far.size());
  CHECK(far == std::vector<float>{0.0f, 1.0f, 0.0f, 0.0f});
}

// Every float, not a sample: what the header comment states. Opt-in (--no-skip): 2 CPU-minutes.
TEST_CASE("fast_exp: exhaustive over every float (the bounds quoted above)" * doctest::skip()) {
  // Calls f on every float in [from, to] (both finite), in increasing order.
  auto every_float = [](float from, float to, auto&& f) {
    for (float x = from; x <= to;) {
      f(x);
      if (x == to) break;
      x = std::nextafter(x, inf);
    }
  };
  double exp_worst = 0.0, sigmoid_worst = 0.0, tanh_worst = 0.0;
  std::size_t not_monotone = 0;
  float previous = 0.0f;
  every_float(lowest_normal_input, highest_finite_input, [&](float x) {
    const float y = fast_exp(x);
    exp_worst = std::max(exp_worst, relative_error(y, std::exp(static_cast<double>(x))));
    not_monotone += y < previous;
    previous = y;
  });
  every_float(-120.0f, 120.0f, [&](float z) {
    const double sigmoid = 1.0 / (1.0 + std::exp(-static_cast<double>(z)));
    if (sigmoid >= FLT_MIN) sigmoid_worst = std::max(sigmoid_worst, relative_error(tn::Sigmoid::value(z), sigmoid));
    const double tanh = std::tanh(static_cast<double>(z));
    if (tanh != 0.0) tanh_worst = std::max(tanh_worst, relative_error(tn::Tanh::value(z), tanh));
  });
  INFO("worst relative error: exp " << exp_worst << ", sigmoid " << sigmoid_worst << ", tanh " << tanh_worst);
  CHECK(exp_worst < 1.0e-7);
  CHECK(sigmoid_worst < 2e-7);
  CHECK(tanh_worst < 2e-7);
  CHECK(not_monotone == 0);
}

}  // namespace test_fast_exp
