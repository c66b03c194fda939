// Convolution and pooling: shapes and parameter counts at compile time, forward passes against
// direct loops written from the definitions, and gradients by finite differences in both
// paddings and with stride 2.
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

namespace tn = typenet;
using tn::testing::require_gradients;
using tn::testing::GradientCheckOptions;
using tn::testing::one_hot_cycle;
using tn::testing::random_matrix;

// ---- Shapes and counts, at compile time -------------------------------------------------------

// The lab's starter CNN: three blocks of Conv 2 filters 2x2 same relu + MaxPool 2 (28 -> 14 -> 7 -> 3).
using Starter = tn::Sequential<tn::Input<28, 28, 1>, tn::Conv2D<2, 2, 2, tn::ReLU, tn::Same>, tn::MaxPooling2D<2, 2>,
                               tn::Conv2D<2, 2, 2, tn::ReLU, tn::Same>, tn::MaxPooling2D<2, 2>,
                               tn::Conv2D<2, 2, 2, tn::ReLU, tn::Same>, tn::MaxPooling2D<2, 2>, tn::Flatten,
                               tn::Dense<2, tn::ReLU>, tn::Dense<10, tn::Softmax>>;
static_assert(Starter::param_count == 114);
static_assert(std::is_same_v<Starter::layer<6>::output_shape, tn::Shape<3, 3, 2>>);
static_assert(std::is_same_v<Starter::layer<2>::output_shape, tn::Shape<14, 14, 2>>);
static_assert(std::is_same_v<Starter::layer<7>::output_shape, tn::Shape<18>>);

// The benchmark's W3: valid convolutions, 28 -> 26 -> 13 -> 11 -> 5.
using W3 = tn::Sequential<tn::Input<28, 28, 1>, tn::Conv2D<32, 3, 3, tn::ReLU>, tn::MaxPool2D<2>,
                          tn::Conv2D<64, 3, 3, tn::ReLU>, tn::MaxPool2D<2>, tn::Flatten, tn::Dense<128, tn::ReLU>,
                          tn::Dropout<0.5>, tn::Dense<10, tn::Softmax>>;
static_assert(W3::layer<1>::param_count == 320 && W3::layer<3>::param_count == 18496);
static_assert(std::is_same_v<W3::layer<4>::output_shape, tn::Shape<5, 5, 64>>);
static_assert(W3::param_count == 225034);

// Same: out = ceil(in / stride); an odd total padding puts the extra pixel after the image.
using SameStride2On6 = tn::Sequential<tn::Input<6, 6, 1>, tn::Conv2D<1, 3, 3, tn::Linear, tn::Same, 2>>;
static_assert(std::is_same_v<SameStride2On6::output_shape, tn::Shape<3, 3, 1>>);
static_assert(SameStride2On6::layer<1>::window::pad_top == 0);  // total 1: (0 before, 1 after)
using SameStride2On7 = tn::Sequential<tn::Input<7, 5, 1>, tn::Conv2D<1, 3, 2, tn::Linear, tn::Same, 2>>;
static_assert(std::is_same_v<SameStride2On7::output_shape, tn::Shape<4, 3, 1>>);
static_assert(SameStride2On7::layer<1>::window::pad_top == 1);   // total 2: (1, 1)
static_assert(SameStride2On7::layer<1>::window::pad_left == 0);  // total 1: (0, 1)
using ValidStride2 = tn::Sequential<tn::Input<7, 8, 3>, tn::Conv2D<4, 3, 3, tn::Linear, tn::Valid, 2>>;
static_assert(std::is_same_v<ValidStride2::output_shape, tn::Shape<3, 3, 4>>);
static_assert(ValidStride2::param_count == 3 * 3 * 3 * 4 + 4);

// Pooling floors (7 -> 3), the short names alias the Keras ones, GlobalAveragePooling2D keeps C.
using Pools = tn::Sequential<tn::Input<7, 9, 5>, tn::AvgPool2D<2>, tn::GlobalAveragePooling2D>;
static_assert(std::is_same_v<Pools::layer<1>::output_shape, tn::Shape<3, 4, 5>>);
static_assert(std::is_same_v<Pools::output_shape, tn::Shape<5>>);
static_assert(std::is_same_v<tn::MaxPool2D<3, 2>, tn::MaxPooling2D<3, 2>>);
static_assert(std::is_same_v<tn::Sequential<tn::Input<7, 7, 1>, tn::MaxPooling2D<3, 2>>::output_shape, tn::Shape<2, 3, 1>>);

// ---- Forward passes against direct loops ------------------------------------------------------

namespace {

// Keras's padding, written out from its documentation rather than taken from the library.
struct Axis {
  std::size_t out, before;
};
Axis keras_axis(bool same, std::size_t in, std::size_t k, std::size_t s) {
  if (!same) return {(in - k) / s + 1, 0};
  const std::size_t out = (in + s - 1) / s;
  const std::size_t needed = (out - 1) * s + k;
  return {out, needed > in ? (needed - in) / 2 : 0};
}

// The six loops of a convolution of one image, x (H, W, C) and kernel (KH, KW, C, F).
std::vector<float> direct_convolution(const float* x, const float* kernel, const float* bias, std::size_t H, std::size_t W,
                                      std::size_t C, std::size_t F, std::size_t KH, std::size_t KW, std::size_t S, bool same) {
  const Axis ay = keras_axis(same, H, KH, S), ax = keras_axis(same, W, KW, S);
  std::vector<float> out(ay.out * ax.out * F);
  for (std::size_t oy = 0; oy < ay.out; ++oy)
    for (std::size_t ox = 0; ox < ax.out; ++ox)
      for (std::size_t f = 0; f < F; ++f) {
        double sum = bias[f];
        for (std::size_t ky = 0; ky < KH; ++ky)
          for (std::size_t kx = 0; kx < KW; ++kx)
            for (std::size_t c = 0; c < C; ++c) {
              const long y = static_cast<long>(oy * S + ky) - static_cast<long>(ay.before);
              const long xx = static_cast<long>(ox * S + kx) - static_cast<long>(ax.before);
              if (y < 0 || xx < 0 || y >= static_cast<long>(H) || xx >= static_cast<long>(W)) continue;
              sum += static_cast<double>(x[(y * W + xx) * C + c]) * kernel[((ky * KW + kx) * C + c) * F + f];
            }
        out[(oy * ax.out + ox) * F + f] = static_cast<float>(sum);
      }
  return out;
}

template <std::size_t H, std::size_t W, std::size_t C, std::size_t F, std::size_t KH, std::size_t KW, class Pad, std::size_t S>
void check_convolution_forward() {
  using Net = tn::Sequential<tn::Input<H, W, C>, tn::Conv2D<F, KH, KW, tn::Linear, Pad, S>>;
  tn::Model<Net> model{3};
  auto params = model.parameters();
  tn::detail::Rng rng(5);
  for (float& p : params) p = rng.uniform(-1.0f, 1.0f);  // the bias too, so it is checked
  const std::size_t batch = 3;
  const auto x = random_matrix(batch, H * W * C, 17);
  const auto y = model.predict(x);
  const std::size_t out_size = Net::output_shape::size;
  REQUIRE(y.shape()[1] == out_size);
  for (std::size_t b = 0; b < batch; ++b) {
    const auto expected = direct_convolution(x.data() + b * H * W * C, params.data(), params.data() + KH * KW * C * F, H, W,
                                             C, F, KH, KW, S, std::is_same_v<Pad, tn::Same>);
    REQUIRE(expected.size() == out_size);
    for (std::size_t i = 0; i < out_size; ++i) CHECK(y(b, i) == doctest::Approx(expected[i]).epsilon(1e-5));
  }
}

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

TEST_CASE("Conv2D forward equals a direct convolution") {
  SUBCASE("valid, stride 1, one channel") { check_convolution_forward<9, 7, 1, 4, 3, 3, tn::Valid, 1>(); }
  SUBCASE("valid, stride 1, several channels, non-square kernel") { check_convolution_forward<8, 9, 3, 5, 2, 3, tn::Valid, 1>(); }
  SUBCASE("same, stride 1") { check_convolution_forward<7, 6, 2, 3, 3, 3, tn::Same, 1>(); }
  SUBCASE("same, stride 1, even kernel") { check_convolution_forward<6, 6, 2, 3, 2, 4, tn::Same, 1>(); }
  SUBCASE("valid, stride 2") { check_convolution_forward<9, 8, 2, 3, 3, 3, tn::Valid, 2>(); }
  SUBCASE("same, stride 2, asymmetric padding") { check_convolution_forward<8, 7, 2, 3, 3, 3, tn::Same, 2>(); }
  SUBCASE("same, stride 3") { check_convolution_forward<10, 8, 1, 2, 5, 4, tn::Same, 3>(); }
  SUBCASE("1x1 kernel (no im2col)") { check_convolution_forward<5, 4, 6, 3, 1, 1, tn::Valid, 1>(); }
  SUBCASE("1x1 kernel, stride 2") { check_convolution_forward<5, 4, 3, 2, 1, 1, tn::Same, 2>(); }
  SUBCASE("im2col in chunks of images, the last one partial") {
    // 784 x 72 columns per image: two images per chunk, so the test's batch of 3 makes 2 + 1.
    static_assert(tn::Sequential<tn::Input<28, 28, 8>, tn::Conv2D<3, 3, 3, tn::Linear, tn::Same>>::layer<1>::chunk_images == 2);
    check_convolution_forward<28, 28, 8, 3, 3, 3, tn::Same, 1>();
  }
}

TEST_CASE("Conv2D applies its activation after the bias") {
  using Net = tn::Sequential<tn::Input<5, 5, 2>, tn::Conv2D<3, 3, 3, tn::ReLU, tn::Same>>;
  using Linear = tn::Sequential<tn::Input<5, 5, 2>, tn::Conv2D<3, 3, 3, tn::Linear, tn::Same>>;
  tn::Model<Net> relu{4};
  tn::Model<Linear> linear{4};
  const auto x = random_matrix(2, 50, 8);
  const auto a = relu.predict(x), b = linear.predict(x);
  std::size_t negatives = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a.data()[i] == std::max(b.data()[i], 0.0f));
    negatives += b.data()[i] < 0.0f;
  }
  CHECK(negatives > 0);
}

TEST_CASE("pooling forward equals direct loops, flooring sides the pool does not divide") {
  SUBCASE("max 2x2 on 8x6") { check_pooling_forward<tn::MaxPooling2D<2, 2>, 8, 6, 3, 2, 2>(true); }
  SUBCASE("max 2x2 on 7x7 (7 -> 3)") { check_pooling_forward<tn::MaxPooling2D<2>, 7, 7, 2, 2, 2>(true); }
  SUBCASE("max 3x2 on 7x9") { check_pooling_forward<tn::MaxPool2D<3, 2>, 7, 9, 4, 3, 2>(true); }
  SUBCASE("average 2x2 on 7x5") { check_pooling_forward<tn::AveragePooling2D<2>, 7, 5, 3, 2, 2>(false); }
  SUBCASE("average 3x3 on 9x10") { check_pooling_forward<tn::AvgPool2D<3>, 9, 10, 2, 3, 3>(false); }
}

TEST_CASE("NaN passes through ReLU and max pooling, as in Keras and PyTorch") {
  // (fit, evaluate and predict refuse a NaN in x, so the kernels are called here directly.)
  CHECK(std::isnan(tn::ReLU::value(NAN)));
  CHECK(tn::ReLU::value(-2.0f) == 0.0f);
  CHECK(tn::ReLU::value(3.0f) == 3.0f);
  // One 2x2 window of 2 channels, channel 0 holding a NaN at each place in turn: the window's
  // maximum is NaN there, and channel 1 keeps its true maximum.
  for (std::size_t at = 0; at < 4; ++at) {
    CAPTURE(at);
    float image[8] = {1, 5, 2, 6, 3, 7, 4, 8};  // (position, channel) interleaved
    image[at * 2] = NAN;
    float out[2], winner[2];
    tn::detail::MaxPool::pool<4>(image, [](std::size_t k) { return k * 2; }, out, winner, 2, nullptr);
    CHECK(std::isnan(out[0]));
    CHECK(winner[0] == static_cast<float>(at));
    CHECK(out[1] == 8.0f);
  }
}

TEST_CASE("GlobalAveragePooling2D is the mean of each channel") {
  using Net = tn::Sequential<tn::Input<3, 4, 5>, tn::GlobalAveragePooling2D>;
  tn::Model<Net> model;
  const auto x = random_matrix(2, 60, 29);
  const auto y = model.predict(x);
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t c = 0; c < 5; ++c) {
      double sum = 0.0;
      for (std::size_t p = 0; p < 12; ++p) sum += x(b, p * 5 + c);
      CHECK(y(b, c) == doctest::Approx(sum / 12.0).epsilon(1e-6));
    }
}

// ---- Gradients ---------------------------------------------------------------------------------
// Each network puts a layer with parameters before the layer under test, so that the layer's input
// gradient (col2im, the pooling routes) is checked too, and ends in softmax + cross-entropy.

TEST_CASE("gradient: Conv2D, valid padding, stride 1") {
  using Net = tn::Sequential<tn::Input<6, 6, 2>, tn::Conv2D<3, 3, 3, tn::Tanh>, tn::Conv2D<2, 2, 2, tn::Tanh>, tn::Flatten,
                             tn::Dense<4, tn::Softmax>>;
  require_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(3, 72, 31), one_hot_cycle(3, 4));
}

TEST_CASE("gradient: Conv2D, same padding, stride 1") {
  using Net = tn::Sequential<tn::Input<5, 6, 2>, tn::Conv2D<3, 3, 3, tn::Tanh, tn::Same>,
                             tn::Conv2D<2, 2, 3, tn::Sigmoid, tn::Same>, tn::Flatten, tn::Dense<4, tn::Softmax>>;
  require_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(3, 60, 32), one_hot_cycle(3, 4));
}

TEST_CASE("gradient: Conv2D, valid padding, stride 2") {
  using Net = tn::Sequential<tn::Input<9, 8, 2>, tn::Conv2D<3, 3, 3, tn::Tanh, tn::Valid, 2>,
                             tn::Conv2D<2, 2, 2, tn::Tanh, tn::Valid, 2>, tn::Flatten, tn::Dense<3, tn::Softmax>>;
  require_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(3, 144, 33), one_hot_cycle(3, 3));
}

TEST_CASE("gradient: Conv2D, same padding, stride 2 (asymmetric padding)") {
  using Net = tn::Sequential<tn::Input<8, 7, 2>, tn::Conv2D<3, 3, 3, tn::Tanh, tn::Same, 2>,
                             tn::Conv2D<2, 3, 2, tn::Tanh, tn::Same, 2>, tn::Flatten, tn::Dense<3, tn::Softmax>>;
  require_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(3, 112, 34), one_hot_cycle(3, 3));
}

TEST_CASE("gradient: Conv2D with a 1x1 kernel and with ReLU") {
  using Net = tn::Sequential<tn::Input<5, 5, 3>, tn::Conv2D<4, 3, 3, tn::ReLU, tn::Same>, tn::Conv2D<2, 1, 1, tn::Tanh>,
                             tn::Flatten, tn::Dense<3, tn::Softmax>>;
  require_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(4, 75, 35), one_hot_cycle(4, 3));
}

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

TEST_CASE("gradient: AveragePooling2D and GlobalAveragePooling2D") {
  SUBCASE("average 2x2 on 7x5") {
    using Net = tn::Sequential<tn::Input<7, 5, 2>, tn::Conv2D<3, 3, 3, tn::Tanh, tn::Same>, tn::AveragePooling2D<2>,
                               tn::Flatten, tn::Dense<3, tn::Softmax>>;
    require_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(3, 70, 38), one_hot_cycle(3, 3));
  }
  SUBCASE("global average") {
    using Net = tn::Sequential<tn::Input<6, 5, 2>, tn::Conv2D<4, 3, 3, tn::Tanh>, tn::GlobalAveragePooling2D,
                               tn::Dense<3, tn::Softmax>>;
    require_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(3, 60, 39), one_hot_cycle(3, 3));
  }
}

// ---- The direct convolution (small patches, detail/direct_conv.hpp) ---------------------------
// Layers whose patch is at most detail::direct_convolution_max_patch and whose filters fill
// whole vectors run direct instead of im2col + sgemm. The same checks as above on such layers,
// plus the direct kernels against the im2col path on the same data.

static_assert(W3::layer<1>::runs_direct && !W3::layer<3>::runs_direct);  // patch 9 direct, 288 im2col
static_assert(W3::layer<1>::scratch_per_sample == 0);                    // no column matrix
// One and a half vectors of filters (6 without AVX, 12 with AVX2, 24 with AVX-512): not whole vectors.
static_assert(!tn::Sequential<tn::Input<8, 8, 3>, tn::Conv2D<tn::detail::vector_lanes * 3 / 2, 3, 3>>::layer<1>::runs_direct);
static_assert(!tn::Sequential<tn::Input<8, 8, 64>, tn::Conv2D<16, 3, 3>>::layer<1>::runs_direct);  // patch 576

TEST_CASE("direct Conv2D forward equals a direct convolution") {
  constexpr std::size_t F = tn::detail::vector_lanes;
  static_assert(tn::Sequential<tn::Input<9, 7, 1>, tn::Conv2D<F, 3, 3>>::layer<1>::runs_direct);
  static_assert(tn::Sequential<tn::Input<10, 8, 1>, tn::Conv2D<F, 5, 4, tn::Linear, tn::Same, 3>>::layer<1>::runs_direct);
  SUBCASE("valid, stride 1, one channel") { check_convolution_forward<9, 7, 1, F, 3, 3, tn::Valid, 1>(); }
  SUBCASE("valid, stride 1, two channels, non-square kernel") { check_convolution_forward<8, 9, 2, 2 * F, 2, 3, tn::Valid, 1>(); }
  SUBCASE("same, stride 1") { check_convolution_forward<7, 6, 1, F, 3, 3, tn::Same, 1>(); }
  SUBCASE("same, stride 1, even kernel") { check_convolution_forward<6, 6, 2, F, 2, 4, tn::Same, 1>(); }
  SUBCASE("valid, stride 2") { check_convolution_forward<9, 8, 1, F, 3, 3, tn::Valid, 2>(); }
  SUBCASE("same, stride 2, asymmetric padding") { check_convolution_forward<8, 7, 1, F, 3, 3, tn::Same, 2>(); }
  SUBCASE("same, stride 3") { check_convolution_forward<10, 8, 1, F, 5, 4, tn::Same, 3>(); }
  SUBCASE("1x1 kernel") { check_convolution_forward<5, 4, 6, F, 1, 1, tn::Valid, 1>(); }
  if constexpr (tn::detail::direct_convolution_max_patch >= 36)
    SUBCASE("the largest patch, 3x3 on 4 channels") { check_convolution_forward<7, 6, 4, F, 3, 3, tn::Same, 1>(); }
}

namespace {

// The direct kernels and im2col + sgemm on the same random images, kernel and dz: forward,
// kernel gradient, bias gradient and input gradient must agree to float rounding. Each is
// compared to the largest magnitude of the im2col result (the sums run in different orders).
template <std::size_t H, std::size_t W, std::size_t C, std::size_t F, std::size_t KH, std::size_t KW, class Pad, std::size_t S>
void check_direct_against_im2col() {
  using Window = tn::detail::SlidingWindow<tn::Shape<H, W, C>, Pad, KH, KW, S>;
  using Im2col = tn::detail::Im2col<Window>;
  using Direct = tn::detail::DirectConvolution<Window, F>;
  using tn::detail::Transpose;
  const std::size_t batch = 5, rows = batch * Window::out_pixels, patch = Im2col::patch;
  const auto x = random_matrix(batch, H * W * C, 41), kernel = random_matrix(patch, F, 42), dz = random_matrix(rows, F, 43);
  std::vector<float> columns(rows * patch), out_gemm(rows * F), out_direct(rows * F);
  Im2col::batch_to_columns(x.data(), columns.data(), batch);
  tn::detail::gemm(Transpose::no, Transpose::no, rows, F, patch, columns.data(), kernel.data(), out_gemm.data());
  Direct::forward(x.data(), kernel.data(), out_direct.data(), batch);

  std::vector<float> kgrad_gemm(patch * F), kgrad_direct(patch * F), bias_gemm(F), bias_direct(F);
  tn::detail::gemm(Transpose::yes, Transpose::no, patch, F, rows, columns.data(), dz.data(), kgrad_gemm.data());
  tn::detail::sum_rows(dz.data(), bias_gemm.data(), rows, F);
  Direct::kernel_gradient(x.data(), dz.data(), kgrad_direct.data(), bias_direct.data(), batch);

  std::vector<float> din_gemm(batch * H * W * C), din_direct(din_gemm.size(), 123.0f);  // direct must overwrite
  tn::detail::gemm(Transpose::no, Transpose::yes, rows, patch, F, dz.data(), kernel.data(), columns.data());
  Im2col::columns_to_batch(columns.data(), din_gemm.data(), batch);
  Direct::input_gradient(dz.data(), kernel.data(), din_direct.data(), batch);

  auto agree = [](const std::vector<float>& expected, const std::vector<float>& got, const char* what) {
    double scale = 0.0, worst = 0.0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      scale = std::max(scale, static_cast<double>(std::abs(expected[i])));
      worst = std::max(worst, static_cast<double>(std::abs(expected[i] - got[i])));
    }
    INFO(what << ": largest difference " << worst << " for values up to " << scale);
    CHECK(scale > 0.1);
    CHECK(worst <= 1e-5 * scale);
  };
  agree(out_gemm, out_direct, "forward");
  agree(kgrad_gemm, kgrad_direct, "kernel gradient");
  agree(bias_gemm, bias_direct, "bias gradient");
  agree(din_gemm, din_direct, "input gradient");
}

}  // namespace

TEST_CASE("direct convolution kernels agree with im2col + sgemm") {
  constexpr std::size_t F = tn::detail::vector_lanes;
  SUBCASE("W3's first layer: 28x28x1, 3x3, valid") { check_direct_against_im2col<28, 28, 1, 2 * F, 3, 3, tn::Valid, 1>(); }
  SUBCASE("same, stride 1, two channels") { check_direct_against_im2col<9, 7, 2, F, 3, 3, tn::Same, 1>(); }
  SUBCASE("valid, stride 2") { check_direct_against_im2col<9, 8, 1, F, 3, 3, tn::Valid, 2>(); }
  SUBCASE("same, stride 2, asymmetric padding") { check_direct_against_im2col<8, 7, 2, F, 3, 2, tn::Same, 2>(); }
  SUBCASE("same, stride 3, 5x4 kernel") { check_direct_against_im2col<10, 8, 1, 2 * F, 5, 4, tn::Same, 3>(); }
  SUBCASE("1x1 kernel on 16 channels") { check_direct_against_im2col<5, 4, 16, F, 1, 1, tn::Valid, 1>(); }
  if constexpr (tn::detail::direct_convolution_max_patch >= 36)
    SUBCASE("the largest patch, 3x3 on 4 channels") { check_direct_against_im2col<7, 6, 4, F, 3, 3, tn::Same, 1>(); }
}

// A direct layer first (kernel and bias gradients) and second (its input gradient is needed by
// the im2col layer before it), in both paddings and at stride 2; and fused with max pooling.
TEST_CASE("gradient: direct Conv2D, valid padding, stride 1") {
  constexpr std::size_t F = tn::detail::vector_lanes;
  using Net = tn::Sequential<tn::Input<7, 6, 1>, tn::Conv2D<F, 3, 3, tn::Tanh>, tn::Flatten, tn::Dense<3, tn::Softmax>>;
  static_assert(Net::layer<1>::runs_direct);
  require_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(3, 42, 51), one_hot_cycle(3, 3));
  using Second = tn::Sequential<tn::Input<7, 6, 2>, tn::Conv2D<2, 2, 2, tn::Tanh, tn::Same>, tn::Conv2D<F, 3, 3, tn::Tanh>,
                                tn::Flatten, tn::Dense<3, tn::Softmax>>;
  static_assert(!Second::layer<1>::runs_direct && Second::layer<2>::runs_direct);
  require_gradients<Second>(tn::CategoricalCrossentropy{}, random_matrix(3, 84, 52), one_hot_cycle(3, 3));
}

TEST_CASE("gradient: direct Conv2D, same padding, stride 1") {
  constexpr std::size_t F = tn::detail::vector_lanes;
  using Net = tn::Sequential<tn::Input<5, 6, 2>, tn::Conv2D<2, 3, 3, tn::Tanh, tn::Same>,
                             tn::Conv2D<F, 3, 2, tn::Sigmoid, tn::Same>, tn::Flatten, tn::Dense<4, tn::Softmax>>;
  static_assert(Net::layer<2>::runs_direct);
  require_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(3, 60, 53), one_hot_cycle(3, 4));
}

TEST_CASE("gradient: direct Conv2D, stride 2, valid and same (asymmetric) padding") {
  constexpr std::size_t F = tn::detail::vector_lanes;
  using Valid = tn::Sequential<tn::Input<9, 8, 2>, tn::Conv2D<2, 2, 2, tn::Tanh, tn::Same>,
                               tn::Conv2D<F, 3, 3, tn::Tanh, tn::Valid, 2>, tn::Flatten, tn::Dense<3, tn::Softmax>>;
  static_assert(Valid::layer<2>::runs_direct);
  require_gradients<Valid>(tn::CategoricalCrossentropy{}, random_matrix(3, 144, 54), one_hot_cycle(3, 3));
  using Same = tn::Sequential<tn::Input<8, 7, 1>, tn::Conv2D<2, 3, 3, tn::Tanh, tn::Same>,
                              tn::Conv2D<F, 3, 2, tn::Tanh, tn::Same, 2>, tn::Flatten, tn::Dense<3, tn::Softmax>>;
  static_assert(Same::layer<2>::runs_direct);
  require_gradients<Same>(tn::CategoricalCrossentropy{}, random_matrix(3, 56, 55), one_hot_cycle(3, 3));
}

TEST_CASE("gradient: direct Conv2D with ReLU fused into max pooling, as in W3") {
  constexpr std::size_t F = tn::detail::vector_lanes;
  // Small, so that few windows have a runner-up or a pre-activation within the step of the
  // winner or of 0 (a kink the finite difference would straddle).
  using Net = tn::Sequential<tn::Input<6, 6, 1>, tn::Conv2D<F, 3, 3, tn::ReLU>, tn::MaxPool2D<2>,
                             tn::Conv2D<3, 2, 2, tn::Tanh>, tn::Flatten, tn::Dense<3, tn::Softmax>>;
  static_assert(Net::layer<1>::runs_direct && tn::FusesBiasAndReLU<Net::layer<1>, Net::layer<2>>);
  require_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(3, 36, 56), one_hot_cycle(3, 3));
}
