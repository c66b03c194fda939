// The layer protocol (layers/layer.hpp) from a user's side: a layer of one's own with
// LayerDefaults satisfies tn::Layer, passes test_layer, and works in a Model like typenet's own:
// summary, get_weights/set_weights, fit, save and load. Malformed layers are compile errors
// (tests/compile_fail/layer_without_bind.cpp, layer_without_keras_names.cpp).
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>

#include "support/gradient_check.hpp"
#include "support/random_arrays.hpp"
#include "typenet/typenet.hpp"

namespace test_layer {

namespace tn = typenet;

namespace {

// y = x * gamma + beta per feature, gamma from 1 and beta from 0.
struct ScaleShift {
  template <class In>
  struct bind : tn::LayerDefaults<ScaleShift, In> {
    static constexpr std::size_t n = In::size;
    using output_shape = In;
    static constexpr std::size_t param_count = 2 * n;
    static constexpr tn::WeightShape weights[] = {{"gamma", 1, {n}}, {"beta", 1, {n}}};
    static constexpr std::string_view keras_class = "ScaleShift", keras_name = "scale_shift";
    static tn::LayerConfig config() { return {"ScaleShift", {{"features", n}}}; }
    static void initialize(float* w, tn::Rng&) {
      std::fill(w, w + n, 1.0f);
      std::fill(w + n, w + 2 * n, 0.0f);
    }
    static void forward(const tn::ForwardPass& p) {
      for (std::size_t i = 0; i < p.batch * n; ++i) p.out[i] = p.in[i] * p.params[i % n] + p.params[n + i % n];
    }
    static void backward(const tn::BackwardPass& p) {
      std::fill(p.grads, p.grads + 2 * n, 0.0f);
      for (std::size_t i = 0; i < p.batch * n; ++i) {
        p.grads[i % n] += p.dout[i] * p.in[i];
        p.grads[n + i % n] += p.dout[i];
        if (p.din) p.din[i] = p.dout[i] * p.params[i % n];
      }
    }
  };
};

struct NotALayer {};

}  // namespace

static_assert(tn::Layer<ScaleShift, tn::Shape<8>> && tn::Layer<tn::Dense<3>, tn::Shape<8>>);
static_assert(!tn::Layer<NotALayer, tn::Shape<8>> && !tn::Layer<int, tn::Shape<8>>);
static_assert(tn::BoundLayer<tn::Conv2D<4, 3, 3>::bind<tn::Shape<8, 8, 1>>>);

using Net = tn::Sequential<tn::Input<4>, tn::Dense<6, tn::Tanh>, ScaleShift, tn::Dense<2, tn::Softmax>>;
static_assert(Net::param_count == 4 * 6 + 6 + 12 + 6 * 2 + 2);
static_assert(Net::layer<2>::param_count == 12);

TEST_CASE("a user's layer: its gradients, alone and in a network") {
  tn::testing::require_layer_gradients<ScaleShift, tn::Shape<2, 3>>();
  tn::testing::require_gradients<Net>(tn::CategoricalCrossentropy{}, tn::testing::random_matrix(5, 4, 8),
                                      tn::testing::one_hot_cycle(5, 2));
}

TEST_CASE("a user's layer: summary, weights, fit, save and load as typenet's own") {
  tn::Model<Net> model{5};
  std::ostringstream summary;
  model.summary(summary);
  CHECK(summary.str().find("scale_shift (ScaleShift)") != std::string::npos);

  auto [gamma, beta] = model.layer<2>().get_weights();
  CHECK(gamma.shape()[0] == 6);
  CHECK(gamma(0) == 1.0f);
  CHECK(beta(5) == 0.0f);
  gamma(1) = 2.0f;
  model.layer<2>().set_weights(gamma, beta);
  CHECK(std::get<0>(model.layer<2>().get_weights())(1) == 2.0f);
  CHECK_THROWS_WITH_AS(model.layer<2>().set_weights(xt::xtensor<float, 1>::from_shape({5}), beta),
                       doctest::Contains("gamma"), std::invalid_argument);

  const auto x = tn::testing::random_matrix(64, 4, 9);
  const auto y = tn::testing::one_hot_cycle(64, 2);
  model.compile(tn::Adam{}, tn::CategoricalCrossentropy{});
  model.fit(x, y, {.batch_size = 16, .epochs = 3, .verbose = 0});
  CHECK(std::get<1>(model.layer<2>().get_weights())(0) != 0.0f);  // beta trained

  const auto path = std::filesystem::temp_directory_path() / "typenet_test_user_layer.typenet";
  model.save(path);
  auto loaded = tn::Model<Net>::load(path);
  const auto a = model.predict(x), b = loaded.predict(x);
  CHECK(std::equal(a.begin(), a.end(), b.begin()));
  // Its config is what load checks: the same layer with another width is another architecture.
  using Wider = tn::Sequential<tn::Input<4>, tn::Dense<6, tn::Tanh>, ScaleShift, tn::Dense<2, tn::Softmax>, ScaleShift>;
  CHECK_THROWS_WITH(tn::Model<Wider>::load(path), doctest::Contains("ScaleShift"));
  std::filesystem::remove(path);
}

}  // namespace test_layer
