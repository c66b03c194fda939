// One and two optimizer steps against values worked out from Keras 3's update rules
// (w = [1, -2], g = [0.5, -0.25], the same gradient twice; the arithmetic is in the comments).
#include <doctest/doctest.h>

#include <vector>

#include "typenet/training/optimizers.hpp"

namespace tn = typenet;

namespace {
std::vector<float> two_steps(tn::Optimizer optimizer) {
  std::vector<float> w = {1.0f, -2.0f};
  const std::vector<float> g = {0.5f, -0.25f};
  tn::OptimizerState state(optimizer, w.size());
  state.apply(w.data(), g.data(), w.size());
  state.apply(w.data(), g.data(), w.size());
  CHECK(state.iterations() == 2);
  return w;
}
}  // namespace

TEST_CASE("SGD: plain, momentum and Nesterov") {
  // w -= 0.01 * g, twice.
  auto w = two_steps(tn::SGD{});
  CHECK(w[0] == doctest::Approx(0.99).epsilon(1e-6));
  CHECK(w[1] == doctest::Approx(-1.995).epsilon(1e-6));
  // m = 0.9 m - 0.1 g: m1 = -0.05, m2 = -0.095; w = 1 - 0.05 - 0.095.
  w = two_steps(tn::SGD{.learning_rate = 0.1, .momentum = 0.9});
  CHECK(w[0] == doctest::Approx(0.855).epsilon(1e-6));
  CHECK(w[1] == doctest::Approx(-1.9275).epsilon(1e-6));
  // Nesterov: w += 0.9 m - 0.1 g: 1 - 0.095 - 0.1355.
  w = two_steps(tn::SGD{.learning_rate = 0.1, .momentum = 0.9, .nesterov = true});
  CHECK(w[0] == doctest::Approx(0.7695).epsilon(1e-6));
  CHECK(w[1] == doctest::Approx(-1.88475).epsilon(1e-6));
}

TEST_CASE("RMSprop: Keras defaults, epsilon inside the square root") {
  // v1 = 0.1 g^2 = 0.025, w1 = 1 - 0.001 * 0.5 / sqrt(0.025 + 1e-7); v2 = 0.0475, ...
  auto w = two_steps(tn::RMSprop{});
  CHECK(w[0] == doctest::Approx(0.9945435737).epsilon(1e-6));
  CHECK(w[1] == doctest::Approx(-1.9945435999).epsilon(1e-6));
  // With momentum 0.5 and lr 0.01: m = 0.5 m + lr g / sqrt(v + eps); w -= m.
  w = two_steps(tn::RMSprop{.learning_rate = 0.01, .momentum = 0.5});
  CHECK(w[0] == doctest::Approx(0.9296243807).epsilon(1e-6));
  CHECK(w[1] == doctest::Approx(-1.9296247378).epsilon(1e-6));
}

TEST_CASE("Adam: Keras defaults with bias-corrected step size") {
  // alpha_t = 0.001 sqrt(1 - 0.999^t) / (1 - 0.9^t); each step moves w by about alpha_t * sign(g).
  auto w = two_steps(tn::Adam{});
  CHECK(w[0] == doctest::Approx(0.9980000108).epsilon(1e-6));
  CHECK(w[1] == doctest::Approx(-1.9980000216).epsilon(1e-6));
  w = two_steps(tn::Adam{0.001, 0.9, 0.999, 1e-7});  // the positional form spells the same defaults
  CHECK(w[0] == doctest::Approx(0.9980000108).epsilon(1e-6));
}
