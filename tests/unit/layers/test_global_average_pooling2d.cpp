// GlobalAveragePooling2D: it keeps the channels (after a pooling too), its forward pass is the
// mean of each channel, and its gradient by finite differences.
#include <doctest/doctest.h>

#include <cstddef>
#include <type_traits>

#include <xtensor/xtensor.hpp>

#include "support/gradient_check.hpp"
#include "support/random_arrays.hpp"
#include "typenet/typenet.hpp"

namespace test_global_average_pooling2d {

namespace tn = typenet;
using tn::testing::require_gradients;
using tn::testing::one_hot_cycle;
using tn::testing::random_matrix;

using Pools = tn::Sequential<tn::Input<7, 9, 5>, tn::AvgPool2D<2>, tn::GlobalAveragePooling2D>;
static_assert(std::is_same_v<Pools::output_shape, tn::Shape<5>>);

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

TEST_CASE("gradient: GlobalAveragePooling2D") {
  // After a convolution, so that its input gradient is checked too.
  using Net = tn::Sequential<tn::Input<6, 5, 2>, tn::Conv2D<4, 3, 3, tn::Tanh>, tn::GlobalAveragePooling2D,
                             tn::Dense<3, tn::Softmax>>;
  require_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(3, 60, 39), one_hot_cycle(3, 3));
}

}  // namespace test_global_average_pooling2d
