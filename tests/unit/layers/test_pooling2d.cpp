// MaxPooling2D and AveragePooling2D: shapes at compile time (sides the pool does not divide are
// floored), the forward pass against direct loops, NaN through max pooling, and gradients by
// finite differences.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "support/gradient_check.hpp"
#include "support/random_arrays.hpp"
#include "typenet/typenet.hpp"

namespace test_pooling2d {

namespace tn = typenet;
using tn::testing::require_gradients;
using tn::testing::one_hot_cycle;
using tn::testing::random_matrix;

// ---- Shapes at compile time ---------------------------------------------------------------------

// Pooling floors (7 -> 3) and the short names alias the Keras ones.
using Pooled = tn::Sequential<tn::Input<7, 9, 5>, tn::AvgPool2D<2>>;
static_assert(std::is_same_v<Pooled::output_shape, tn::Shape<3, 4, 5>>);
static_assert(std::is_same_v<tn::MaxPool2D<3, 2>, tn::MaxPooling2D<3, 2>>);
static_assert(std::is_same_v<tn::Sequential<tn::Input<7, 7, 1>, tn::MaxPooling2D<3, 2>>::output_shape, tn::Shape<2, 3, 1>>);

// ---- Forward pass against direct loops --------------------------------------------------------

namespace {

// Max or mean of each pool window, the stride being the pool size and the rest floored away.
std::vector<float> direct_pooling(const float* x, std::size_t H, std::size_t W, std::size_t C, std::size_t PH, std::size_t PW,
                                  bool max) {
  const std::size_t OH = H / PH, OW = W / PW;
  std::vector<float> out(OH * OW * C);
  for (std::size_t oy = 0; oy < OH; ++oy)
    for (std::size_t ox = 0; ox < OW; ++ox)
      for (std::size_t c = 0; c < C; ++c) {
        float best = -INFINITY, sum = 0.0f;
        for (std::size_t dy = 0; dy < PH; ++dy)
          for (std::size_t dx = 0; dx < PW; ++dx) {
            const float v = x[((oy * PH + dy) * W + ox * PW + dx) * C + c];
            best = std::max(best, v);
            sum += v;
          }
        out[(oy * OW + ox) * C + c] = max ? best : sum / static_cast<float>(PH * PW);
      }
  return out;
}

template <class Pool, std::size_t H, std::size_t W, std::size_t C, std::size_t PH, std::size_t PW>
void check_pooling_forward(bool max) {
  using Net = tn::Sequential<tn::Input<H, W, C>, Pool>;
  tn::Model<Net> model;
  const std::size_t batch = 4;
  const auto x = random_matrix(batch, H * W * C, 23);
  const auto y = model.predict(x);
  for (std::size_t b = 0; b < batch; ++b) {
    const auto expected = direct_pooling(x.data() + b * H * W * C, H, W, C, PH, PW, max);
    REQUIRE(expected.size() == Net::output_shape::size);
    for (std::size_t i = 0; i < expected.size(); ++i) CHECK(y(b, i) == doctest::Approx(expected[i]).epsilon(1e-6));
  }
}

}  // namespace

TEST_CASE("pooling forward equals direct loops, flooring sides the pool does not divide") {
  SUBCASE("max 2x2 on 8x6") { check_pooling_forward<tn::MaxPooling2D<2, 2>, 8, 6, 3, 2, 2>(true); }
  SUBCASE("max 2x2 on 7x7 (7 -> 3)") { check_pooling_forward<tn::MaxPooling2D<2>, 7, 7, 2, 2, 2>(true); }
  // The 2x2 pool's own loop takes blocks of 16 channels, then one channel at a time.
  SUBCASE("max 2x2 on 6x5, 19 channels") { check_pooling_forward<tn::MaxPooling2D<2>, 6, 5, 19, 2, 2>(true); }
  SUBCASE("max 3x2 on 7x9") { check_pooling_forward<tn::MaxPool2D<3, 2>, 7, 9, 4, 3, 2>(true); }
  SUBCASE("average 2x2 on 7x5") { check_pooling_forward<tn::AveragePooling2D<2>, 7, 5, 3, 2, 2>(false); }
  SUBCASE("average 3x3 on 9x10") { check_pooling_forward<tn::AvgPool2D<3>, 9, 10, 2, 3, 3>(false); }
}

// One window of a PH x PW pool over C channels, every channel but the last holding a NaN at window
// element `at` in turn: the window's maximum is NaN there and the NaN's place wins; the last
// channel keeps its true maximum, the window's last element. (fit, evaluate and predict refuse a
// NaN in x, so the layer is called here directly.)
template <std::size_t PH, std::size_t PW, std::size_t C>
void check_nan_wins() {
  using Pool = typename tn::MaxPooling2D<PH, PW>::template bind<tn::Shape<PH, PW, C>>;
  constexpr std::size_t window = PH * PW;
  for (std::size_t at = 0; at < window; ++at) {
    CAPTURE(at);
    std::vector<float> image(window * C);  // window element k's channels at k * C
    for (std::size_t k = 0; k < window; ++k)
      for (std::size_t c = 0; c < C; ++c) image[k * C + c] = static_cast<float>(k + c);
    for (std::size_t c = 0; c + 1 < C; ++c) image[at * C + c] = NAN;
    std::vector<float> out(C), winner(C);
    Pool::forward({.params = nullptr, .in = image.data(), .out = out.data(), .scratch = winner.data(), .batch = 1,
                   .training = true, .rng = nullptr});
    for (std::size_t c = 0; c + 1 < C; ++c) {
      CHECK(std::isnan(out[c]));
      CHECK(winner[c] == static_cast<float>(at));
    }
    CHECK(out[C - 1] == static_cast<float>(window - 1 + C - 1));
    CHECK(winner[C - 1] == static_cast<float>(window - 1));
  }
}

TEST_CASE("NaN passes through ReLU and max pooling, as in Keras and PyTorch") {
  CHECK(std::isnan(tn::ReLU::value(NAN)));
  CHECK(tn::ReLU::value(-2.0f) == 0.0f);
  CHECK(tn::ReLU::value(3.0f) == 3.0f);
  SUBCASE("2x2, 2 channels") { check_nan_wins<2, 2, 2>(); }
  SUBCASE("2x2, 29 channels (blocks of 16, 8 and 4, then one)") { check_nan_wins<2, 2, 29>(); }
  SUBCASE("3x2 (the loop for any window), 3 channels") { check_nan_wins<3, 2, 3>(); }
}

// After a ReLU convolution the pooling adds the convolution's bias to each window's maximum and
// rectifies it (the fused pair, layers/layer.hpp); in training it also records the winners.
TEST_CASE("max pooling with the bias and ReLU of the convolution before it, 2x2 over 29 channels") {
  constexpr std::size_t C = 29;
  using Pool = tn::MaxPooling2D<2>::bind<tn::Shape<2, 2, C>>;
  const auto image = random_matrix(1, 4 * C, 42);
  const auto bias = random_matrix(1, C, 43);
  for (const bool training : {false, true}) {
    CAPTURE(training);
    std::vector<float> out(C), winner(C, -1.0f);
    Pool::forward({.params = nullptr, .in = image.data(), .out = out.data(), .scratch = training ? winner.data() : nullptr,
                   .batch = 1, .training = training, .rng = nullptr, .pending_bias = bias.data()});
    for (std::size_t c = 0; c < C; ++c) {
      std::size_t best = 0;
      for (std::size_t k = 1; k < 4; ++k)
        if (image.data()[k * C + c] > image.data()[best * C + c]) best = k;
      CHECK(out[c] == std::max(image.data()[best * C + c] + bias.data()[c], 0.0f));
      CHECK(winner[c] == (training ? static_cast<float>(best) : -1.0f));
    }
  }
}

// ---- Gradients ---------------------------------------------------------------------------------
// A convolution before the pooling, so that the pooling's routes of the input gradient are
// checked too; softmax + cross-entropy at the end.

TEST_CASE("gradient: MaxPooling2D, with a floored side and a non-square pool") {
  SUBCASE("2x2 on 7x7") {
    using Net = tn::Sequential<tn::Input<7, 7, 1>, tn::Conv2D<3, 3, 3, tn::Tanh, tn::Same>, tn::MaxPooling2D<2>,
                               tn::Flatten, tn::Dense<3, tn::Softmax>>;
    require_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(3, 49, 36), one_hot_cycle(3, 3));
  }
  SUBCASE("3x2 on 8x7, after ReLU") {
    using Net = tn::Sequential<tn::Input<8, 7, 2>, tn::Conv2D<3, 2, 2, tn::ReLU, tn::Same>, tn::MaxPool2D<3, 2>,
                               tn::Conv2D<2, 2, 2, tn::Tanh>, tn::Flatten, tn::Dense<3, tn::Softmax>>;
    require_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(3, 112, 37), one_hot_cycle(3, 3));
  }
}

// With many channels a finite-difference check of max pooling fails for lack of margin, not of
// correctness (a step moves some window's maximum to another element), so the 2x2 pool's own
// loops, blocks of 16 channels and then one at a time, are checked against direct loops instead.
TEST_CASE("max pooling's backward routes each gradient to its window's maximum: 2x2 over 19 channels") {
  constexpr std::size_t H = 5, W = 6, C = 19, OH = 2, OW = 3, batch = 2;  // the last row floored away
  using Pool = tn::MaxPooling2D<2>::bind<tn::Shape<H, W, C>>;
  static_assert(Pool::output_shape::size == OH * OW * C);
  const auto x = random_matrix(batch, H * W * C, 40);  // no ties
  const auto dout = random_matrix(batch, OH * OW * C, 41);
  std::vector<float> out(batch * OH * OW * C), winner(out.size()), din(batch * H * W * C, NAN);
  Pool::forward({.params = nullptr, .in = x.data(), .out = out.data(), .scratch = winner.data(), .batch = batch,
                 .training = true, .rng = nullptr});
  // Rectified (after a fused ReLU convolution), a window whose output is not positive passes nothing.
  for (const bool rectified : {false, true}) {
    CAPTURE(rectified);
    std::vector<float> d(dout.begin(), dout.end());
    Pool::backward({.params = nullptr, .grads = nullptr, .in = x.data(), .out = out.data(), .dout = d.data(),
                    .din = din.data(), .scratch = winner.data(), .batch = batch, .dout_is_preactivation = false,
                    .rectified = rectified});
    std::size_t routed = 0;
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t y = 0; y < H; ++y)
        for (std::size_t xx = 0; xx < W; ++xx)
          for (std::size_t c = 0; c < C; ++c) {
            const auto at = [&](std::size_t yy, std::size_t xxx) { return ((b * H + yy) * W + xxx) * C + c; };
            float expected = 0.0f;
            if (y / 2 < OH) {
              const std::size_t y0 = y / 2 * 2, x0 = xx / 2 * 2;
              const float best = std::max({x.data()[at(y0, x0)], x.data()[at(y0, x0 + 1)], x.data()[at(y0 + 1, x0)],
                                           x.data()[at(y0 + 1, x0 + 1)]});
              const std::size_t o = ((b * OH + y / 2) * OW + xx / 2) * C + c;
              if (x.data()[at(y, xx)] == best && (!rectified || out[o] > 0.0f)) expected = dout.data()[o], ++routed;
            }
            CHECK(din[at(y, xx)] == expected);
          }
    CHECK(routed > 0);
  }
}

TEST_CASE("gradient: AveragePooling2D") {
  using Net = tn::Sequential<tn::Input<7, 5, 2>, tn::Conv2D<3, 3, 3, tn::Tanh, tn::Same>, tn::AveragePooling2D<2>,
                             tn::Flatten, tn::Dense<3, tn::Softmax>>;
  require_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(3, 70, 38), one_hot_cycle(3, 3));
}

}  // namespace test_pooling2d
