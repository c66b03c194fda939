// network/sequential.hpp: a nested block is spliced into its parent, and gradients flow through it
// and through Flatten.
#include <doctest/doctest.h>

#include <xtensor/xtensor.hpp>

#include "support/gradient_check.hpp"
#include "support/random_arrays.hpp"
#include "typenet/typenet.hpp"

namespace test_sequential {

namespace tn = typenet;
using tn::testing::require_gradients;
using tn::testing::one_hot_cycle;
using tn::testing::random_matrix;

TEST_CASE("gradient: Flatten and a nested block") {
  using Block = tn::Sequential<tn::Dense<4, tn::Tanh>, tn::Dropout<0.25>>;
  using Net = tn::Sequential<tn::Input<2, 3, 1>, tn::Flatten, Block, tn::Dense<3, tn::Softmax>>;
  require_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(4, 6, 7), one_hot_cycle(4, 3));
}

}  // namespace test_sequential
