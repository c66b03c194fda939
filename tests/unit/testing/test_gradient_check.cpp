// The public gradient checks (typenet/testing/gradient_check.hpp): typenet's own layers pass
// test_layer, and a layer or a loss with a wrong gradient is caught with a report that says where.
#include <doctest/doctest.h>

#include <string>

#include "support/gradient_check.hpp"
#include "support/random_arrays.hpp"
#include "typenet/testing/gradient_check.hpp"
#include "typenet/typenet.hpp"

namespace test_gradient_check {

namespace tn = typenet;
using tn::testing::require_layer_gradients;

namespace {

// y = x * w per feature, with a bug chosen by Bug: 0 none, 1 the input gradient forgets w,
// 2 the parameter gradient is halved.
template <int Bug>
struct Weighted {
  template <class In>
  struct bind : tn::LayerDefaults<Weighted, In> {
    using output_shape = In;
    static constexpr std::size_t n = In::size;
    static constexpr std::size_t param_count = n;
    static constexpr tn::WeightShape weights[] = {{"w", 1, {n}}};
    static constexpr std::string_view keras_class = "Weighted", keras_name = "weighted";
    static void initialize(float* w, tn::Rng& rng) {
      for (std::size_t i = 0; i < n; ++i) w[i] = rng.uniform(0.5f, 1.5f);
    }
    static void forward(const tn::ForwardPass& p) {
      for (std::size_t i = 0; i < p.batch * n; ++i) p.out[i] = p.in[i] * p.params[i % n];
    }
    static void backward(const tn::BackwardPass& p) {
      std::fill(p.grads, p.grads + n, 0.0f);
      for (std::size_t i = 0; i < p.batch * n; ++i) {
        p.grads[i % n] += (Bug == 2 ? 0.5f : 1.0f) * p.dout[i] * p.in[i];
        if (p.din) p.din[i] = Bug == 1 ? p.dout[i] : p.dout[i] * p.params[i % n];
      }
    }
  };
};

// Mean squared error whose gradient misses its factor 2.
struct HalfGradientMse {
  static constexpr std::string_view name = "half_gradient_mse";
  double sample_loss(const float* p, const float* t, std::size_t n) const {
    double sum = 0.0;
    for (std::size_t c = 0; c < n; ++c) sum += double(p[c] - t[c]) * (p[c] - t[c]);
    return sum / static_cast<double>(n);
  }
  void gradient(const float* p, const float* t, float* g, std::size_t n, float scale) const {
    for (std::size_t c = 0; c < n; ++c) g[c] = scale * (p[c] - t[c]) / static_cast<float>(n);
  }
};

}  // namespace

TEST_CASE("test_layer: typenet's layers pass, for their parameters and their inputs") {
  require_layer_gradients<tn::Dense<5, tn::Tanh>, tn::Shape<4>>();
  require_layer_gradients<tn::Dense<4, tn::Softmax>, tn::Shape<6>>();
  require_layer_gradients<tn::Conv2D<3, 3, 3, tn::Sigmoid>, tn::Shape<6, 6, 2>>();               // im2col
  require_layer_gradients<tn::Conv2D<3, 3, 3, tn::Tanh, tn::Same, 2>, tn::Shape<7, 7, 2>>();     // strided, padded
  require_layer_gradients<tn::Conv2D<2, 3, 3, tn::Sigmoid, tn::Same>, tn::Shape<5, 5, 1>>();     // direct
  require_layer_gradients<tn::BatchNormalization, tn::Shape<3, 3, 2>>();
  require_layer_gradients<tn::MaxPooling2D<2, 2>, tn::Shape<4, 4, 2>>();
  require_layer_gradients<tn::AveragePooling2D<2, 2>, tn::Shape<4, 4, 2>>();
  require_layer_gradients<tn::GlobalAveragePooling2D, tn::Shape<3, 3, 2>>();
  require_layer_gradients<tn::Activation<tn::Softmax>, tn::Shape<2, 5>>();
  require_layer_gradients<tn::Dropout<0.5>, tn::Shape<8>>();
  require_layer_gradients<Weighted<0>, tn::Shape<6>>();
}

TEST_CASE("test_layer: a wrong input gradient and a wrong parameter gradient are caught, each where it is") {
  const tn::testing::GradientCheckResult input = tn::testing::test_layer<Weighted<1>, tn::Shape<6>>();
  CHECK(!input);
  CHECK(input.failures > 0);
  CHECK(input.report.find("input ") != std::string::npos);
  CHECK(input.report.find("parameter ") == std::string::npos);

  const tn::testing::GradientCheckResult parameter = tn::testing::test_layer<Weighted<2>, tn::Shape<6>>();
  CHECK(!parameter);
  CHECK(parameter.failures == 6);  // every parameter, and no input
  CHECK(parameter.report.find("parameter 0: analytic") != std::string::npos);
  CHECK(parameter.report.find("input ") == std::string::npos);
}

TEST_CASE("test_layer: a view (Flatten) has nothing to check, and says so") {
  const auto result = tn::testing::test_layer<tn::Flatten, tn::Shape<2, 3>>();
  CHECK(result.passed());
  CHECK(result.checked == 0);
  CHECK(result.report.find("views its input") != std::string::npos);
}

TEST_CASE("check_gradients: a model's loss with a wrong gradient is caught, a right one passes") {
  using Net = tn::Sequential<tn::Input<4>, tn::Dense<3, tn::Tanh>, tn::Dense<2>>;
  const auto x = tn::testing::random_matrix(5, 4, 3);
  const auto y = tn::testing::random_matrix(5, 2, 4);
  const auto wrong = tn::testing::check_gradients<Net>(HalfGradientMse{}, x, y);
  CHECK(!wrong);
  CHECK(wrong.failures > 0);
  const auto right = tn::testing::check_gradients<Net>(tn::MeanSquaredError{}, x, y);
  CHECK_MESSAGE(right.passed(), right.report);
  CHECK(right.checked == Net::param_count);
}

}  // namespace test_gradient_check
