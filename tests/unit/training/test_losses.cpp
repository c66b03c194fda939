// training/losses.hpp: the losses' gradients against central differences, fused with the output
// activation (p - t) and not; a user's loss (LossFunction) in compile, fit, evaluate, save and load.
#include <doctest/doctest.h>

#include <filesystem>

#include <xtensor/xtensor.hpp>

#include "support/gradient_check.hpp"
#include "support/random_arrays.hpp"
#include "typenet/typenet.hpp"

namespace test_losses {

namespace tn = typenet;
using tn::testing::require_gradients;
using tn::testing::one_hot_cycle;
using tn::testing::random_matrix;

TEST_CASE("gradient: softmax + categorical cross-entropy") {
  using Net = tn::Sequential<tn::Input<6>, tn::Dense<5, tn::Tanh>, tn::Dense<4, tn::Softmax>>;
  const auto x = random_matrix(5, 6, 3, -2.0f, 2.0f);
  SUBCASE("one-hot targets (fused p - t)") { require_gradients<Net>(tn::CategoricalCrossentropy{}, x, one_hot_cycle(5, 4)); }
  SUBCASE("sparse targets") {
    const xt::xtensor<int, 1> labels = {0, 3, 1, 2, 3};
    require_gradients<Net>(tn::SparseCategoricalCrossentropy{}, x, tn::Labels(labels));
  }
  SUBCASE("softmax as its own Activation layer") {
    using Split = tn::Sequential<tn::Input<6>, tn::Dense<5, tn::ReLU>, tn::Dense<4>, tn::Activation<tn::Softmax>>;
    require_gradients<Split>(tn::CategoricalCrossentropy{}, x, one_hot_cycle(5, 4));
  }
  SUBCASE("softmax not last: the unfused cross-entropy gradient") {
    using Unfused = tn::Sequential<tn::Input<6>, tn::Dense<4, tn::Softmax>, tn::Dropout<0.0>>;
    require_gradients<Unfused>(tn::CategoricalCrossentropy{}, x, one_hot_cycle(5, 4));
  }
}

TEST_CASE("gradient: sigmoid + binary cross-entropy") {
  const auto x = random_matrix(6, 6, 4, -2.0f, 2.0f);
  SUBCASE("one unit") {
    using Net = tn::Sequential<tn::Input<6>, tn::Dense<4, tn::ReLU>, tn::Dense<1, tn::Sigmoid>>;
    const xt::xtensor<float, 1> y = {0, 1, 1, 0, 1, 0};
    require_gradients<Net>(tn::BinaryCrossentropy{}, x, tn::Labels(y));
  }
  SUBCASE("three units, unfused through a linear output") {
    using Net = tn::Sequential<tn::Input<6>, tn::Dense<3, tn::Sigmoid>, tn::Activation<tn::Linear>>;
    require_gradients<Net>(tn::BinaryCrossentropy{}, x, random_matrix(6, 3, 5, 0.0f, 1.0f));
  }
}

namespace {

// Mean squared error written as a user would: fit must follow exactly the built-in one's path.
struct UserMse {
  static constexpr std::string_view name = "user_mse";
  double sample_loss(const float* p, const float* t, std::size_t n) const {
    double loss = 0.0;
    for (std::size_t c = 0; c < n; ++c) loss += double(p[c] - t[c]) * double(p[c] - t[c]);
    return loss / static_cast<double>(n);
  }
  void gradient(const float* p, const float* t, float* g, std::size_t n, float scale) const {
    for (std::size_t c = 0; c < n; ++c) g[c] = 2.0f * scale * (p[c] - t[c]) / static_cast<float>(n);
  }
};

// Keras's Huber loss (delta 1), with an accuracy of its own and targets of any sign.
struct Huber {
  static constexpr std::string_view name = "huber";
  double sample_loss(const float* p, const float* t, std::size_t n) const {
    double loss = 0.0;
    for (std::size_t c = 0; c < n; ++c) {
      const double e = std::abs(double(p[c]) - t[c]);
      loss += e <= 1.0 ? 0.5 * e * e : e - 0.5;
    }
    return loss / static_cast<double>(n);
  }
  void gradient(const float* p, const float* t, float* g, std::size_t n, float scale) const {
    for (std::size_t c = 0; c < n; ++c) g[c] = scale * std::clamp(p[c] - t[c], -1.0f, 1.0f) / static_cast<float>(n);
  }
  bool correct(const float* p, const float* t, std::size_t n) const {
    for (std::size_t c = 0; c < n; ++c)
      if (std::abs(p[c] - t[c]) > 0.5f) return false;
    return true;
  }
};

}  // namespace

static_assert(tn::LossFunction<UserMse> && tn::LossFunction<Huber> && tn::LossFunction<tn::BinaryCrossentropy>);
static_assert(!tn::LossFunction<int>);

TEST_CASE("a user's loss: its gradient against central differences, targets of any sign") {
  using Net = tn::Sequential<tn::Input<5>, tn::Dense<4, tn::Tanh>, tn::Dense<2>>;
  require_gradients<Net>(Huber{}, random_matrix(6, 5, 3), random_matrix(6, 2, 4, -3.0f, 3.0f));
}

TEST_CASE("a user's loss: fit and evaluate follow the built-in loss it re-implements, to the last bit") {
  using Net = tn::Sequential<tn::Input<3>, tn::Dense<8, tn::Tanh>, tn::Dense<2>>;
  const auto x = random_matrix(200, 3, 11), y = random_matrix(200, 2, 12);
  tn::Model<Net> builtin{7}, user{7};
  builtin.compile(tn::Adam{}, tn::MeanSquaredError{});
  user.compile(tn::Adam{}, UserMse{});
  const tn::History a = builtin.fit(x, y, {.batch_size = 64, .epochs = 3, .verbose = 0});
  const tn::History b = user.fit(x, y, {.batch_size = 64, .epochs = 3, .verbose = 0});
  CHECK(a["loss"] == b["loss"]);
  CHECK(std::equal(builtin.parameters().begin(), builtin.parameters().end(), user.parameters().begin()));
  CHECK(builtin.evaluate(x, y).loss == user.evaluate(x, y).loss);
  CHECK(user.metrics().empty());  // no accuracy without a correct() to define it
  CHECK_THROWS_WITH_AS(user.compile(tn::Adam{}, UserMse{}, {"accuracy"}), doctest::Contains("user_mse has no correct"),
                       std::invalid_argument);
}

TEST_CASE("a user's loss: its accuracy, and save and load with CustomObjects") {
  using Net = tn::Sequential<tn::Input<3>, tn::Dense<8, tn::Tanh>, tn::Dense<1>>;
  const auto x = random_matrix(128, 3, 21), y = random_matrix(128, 1, 22, -2.0f, 2.0f);
  tn::Model<Net> model{3};
  model.compile(tn::SGD{.learning_rate = 0.05}, Huber{});
  model.fit(x, y, {.batch_size = 32, .epochs = 2, .verbose = 0});
  const tn::Evaluation e = model.evaluate(x, y);
  CHECK(e.metrics.size() == 1);
  CHECK(e.accuracy >= 0.0);

  const auto path = std::filesystem::temp_directory_path() / "typenet_test_huber.typenet";
  model.save(path);
  CHECK_THROWS_WITH(tn::Model<Net>::load(path),
                    doctest::Contains("unknown loss 'huber' (this typenet has categorical_crossentropy, "
                                      "sparse_categorical_crossentropy, binary_crossentropy, mean_squared_error; pass "
                                      "a user's loss to load in CustomObjects)"));
  auto loaded = tn::Model<Net>::load(path, {.losses = {UserMse{}, Huber{}}});
  CHECK(loaded.evaluate(x, y).loss == e.loss);
  // Both continue the same run.
  model.fit(x, y, {.batch_size = 32, .epochs = 1, .verbose = 0});
  loaded.fit(x, y, {.batch_size = 32, .epochs = 1, .verbose = 0});
  CHECK(std::equal(model.parameters().begin(), model.parameters().end(), loaded.parameters().begin()));
  std::filesystem::remove(path);
}

}  // namespace test_losses
