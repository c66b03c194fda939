// The direct convolution (detail/direct_conv.hpp): layers whose patch is at most
// detail::direct_convolution_max_patch and whose filters fill whole vectors run it instead of
// im2col + sgemm. Such layers against the reference convolution (support/reference_convolution.hpp)
// and by finite differences, and the direct kernels against the im2col path on the same data.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "support/gradient_check.hpp"
#include "support/random_arrays.hpp"
#include "support/reference_convolution.hpp"
#include "typenet/typenet.hpp"

namespace test_direct_conv {

namespace tn = typenet;
using tn::testing::require_gradients;
using tn::testing::one_hot_cycle;
using tn::testing::random_matrix;
using tn::testing::check_convolution_forward;

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

}  // namespace test_direct_conv
