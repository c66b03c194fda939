// model/layer_weights.hpp: a layer's weights in Keras's shapes, checked by what they do (a Dense
// kernel of shape (inputs, units) multiplies x from the right; a Conv2D kernel (kh, kw, in,
// filters) correlates as Keras's does; BatchNormalization's four vectors in Keras's order), and
// get_weights/set_weights across models, with their refusals.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "typenet/typenet.hpp"

namespace test_layer_weights {

namespace tn = typenet;

TEST_CASE("Dense: the kernel is (inputs, units) and predict gives x K + b") {
  using Net = tn::Sequential<tn::Input<3>, tn::Dense<2>>;
  tn::Model<Net> model{1};
  auto dense = model.layer<1>();
  static_assert(decltype(dense)::count == 2);
  const xt::xtensor<float, 2> kernel = {{1, 2}, {3, 4}, {5, 6}};
  const xt::xtensor<float, 1> bias = {0.5f, -1.0f};
  dense.set_weights(kernel, bias);
  const xt::xtensor<float, 2> x = {{1, 0, 0}, {0, 1, 1}, {1, 1, 1}};
  const auto y = model.predict(x);
  // xtensor's own types, though typenet.hpp only declares them (detail/float_xtensor.hpp).
  static_assert(std::is_same_v<decltype(model.predict(x)), xt::xtensor<float, 2>>);
  static_assert(std::is_same_v<decltype(dense.get_weights()), std::tuple<xt::xtensor<float, 2>, xt::xtensor<float, 1>>>);
  const xt::xtensor<float, 2> expected = {{1.5f, 1.0f}, {8.5f, 9.0f}, {9.5f, 11.0f}};
  CHECK(y == expected);
  const auto [k, b] = dense.get_weights();
  CHECK(k == kernel);
  CHECK(b == bias);
  // A view writes through to the model.
  dense.weight<1>()(1) = 0.0f;
  CHECK(model.predict(x)(0, 1) == 2.0f);
}

TEST_CASE("Conv2D: the kernel is (kh, kw, in_channels, filters), correlated as Keras does") {
  using Net = tn::Sequential<tn::Input<4, 4, 2>, tn::Conv2D<1, 2, 2>>;  // linear, Valid: 3x3x1 out
  tn::Model<Net> model{2};
  xt::xtensor<float, 4> kernel = xt::zeros<float>({std::size_t{2}, std::size_t{2}, std::size_t{2}, std::size_t{1}});
  kernel(1, 0, 1, 0) = 1.0f;  // the pixel one row down, same column, channel 1
  model.layer<1>().set_weights(kernel, xt::xtensor<float, 1>{0.5f});
  xt::xtensor<float, 2> x = xt::zeros<float>({std::size_t{1}, std::size_t{32}});
  for (std::size_t i = 0; i < 32; ++i) x(0, i) = static_cast<float>(i);  // pixel (r, c), channel ch at (r*4 + c)*2 + ch
  const auto y = model.predict(x);
  for (std::size_t r = 0; r < 3; ++r)
    for (std::size_t c = 0; c < 3; ++c) {
      CAPTURE(r);
      CAPTURE(c);
      CHECK(y(0, r * 3 + c) == x(0, ((r + 1) * 4 + c) * 2 + 1) + 0.5f);
    }
}

TEST_CASE("BatchNormalization: gamma, beta, moving_mean, moving_variance, in Keras's order") {
  using Net = tn::Sequential<tn::Input<2>, tn::BatchNormalization>;
  tn::Model<Net> model{3};
  const auto [gamma, beta, mean, variance] = model.layer<1>().get_weights();
  CHECK(gamma == xt::xtensor<float, 1>{1, 1});  // Keras's initial values
  CHECK(beta == xt::xtensor<float, 1>{0, 0});
  CHECK(mean == xt::xtensor<float, 1>{0, 0});
  CHECK(variance == xt::xtensor<float, 1>{1, 1});
  model.layer<1>().set_weights(xt::xtensor<float, 1>{2, 3}, xt::xtensor<float, 1>{1, -1}, xt::xtensor<float, 1>{10, 20},
                               xt::xtensor<float, 1>{4, 9});
  const auto y = model.predict(xt::xtensor<float, 2>{{12, 26}});
  // gamma (x - mean) / sqrt(variance + 0.001) + beta
  CHECK(y(0, 0) == doctest::Approx(2 * 2 / std::sqrt(4.001) + 1).epsilon(1e-6));
  CHECK(y(0, 1) == doctest::Approx(3 * 6 / std::sqrt(9.001) - 1).epsilon(1e-6));
  CHECK(model.non_trainable_parameters()[0] == 10.0f);  // the moving statistics are the non-trainable values
}

TEST_CASE("get_weights / set_weights move a model's weights to another; wrong shapes change nothing") {
  using Net = tn::Sequential<tn::Input<6, 6, 1>, tn::Conv2D<3, 3, 3, tn::ReLU>, tn::BatchNormalization, tn::MaxPooling2D<2, 2>,
                             tn::Flatten, tn::Dropout<0.5>, tn::Dense<4, tn::Softmax>>;
  tn::Model<Net> a{4}, b{5};
  const std::vector<tn::Weights> weights = a.get_weights();
  REQUIRE(weights.size() == 8);
  CHECK(weights[0].layer == 1);
  CHECK(weights[0].layer_class == "Conv2D");
  CHECK(weights[0].name == "kernel");
  CHECK(weights[0].shape == std::vector<std::size_t>{3, 3, 1, 3});
  CHECK(weights[5].name == "moving_variance");
  CHECK(weights[6].layer == 6);
  CHECK(weights[6].shape == std::vector<std::size_t>{12, 4});
  xt::xtensor<float, 2> x = xt::zeros<float>({std::size_t{2}, std::size_t{36}});
  for (std::size_t i = 0; i < 72; ++i) x.data()[i] = static_cast<float>((i * 7) % 11) / 11.0f;
  CHECK(a.predict(x) != b.predict(x));
  b.set_weights(weights);
  CHECK(a.predict(x) == b.predict(x));

  std::vector<tn::Weights> wrong = weights;
  wrong[6].shape = {4, 12};
  const std::vector<float> before(b.parameters().begin(), b.parameters().end());
  wrong[0].values[0] += 1.0f;  // would change the first kernel if anything were written
  CHECK_THROWS_WITH_AS(b.set_weights(wrong),
                       "set_weights: array 6, layer 6 (Dense)'s kernel, has shape (12, 4); given (4, 12)",
                       std::invalid_argument);
  CHECK(std::vector<float>(b.parameters().begin(), b.parameters().end()) == before);
  wrong.pop_back();
  CHECK_THROWS_WITH_AS(b.set_weights(wrong), "set_weights: the model has 8 weight arrays; given 7", std::invalid_argument);
  CHECK_THROWS_WITH_AS(b.layer<6>().set_weights(xt::xtensor<float, 2>::from_shape({4, 12}), xt::xtensor<float, 1>::from_shape({4})),
                       "set_weights: layer 6 (Dense)'s kernel has shape (12, 4); given (4, 12)", std::invalid_argument);
}

}  // namespace test_layer_weights
