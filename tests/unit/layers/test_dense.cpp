// layers/dense.hpp and layers/activations.hpp: the analytic gradient of Dense with every
// activation must match central differences of the loss the model computes itself.
#include <doctest/doctest.h>

#include <xtensor/xtensor.hpp>

#include "support/gradient_check.hpp"
#include "support/random_arrays.hpp"
#include "typenet/typenet.hpp"

namespace test_dense {

namespace tn = typenet;
using tn::testing::require_gradients;
using tn::testing::one_hot_cycle;
using tn::testing::random_matrix;

namespace {

template <class Act>
using DenseNet = tn::Sequential<tn::Input<6>, tn::Dense<5, Act>, tn::Dense<3, Act>>;

}  // namespace

TEST_CASE("gradient: Dense with every activation, mean squared error") {
  const auto x = random_matrix(4, 6, 1);
  const auto y = random_matrix(4, 3, 2, 0.0f, 1.0f);
  SUBCASE("linear") { require_gradients<DenseNet<tn::Linear>>(tn::MeanSquaredError{}, x, y); }
  SUBCASE("sigmoid") { require_gradients<DenseNet<tn::Sigmoid>>(tn::MeanSquaredError{}, x, y); }
  SUBCASE("relu") { require_gradients<DenseNet<tn::ReLU>>(tn::MeanSquaredError{}, x, y); }
  SUBCASE("tanh") { require_gradients<DenseNet<tn::Tanh>>(tn::MeanSquaredError{}, x, y); }
  SUBCASE("softmax (full Jacobian)") { require_gradients<DenseNet<tn::Softmax>>(tn::MeanSquaredError{}, x, y); }
}

}  // namespace test_dense
