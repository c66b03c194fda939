// A user's activations (layers/activations.hpp): one written from its output and one from its
// input, the second kept by the layer in its scratch. Each is checked against its formula and
// against finite differences in every layer that takes an activation, and in a trained model.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include "support/gradient_check.hpp"
#include "support/random_arrays.hpp"
#include "typenet/typenet.hpp"

namespace test_activations {

namespace tn = typenet;
using tn::testing::require_gradients;
using tn::testing::require_layer_gradients;

namespace {

struct Swish : tn::ElementwiseActivation<Swish> {
  static constexpr std::string_view name = "swish";
  static float value(float z) { return z / (1.0f + std::exp(-z)); }
  static float derivative_from_input(float z) {
    const float s = 1.0f / (1.0f + std::exp(-z));
    return s * (1.0f + z * (1.0f - s));
  }
};

// Softsign, z / (1 + |z|), whose derivative (1 - |y|)^2 is a function of its output.
struct Softsign : tn::ElementwiseActivation<Softsign> {
  static constexpr std::string_view name = "softsign";
  static float value(float z) { return z / (1.0f + std::fabs(z)); }
  static float derivative_from_output(float y) { return (1.0f - std::fabs(y)) * (1.0f - std::fabs(y)); }
};

}  // namespace

static_assert(tn::ActivationFunction<Swish> && tn::KeepsInput<Swish>);
static_assert(tn::ActivationFunction<Softsign> && !tn::KeepsInput<Softsign>);
static_assert(!tn::ActivationFunction<int>);
// The layer keeps z + bias for Swish only: 4 floats per sample more scratch in Dense<4, Swish>.
static_assert(tn::Dense<4, Swish>::bind<tn::Shape<3>>::scratch_per_sample ==
              tn::Dense<4, Softsign>::bind<tn::Shape<3>>::scratch_per_sample + 4);

TEST_CASE("a user's activation: Dense computes f(x W + b) with it") {
  using Net = tn::Sequential<tn::Input<2>, tn::Dense<2, Swish>>;
  tn::Model<Net> model{1};
  model.layer<1>().set_weights(xt::xtensor<float, 2>{{1.0f, -2.0f}, {0.5f, 3.0f}}, xt::xtensor<float, 1>{0.25f, -1.0f});
  const auto y = model.predict(xt::xtensor<float, 2>{{2.0f, -1.0f}});
  const float z0 = 2.0f * 1.0f - 1.0f * 0.5f + 0.25f, z1 = 2.0f * -2.0f - 1.0f * 3.0f - 1.0f;
  CHECK(y(0, 0) == doctest::Approx(z0 / (1.0f + std::exp(-z0))).epsilon(1e-6));
  CHECK(y(0, 1) == doctest::Approx(z1 / (1.0f + std::exp(-z1))).epsilon(1e-6));
}

TEST_CASE("a user's activation: gradients in Dense, Conv2D (both paths) and Activation, from input and from output") {
  require_layer_gradients<tn::Dense<4, Swish>, tn::Shape<5>>();
  require_layer_gradients<tn::Dense<4, Softsign>, tn::Shape<5>>();
  require_layer_gradients<tn::Conv2D<3, 3, 3, Swish>, tn::Shape<6, 6, 2>>();        // im2col
  require_layer_gradients<tn::Conv2D<2, 3, 3, Swish, tn::Same>, tn::Shape<5, 5, 1>>();  // direct
  require_layer_gradients<tn::Conv2D<3, 1, 1, Swish>, tn::Shape<3, 3, 2>>();        // 1x1: the input is the columns
  require_layer_gradients<tn::Activation<Swish>, tn::Shape<2, 3>>();
  require_layer_gradients<tn::Activation<Softsign>, tn::Shape<2, 3>>();
  using Net = tn::Sequential<tn::Input<6, 6, 1>, tn::Conv2D<2, 3, 3, Swish>, tn::Flatten, tn::Dense<5, Swish>,
                             tn::Activation<Softsign>, tn::Dense<3, tn::Softmax>>;
  require_gradients<Net>(tn::CategoricalCrossentropy{}, tn::testing::random_matrix(4, 36, 5),
                         tn::testing::one_hot_cycle(4, 3));
}

TEST_CASE("a user's activation: a model trains with it on two threads' batches, and saves and loads by its name") {
  using Net = tn::Sequential<tn::Input<8>, tn::Dense<16, Swish>, tn::Dense<3, tn::Softmax>>;
  const auto x = tn::testing::random_matrix(256, 8, 6);
  auto y = xt::xtensor<float, 2>::from_shape({256, 3});
  for (std::size_t i = 0; i < 256; ++i)  // the class of the largest of three inputs
    for (std::size_t c = 0; c < 3; ++c)
      y(i, c) = (x(i, c) >= x(i, 0) && x(i, c) >= x(i, 1) && x(i, c) >= x(i, 2)) ? 1.0f : 0.0f;
  tn::Model<Net> model{3};
  model.compile(tn::Adam{.learning_rate = 0.01}, tn::CategoricalCrossentropy{});
  const tn::History h = model.fit(x, y, {.batch_size = 128, .epochs = 30, .verbose = 0});
  CHECK(h["loss"].back() < 0.5 * h["loss"].front());
  CHECK(model.to_json().find("\"swish\"") != std::string::npos);
  const auto path = std::filesystem::temp_directory_path() / "typenet_test_swish.typenet";
  model.save(path);
  auto loaded = tn::Model<Net>::load(path);
  const auto a = model.predict(x), b = loaded.predict(x);
  CHECK(std::equal(a.begin(), a.end(), b.begin()));
  std::filesystem::remove(path);
}

}  // namespace test_activations
