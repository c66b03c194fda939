// One and two optimizer steps against values worked out from Keras 3's update rules
// (w = [1, -2], g = [0.5, -0.25], the same gradient twice; the arithmetic is in the comments).
#include <doctest/doctest.h>

#include <filesystem>
#include <vector>

#include "support/random_arrays.hpp"
#include "typenet/training/optimizers.hpp"
#include "typenet/typenet.hpp"

namespace test_optimizers {

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

namespace {

// Adam written as a user would (OptimizerRule): fit must follow the built-in Adam exactly.
struct UserAdam {
  static constexpr std::string_view name = "UserAdam";
  tn::LearningRate learning_rate = 0.001;
  double beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-7;
  std::size_t slot_count() const { return 2; }
  void update(float* w, const float* g, std::span<float* const> slots, std::size_t n, double rate, std::size_t step) const {
    const double t = static_cast<double>(step);
    const float alpha = static_cast<float>(rate * std::sqrt(1.0 - std::pow(beta_2, t)) / (1.0 - std::pow(beta_1, t)));
    const float one_minus_b1 = static_cast<float>(1.0 - beta_1), one_minus_b2 = static_cast<float>(1.0 - beta_2);
    float* m = slots[0];
    float* v = slots[1];
    for (std::size_t i = 0; i < n; ++i) {
      m[i] += (g[i] - m[i]) * one_minus_b1;
      v[i] += (g[i] * g[i] - v[i]) * one_minus_b2;
      w[i] -= alpha * m[i] / (std::sqrt(v[i]) + static_cast<float>(epsilon));
    }
  }
};

struct Greedy {  // asks for more slots than typenet keeps
  static constexpr std::string_view name = "Greedy";
  tn::LearningRate learning_rate = 0.1;
  std::size_t slot_count() const { return 9; }
  void update(float*, const float*, std::span<float* const>, std::size_t, double, std::size_t) const {}
};

}  // namespace

static_assert(tn::OptimizerRule<UserAdam> && !tn::OptimizerRule<tn::Adam> && !tn::OptimizerRule<int>);

TEST_CASE("a user's optimizer: fit follows the built-in Adam it re-implements, to the last bit, on split batches") {
  using Net = tn::Sequential<tn::Input<6>, tn::Dense<16, tn::ReLU>, tn::Dense<3, tn::Softmax>>;
  const auto x = tn::testing::random_matrix(300, 6, 31);
  const auto y = tn::testing::one_hot_cycle(300, 3);
  tn::Model<Net> builtin{2}, user{2};
  builtin.compile(tn::Adam{.learning_rate = 0.01}, tn::CategoricalCrossentropy{});
  user.compile(UserAdam{.learning_rate = 0.01}, tn::CategoricalCrossentropy{});
  // Batches of 128 are split between two workers: the user's update gets their summed gradient.
  builtin.fit(x, y, {.batch_size = 128, .epochs = 3, .verbose = 0});
  user.fit(x, y, {.batch_size = 128, .epochs = 3, .verbose = 0});
  CHECK(std::equal(builtin.parameters().begin(), builtin.parameters().end(), user.parameters().begin()));
  CHECK(user.optimizer().iterations() == 9);
  CHECK(user.optimizer().slots() == 2);
  CHECK(std::equal(builtin.optimizer().slot(1).begin(), builtin.optimizer().slot(1).end(), user.optimizer().slot(1).begin()));
}

TEST_CASE("a user's optimizer: its learning rate is set, scheduled and saved as typenet's own are") {
  using Net = tn::Sequential<tn::Input<6>, tn::Dense<4, tn::Tanh>, tn::Dense<3, tn::Softmax>>;
  const auto x = tn::testing::random_matrix(64, 6, 41);
  const auto y = tn::testing::one_hot_cycle(64, 3);
  tn::Model<Net> model{4};
  model.compile(UserAdam{}, tn::CategoricalCrossentropy{});
  CHECK(model.optimizer().learning_rate() == doctest::Approx(0.001));
  model.optimizer().set_learning_rate(0.02);
  model.fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0});

  const auto path = std::filesystem::temp_directory_path() / "typenet_test_user_adam.typenet";
  model.save(path);
  CHECK_THROWS_WITH(tn::Model<Net>::load(path), doctest::Contains("unknown optimizer 'UserAdam'"));
  auto loaded = tn::Model<Net>::load(path, {.optimizers = {UserAdam{}}});
  CHECK(loaded.optimizer().learning_rate() == doctest::Approx(0.02));  // the saved rate, not the object's
  CHECK(loaded.optimizer().iterations() == 8);
  model.fit(x, y, {.batch_size = 16, .epochs = 1, .verbose = 0});
  loaded.fit(x, y, {.batch_size = 16, .epochs = 1, .verbose = 0});
  CHECK(std::equal(model.parameters().begin(), model.parameters().end(), loaded.parameters().begin()));
  std::filesystem::remove(path);

  auto scheduled = tn::ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 10, .decay_rate = 0.5});
  model.compile(UserAdam{.learning_rate = scheduled}, tn::CategoricalCrossentropy{});
  model.fit(x, y, {.batch_size = 16, .epochs = 5, .verbose = 0});  // 20 steps
  CHECK(model.optimizer().learning_rate() == doctest::Approx(0.025));
  CHECK_THROWS_AS(model.optimizer().set_learning_rate(0.1), std::logic_error);

  CHECK_THROWS_WITH_AS(model.compile(Greedy{}, tn::CategoricalCrossentropy{}), doctest::Contains("at most 8"),
                       std::invalid_argument);
}

}  // namespace test_optimizers
