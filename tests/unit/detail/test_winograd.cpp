// Winograd's F(4x4, 3x3) (detail/winograd.hpp), which Conv2D runs in inference for 3x3 stride-1
// kernels: against the six loops of the convolution summed in double
// (support/reference_convolution.hpp), in both paddings, over sides that are not multiples of the
// 4x4 tile, channel counts that are not whole vectors, and batches whose tiles span several
// groups; through a layer's predict; and with a kernel changed in place between calls (the
// transformed kernels are cached).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "support/random_arrays.hpp"
#include "support/reference_convolution.hpp"
#include "typenet/typenet.hpp"

namespace test_winograd {

namespace tn = typenet;
using tn::testing::random_matrix;
namespace winograd = tn::detail::winograd;

constexpr std::size_t lanes = tn::detail::vector_lanes, F = 4 * lanes;  // the GEMM's widest block

// Where Conv2D takes it: 3x3, stride 1, whole vectors of filters, a patch too large to run direct.
static_assert(tn::Sequential<tn::Input<13, 13, 32>, tn::Conv2D<64, 3, 3, tn::ReLU>>::layer<1>::runs_winograd);
static_assert(tn::Sequential<tn::Input<13, 13, 32>, tn::Conv2D<F, 3, 3, tn::ReLU, tn::Same>>::layer<1>::runs_winograd);
static_assert(!tn::Sequential<tn::Input<13, 13, 32>, tn::Conv2D<F, 3, 3, tn::ReLU, tn::Valid, 2>>::layer<1>::runs_winograd);
static_assert(!tn::Sequential<tn::Input<13, 13, 32>, tn::Conv2D<F, 5, 5>>::layer<1>::runs_winograd);
static_assert(tn::Sequential<tn::Input<13, 13, 32>, tn::Conv2D<lanes, 3, 3>>::layer<1>::runs_winograd);
static_assert(!tn::Sequential<tn::Input<13, 13, 32>, tn::Conv2D<F + 1, 3, 3>>::layer<1>::runs_winograd);
static_assert(!tn::Sequential<tn::Input<28, 28, 1>, tn::Conv2D<F, 3, 3>>::layer<1>::runs_winograd);  // runs direct

// The largest difference from the reference over the largest reference magnitude. Winograd's
// transforms scale values by up to 8 and 1/24 before they cancel, so its rounding is larger than a
// plain sum's: 3.4e-6 to 4.1e-6 of the scale in these cases (30 to 35 float epsilons; F(4x4, 3x3)'s
// usual order), against 1e-7 for im2col + sgemm. 1e-5 is about 80 epsilons.
constexpr double tolerance = 1e-5;

void check_against_reference(std::size_t H, std::size_t W, std::size_t C, std::size_t filters, bool same,
                             std::size_t batch, std::uint64_t seed) {
  const tn::detail::WindowGeometry g{H, W, C, 3, 3, 1, 1, same ? 1u : 0u, same ? 1u : 0u,
                                     same ? H : H - 2, same ? W : W - 2};
  const auto x = random_matrix(batch, H * W * C, seed), kernel = random_matrix(9 * C, filters, seed + 1);
  const std::size_t out_size = g.out_pixels() * filters;
  std::vector<float> out(batch * out_size, 123.0f), zero_bias(filters, 0.0f);  // every output is overwritten
  winograd::forward(g, x.data(), kernel.data(), filters, out.data(), batch);
  double scale = 0.0, worst = 0.0;
  for (std::size_t b = 0; b < batch; ++b) {
    const auto expected = tn::testing::direct_convolution(x.data() + b * H * W * C, kernel.data(), zero_bias.data(), H, W,
                                                          C, filters, 3, 3, 1, same);
    REQUIRE(expected.size() == out_size);
    for (std::size_t i = 0; i < out_size; ++i) {
      scale = std::max(scale, static_cast<double>(std::abs(expected[i])));
      worst = std::max(worst, static_cast<double>(std::abs(expected[i] - out[b * out_size + i])));
    }
  }
  const std::string shape = std::to_string(H) + "x" + std::to_string(W) + "x" + std::to_string(C) + " -> " +
                            std::to_string(filters) + " filters, " + (same ? "same" : "valid") + ", batch " +
                            std::to_string(batch);
  INFO(shape << ": largest difference " << worst << " for values up to " << scale);
  CHECK(scale > 1.0);
  CHECK(worst <= tolerance * scale);
}

TEST_CASE("Winograd F(4x4, 3x3) equals the convolution's sum") {
  SUBCASE("W3's second layer: 13x13x32, valid, 11x11 outputs (tiles cut at the edge)") {
    check_against_reference(13, 13, 32, 64, false, 5, 61);
  }
  SUBCASE("same padding, sides that are no multiple of 4") { check_against_reference(7, 10, 16, F, true, 3, 62); }
  SUBCASE("channels that are not whole vectors: 3 and 19") {
    check_against_reference(9, 9, 3, F, true, 2, 63);
    check_against_reference(6, 8, 19, F, false, 4, 64);
  }
  SUBCASE("two blocks of 4 vectors of filters") { check_against_reference(8, 8, 8, 2 * F, true, 2, 65); }
  SUBCASE("blocks of 2 vectors and of 1 vector of filters") {
    check_against_reference(8, 9, 8, 2 * lanes, true, 3, 68);
    check_against_reference(8, 9, 8, 6 * lanes, false, 3, 69);  // 6 vectors: blocks of 2
    check_against_reference(11, 5, 7, lanes, true, 5, 70);
    check_against_reference(11, 5, 7, 3 * lanes, true, 5, 71);  // 3 vectors: blocks of 1
  }
  SUBCASE("one output pixel per image, 30 images: tiles of many images in one group") {
    check_against_reference(3, 3, 5, F, false, 30, 66);
  }
  SUBCASE("a batch whose tiles fill several groups and a short last one") {
    check_against_reference(12, 12, 4, F, true, 11, 67);
  }
}

TEST_CASE("Winograd sees a kernel changed in place (its transformed kernels are cached)") {
  const tn::detail::WindowGeometry g{6, 6, 8, 3, 3, 1, 1, 1, 1, 6, 6};
  const auto x = random_matrix(2, 6 * 6 * 8, 71);
  auto kernel = random_matrix(9 * 8, F, 72);
  std::vector<float> first(2 * 36 * F), second(2 * 36 * F), zero_bias(F, 0.0f);
  winograd::forward(g, x.data(), kernel.data(), F, first.data(), 2);
  kernel(32, 3) += 0.5f;  // the centre tap of channel 0, filter 3: every output of filter 3 moves
  winograd::forward(g, x.data(), kernel.data(), F, second.data(), 2);
  const auto expected = tn::testing::direct_convolution(x.data(), kernel.data(), zero_bias.data(), 6, 6, 8, F, 3, 3, 1, true);
  double scale = 0.0, worst = 0.0;
  for (std::size_t i = 0; i < 36 * F; ++i) {
    scale = std::max(scale, static_cast<double>(std::abs(expected[i])));
    worst = std::max(worst, static_cast<double>(std::abs(expected[i] - second[i])));
  }
  CHECK(worst <= tolerance * scale);
  CHECK(first[3] != doctest::Approx(second[3]).epsilon(1e-3));
}

TEST_CASE("a Conv2D that runs Winograd predicts its convolution, and trains on im2col alike") {
  using Net = tn::Sequential<tn::Input<9, 7, 6>, tn::Conv2D<F, 3, 3, tn::Linear, tn::Same>>;
  static_assert(Net::layer<1>::runs_winograd);
  tn::testing::check_convolution_forward<9, 7, 6, F, 3, 3, tn::Same, 1>(tolerance);
  tn::testing::check_convolution_forward<11, 11, 32, F, 3, 3, tn::Valid, 1>(tolerance);
  // evaluate's loss runs the inference forward (Winograd), compute_gradients' the training one
  // (im2col); on the same weights and data their losses agree.
  tn::Model<tn::Sequential<tn::Input<9, 7, 6>, tn::Conv2D<F, 3, 3, tn::ReLU, tn::Same>, tn::Flatten, tn::Dense<3, tn::Softmax>>>
      model{4};
  model.compile(tn::SGD{}, tn::CategoricalCrossentropy{});
  const auto x = random_matrix(8, 9 * 7 * 6, 81);
  const auto y = tn::testing::one_hot_cycle(8, 3);
  const double training_loss = model.compute_gradients(x, y);
  CHECK(model.evaluate(x, y).loss == doctest::Approx(training_loss).epsilon(1e-5));
}

}  // namespace test_winograd
