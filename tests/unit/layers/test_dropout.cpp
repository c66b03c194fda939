// layers/dropout.hpp: the gradient through dropout's masks, and the masks themselves.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "support/gradient_check.hpp"
#include "support/random_arrays.hpp"
#include "typenet/typenet.hpp"

namespace test_dropout {

namespace tn = typenet;
using tn::testing::require_gradients;
using tn::testing::one_hot_cycle;
using tn::testing::random_matrix;

TEST_CASE("gradient: dropout (same masks in every pass)") {
  using Net = tn::Sequential<tn::Input<6>, tn::Dense<8, tn::Sigmoid>, tn::Dropout<0.5>, tn::Dense<3, tn::Softmax>>;
  require_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(5, 6, 6), one_hot_cycle(5, 3));
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

}  // namespace test_dropout
