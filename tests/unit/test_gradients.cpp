// Finite-difference checks: the analytic gradient of every layer, activation and loss must
// match central differences of the loss the model computes itself.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "../support/gradient_check.hpp"
#include "../support/random_arrays.hpp"
#include "typenet/typenet.hpp"

namespace tn = typenet;
using tn::testing::check_gradients;
using tn::testing::one_hot_cycle;
using tn::testing::random_matrix;

namespace {

template <class Act>
using DenseNet = tn::Sequential<tn::Input<6>, tn::Dense<5, Act>, tn::Dense<3, Act>>;

}  // namespace

TEST_CASE("gradient: Dense with every activation, mean squared error") {
  const auto x = random_matrix(4, 6, 1);
  const auto y = random_matrix(4, 3, 2, 0.0f, 1.0f);
  SUBCASE("linear") { check_gradients<DenseNet<tn::Linear>>(tn::MeanSquaredError{}, x, y); }
  SUBCASE("sigmoid") { check_gradients<DenseNet<tn::Sigmoid>>(tn::MeanSquaredError{}, x, y); }
  SUBCASE("relu") { check_gradients<DenseNet<tn::ReLU>>(tn::MeanSquaredError{}, x, y); }
  SUBCASE("tanh") { check_gradients<DenseNet<tn::Tanh>>(tn::MeanSquaredError{}, x, y); }
  SUBCASE("softmax (full Jacobian)") { check_gradients<DenseNet<tn::Softmax>>(tn::MeanSquaredError{}, x, y); }
}

TEST_CASE("gradient: softmax + categorical cross-entropy") {
  using Net = tn::Sequential<tn::Input<6>, tn::Dense<5, tn::Tanh>, tn::Dense<4, tn::Softmax>>;
  const auto x = random_matrix(5, 6, 3, -2.0f, 2.0f);
  SUBCASE("one-hot targets (fused p - t)") { check_gradients<Net>(tn::CategoricalCrossentropy{}, x, one_hot_cycle(5, 4)); }
  SUBCASE("sparse targets") {
    const xt::xtensor<int, 1> labels = {0, 3, 1, 2, 3};
    check_gradients<Net>(tn::SparseCategoricalCrossentropy{}, x, tn::Labels(labels));
  }
  SUBCASE("softmax as its own Activation layer") {
    using Split = tn::Sequential<tn::Input<6>, tn::Dense<5, tn::ReLU>, tn::Dense<4>, tn::Activation<tn::Softmax>>;
    check_gradients<Split>(tn::CategoricalCrossentropy{}, x, one_hot_cycle(5, 4));
  }
  SUBCASE("softmax not last: the unfused cross-entropy gradient") {
    using Unfused = tn::Sequential<tn::Input<6>, tn::Dense<4, tn::Softmax>, tn::Dropout<0.0>>;
    check_gradients<Unfused>(tn::CategoricalCrossentropy{}, x, one_hot_cycle(5, 4));
  }
}

TEST_CASE("gradient: sigmoid + binary cross-entropy") {
  const auto x = random_matrix(6, 6, 4, -2.0f, 2.0f);
  SUBCASE("one unit") {
    using Net = tn::Sequential<tn::Input<6>, tn::Dense<4, tn::ReLU>, tn::Dense<1, tn::Sigmoid>>;
    const xt::xtensor<float, 1> y = {0, 1, 1, 0, 1, 0};
    check_gradients<Net>(tn::BinaryCrossentropy{}, x, tn::Labels(y));
  }
  SUBCASE("three units, unfused through a linear output") {
    using Net = tn::Sequential<tn::Input<6>, tn::Dense<3, tn::Sigmoid>, tn::Activation<tn::Linear>>;
    check_gradients<Net>(tn::BinaryCrossentropy{}, x, random_matrix(6, 3, 5, 0.0f, 1.0f));
  }
}

TEST_CASE("gradient: dropout (same masks in every pass)") {
  using Net = tn::Sequential<tn::Input<6>, tn::Dense<8, tn::Sigmoid>, tn::Dropout<0.5>, tn::Dense<3, tn::Softmax>>;
  check_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(5, 6, 6), one_hot_cycle(5, 3));
}

TEST_CASE("gradient: Flatten and a nested block") {
  using Block = tn::Sequential<tn::Dense<4, tn::Tanh>, tn::Dropout<0.25>>;
  using Net = tn::Sequential<tn::Input<2, 3, 1>, tn::Flatten, Block, tn::Dense<3, tn::Softmax>>;
  check_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(4, 6, 7), one_hot_cycle(4, 3));
}

TEST_CASE("dropout: rate of zeros and scaling in training, identity in inference") {
  using Net = tn::Sequential<tn::Input<1000>, tn::Dropout<0.3>>;
  using L = Net::layer<1>;
  const auto x = random_matrix(2, 1000, 8, 0.5f, 1.0f);
  std::vector<float> out(2000), mask(2000);
  tn::detail::Rng rng(3);
  L::forward({nullptr, x.data(), out.data(), mask.data(), 2, true, &rng});
  std::size_t zeros = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == 0.0f) ++zeros;
    else CHECK(out[i] == doctest::Approx(x.data()[i] / 0.7f).epsilon(1e-6));
  }
  CHECK(zeros > 520);  // 600 expected; 4 standard deviations is about 80
  CHECK(zeros < 680);
  L::forward({nullptr, x.data(), out.data(), mask.data(), 2, false, &rng});
  for (std::size_t i = 0; i < out.size(); ++i) CHECK(out[i] == x.data()[i]);
}
