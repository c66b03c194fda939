// training/losses.hpp: the losses' gradients against central differences, fused with the output
// activation (p - t) and not.
#include <doctest/doctest.h>

#include <xtensor/xtensor.hpp>

#include "support/gradient_check.hpp"
#include "support/random_arrays.hpp"
#include "typenet/typenet.hpp"

namespace tn = typenet;
using tn::testing::check_gradients;
using tn::testing::one_hot_cycle;
using tn::testing::random_matrix;

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
