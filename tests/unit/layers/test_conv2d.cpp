// Convolution: shapes and parameter counts at compile time, the forward pass against a direct
// loop written from the definition (support/reference_convolution.hpp), and gradients by finite
// differences in both paddings and with stride 2. The direct kernels that small patches run
// have their own tests (unit/detail/test_direct_conv.cpp), pooling too (test_pooling2d.cpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <type_traits>

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
