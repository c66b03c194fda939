// Convolution: shapes and parameter counts at compile time, the forward pass against a direct
// loop written from the definition (support/reference_convolution.hpp), and gradients by finite
// differences in both paddings and with stride 2. The direct kernels that small patches run
// have their own tests (unit/detail/test_direct_conv.cpp), pooling too (test_pooling2d.cpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "support/gradient_check.hpp"
#include "support/random_arrays.hpp"
#include "support/reference_convolution.hpp"
#include "typenet/typenet.hpp"

namespace test_conv2d {

namespace tn = typenet;
using tn::testing::require_gradients;
using tn::testing::one_hot_cycle;
using tn::testing::random_matrix;
using tn::testing::check_convolution_forward;

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
static_assert(W3::layer<1>::runs_direct && !W3::layer<3>::runs_direct);  // patch 9 direct, 288 im2col
static_assert(W3::layer<1>::scratch_per_sample == 0);                    // no column matrix

// ---- Forward pass against direct loops --------------------------------------------------------

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

// ---- A ReLU convolution and the 2x2 max pooling after it, in inference --------------------------
// Where the convolution runs direct or as Winograd it pools its own outputs (PoolsNextInInference,
// layers/layer.hpp); otherwise the pair runs as in training. Either way predict must equal the
// definition: max over each 2x2 window of relu(conv + bias), a last odd row and column dropped.

namespace {

template <std::size_t H, std::size_t W, std::size_t C, std::size_t F, class Pad>
void check_conv_relu_pool(double of_scale) {
  using Net = tn::Sequential<tn::Input<H, W, C>, tn::Conv2D<F, 3, 3, tn::ReLU, Pad>, tn::MaxPool2D<2>>;
  tn::Model<Net> model{3};
  auto params = model.parameters();
  tn::detail::Rng rng(6);
  for (float& p : params) p = rng.uniform(-1.0f, 1.0f);
  const std::size_t batch = 30;
  const auto x = random_matrix(batch, H * W * C, 18);
  const auto y = model.predict(x, 16);
  using Conv = typename Net::template layer<1>;
  constexpr std::size_t OH = Conv::output_shape::dims[0], OW = Conv::output_shape::dims[1];
  constexpr std::size_t PH = OH / 2, PW = OW / 2;
  static_assert(Net::output_shape::size == PH * PW * F);
  std::size_t checked_zeros = 0;
  for (std::size_t b = 0; b < batch; ++b) {
    const auto conv = tn::testing::direct_convolution(x.data() + b * H * W * C, params.data(), params.data() + 9 * C * F,
                                                      H, W, C, F, 3, 3, 1, std::is_same_v<Pad, tn::Same>);
    std::vector<float> expected(PH * PW * F);
    double scale = 0.0;  // the convolution's largest magnitude, as in test_winograd.cpp
    for (float v : conv) scale = std::max(scale, static_cast<double>(std::abs(v)));
    for (std::size_t py = 0; py < PH; ++py)
      for (std::size_t px = 0; px < PW; ++px)
        for (std::size_t f = 0; f < F; ++f) {
          float best = 0.0f;  // relu: the maximum of the rectified values
          for (std::size_t k = 0; k < 4; ++k)
            best = std::max(best, conv[((2 * py + k / 2) * OW + 2 * px + k % 2) * F + f]);
          expected[(py * PW + px) * F + f] = best;
        }
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (of_scale == 0.0)
        CHECK(y(b, i) == doctest::Approx(expected[i]).epsilon(1e-5));
      else
        CHECK(std::abs(y(b, i) - expected[i]) <= of_scale * scale);
      checked_zeros += expected[i] == 0.0f;
      if (expected[i] == 0.0f) CHECK(y(b, i) == 0.0f);  // rectified to exactly 0, as the pair
    }
  }
  CHECK(checked_zeros > 0);
}

}  // namespace

TEST_CASE("a ReLU Conv2D and a 2x2 MaxPool2D predict max(relu(conv + bias)) over each window") {
  constexpr std::size_t lanes = tn::detail::vector_lanes;
  SUBCASE("direct convolution (W3's first layer), which pools its own outputs") {
    using Net = tn::Sequential<tn::Input<28, 28, 1>, tn::Conv2D<2 * lanes, 3, 3, tn::ReLU>, tn::MaxPool2D<2>>;
    static_assert(tn::PoolsNextInInference<Net::layer<1>, Net::layer<2>>);
    check_conv_relu_pool<28, 28, 1, 2 * lanes, tn::Valid>(0.0);
    check_conv_relu_pool<9, 7, 1, lanes, tn::Same>(0.0);  // 9x7 -> 4x3, the last row and column dropped
  }
  SUBCASE("Winograd (W3's second layer), which pools its own outputs") {
    using Net = tn::Sequential<tn::Input<13, 13, 32>, tn::Conv2D<64, 3, 3, tn::ReLU>, tn::MaxPool2D<2>>;
    static_assert(tn::PoolsNextInInference<Net::layer<1>, Net::layer<2>>);
    check_conv_relu_pool<13, 13, 32, 64, tn::Valid>(1e-5);  // 11x11 -> 5x5 (test_winograd.cpp's tolerance)
    check_conv_relu_pool<10, 6, 5, 2 * lanes, tn::Same>(1e-5);
  }
  SUBCASE("im2col, where the pooling runs after the convolution") {
    using Net = tn::Sequential<tn::Input<9, 9, 8>, tn::Conv2D<3, 3, 3, tn::ReLU>, tn::MaxPool2D<2>>;
    static_assert(!tn::PoolsNextInInference<Net::layer<1>, Net::layer<2>> && tn::FusesBiasAndReLU<Net::layer<1>, Net::layer<2>>);
    check_conv_relu_pool<9, 9, 8, 3, tn::Valid>(0.0);
  }
}

// ---- Gradients ---------------------------------------------------------------------------------
// Each network puts a layer with parameters before the layer under test, so that the layer's input
// gradient (col2im) is checked too, and ends in softmax + cross-entropy.

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

}  // namespace test_conv2d
