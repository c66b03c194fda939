// The Model workflow: shapes and counts at compile time, summary, fit/evaluate/predict
// semantics, and the errors a wrong input gets.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>
#include <string>

#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "support/random_arrays.hpp"
#include "typenet/typenet.hpp"

namespace test_model {

namespace tn = typenet;
using tn::testing::one_hot_cycle;
using tn::testing::random_matrix;

using M3 = tn::Sequential<tn::Input<784>, tn::Dense<512, tn::Sigmoid>, tn::Dropout<0.5>, tn::Dense<256, tn::ReLU>,
                          tn::Dropout<0.5>, tn::Dense<10, tn::Softmax>>;
static_assert(M3::param_count == 535818);
static_assert(std::is_same_v<M3::output_shape, tn::Shape<10>>);
static_assert(std::is_same_v<M3::layer<1>::output_shape, tn::Shape<512>>);
static_assert(M3::layer<1>::param_count == 401920 && M3::layer<3>::param_count == 131328);

using Image = tn::Sequential<tn::Input<28, 28, 1>, tn::Flatten, tn::Dense<10, tn::Softmax>>;
static_assert(std::is_same_v<Image::layer<1>::output_shape, tn::Shape<784>>);
static_assert(Image::param_count == 7850);

// Blocks nest, with or without their own Input.
using Block = tn::Sequential<tn::Dense<64, tn::ReLU>, tn::Dropout<0.5>>;
using Checked = tn::Sequential<tn::Input<64>, tn::Dense<10, tn::Softmax>>;
using Nested = tn::Sequential<tn::Input<784>, Block, Checked>;
static_assert(Nested::param_count == 784 * 64 + 64 + 650);
static_assert(std::is_same_v<Nested::output_shape, tn::Shape<10>>);

TEST_CASE("summary prints Keras's table") {
  using M1 = tn::Sequential<tn::Input<784>, tn::Dense<512, tn::Sigmoid>, tn::Dense<10, tn::Softmax>>;
  tn::Model<M1> model;
  std::ostringstream out;
  model.summary(out);
  const std::string expected =
      "Model: \"sequential\"\n"
      "_________________________________________________________________\n"
      " Layer (type)                Output Shape              Param #   \n"
      "=================================================================\n"
      " dense (Dense)               (None, 512)               401,920   \n"
      "                                                                 \n"
      " dense_1 (Dense)             (None, 10)                5,130     \n"
      "                                                                 \n"
      "=================================================================\n"
      "Total params: 407,050 (1.55 MB)\n"
      "Trainable params: 407,050 (1.55 MB)\n"
      "Non-trainable params: 0 (0.00 B)\n"
      "_________________________________________________________________\n";
  CHECK(out.str() == expected);
}

TEST_CASE("the same seed gives the same weights, before and after training") {
  using Net = tn::Sequential<tn::Input<6>, tn::Dense<8, tn::ReLU>, tn::Dropout<0.5>, tn::Dense<3, tn::Softmax>>;
  const auto x = random_matrix(40, 6, 1);
  const auto y = one_hot_cycle(40, 3);
  auto trained = [&](std::uint64_t seed) {
    tn::Model<Net> model{seed};
    model.compile(tn::Adam{}, tn::CategoricalCrossentropy{});
    model.fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0});
    return std::vector<float>(model.parameters().begin(), model.parameters().end());
  };
  CHECK(trained(5) == trained(5));
  CHECK(trained(5) != trained(6));
  // Glorot uniform: every kernel weight within sqrt(6 / (fan_in + fan_out)), biases zero.
  tn::Model<Net> fresh{9};
  const float limit = std::sqrt(6.0f / 14.0f);
  for (std::size_t i = 0; i < 48; ++i) CHECK(std::abs(fresh.parameters()[i]) <= limit);
  for (std::size_t i = 48; i < 56; ++i) CHECK(fresh.parameters()[i] == 0.0f);
}

TEST_CASE("fit learns a separable problem; History, evaluate and predict agree") {
  // Class = which of three features is largest.
  const std::size_t n = 600;
  auto x = random_matrix(n, 3, 4);
  xt::xtensor<std::uint8_t, 1> labels = xt::zeros<std::uint8_t>({n});
  for (std::size_t i = 0; i < n; ++i)
    labels(i) = static_cast<std::uint8_t>(std::max_element(&x(i, 0), &x(i, 0) + 3) - &x(i, 0));
  using Net = tn::Sequential<tn::Input<3>, tn::Dense<16, tn::Tanh>, tn::Dense<3, tn::Softmax>>;
  tn::Model<Net> model{1};
  model.compile(tn::RMSprop{.learning_rate = 0.01}, tn::SparseCategoricalCrossentropy{});
  std::ostringstream log;
  const tn::History h = model.fit(x, labels, {.batch_size = 32, .epochs = 15, .validation_split = 0.2, .out = &log});
  CHECK(h.epochs() == 15);
  CHECK(h.metrics() == std::vector<std::string>{"loss", "accuracy", "val_loss", "val_accuracy"});
  CHECK(h["loss"].back() < h["loss"].front());
  CHECK(h["val_accuracy"].back() > 0.9);
  CHECK(log.str().find("Epoch 15/15\n15/15 [==============================]") != std::string::npos);  // 480 / 32 steps

  // The validation rows are the last 20%, so evaluating them reproduces val_loss.
  const xt::xtensor<float, 2> x_val = xt::view(x, xt::range(480, 600), xt::all());
  const xt::xtensor<std::uint8_t, 1> y_val = xt::view(labels, xt::range(480, 600));
  const auto [loss, accuracy] = model.evaluate(x_val, y_val);
  CHECK(loss == doctest::Approx(h["val_loss"].back()).epsilon(1e-6));
  CHECK(accuracy == doctest::Approx(h["val_accuracy"].back()));

  // evaluate's loss is the mean cross-entropy of predict's probabilities.
  const auto p = model.predict(x_val, 7);
  REQUIRE(p.shape()[0] == 120);
  REQUIRE(p.shape()[1] == 3);
  double total = 0.0;
  for (std::size_t i = 0; i < 120; ++i) total -= std::log(std::max(p(i, y_val(i)), 1e-7f));
  CHECK(total / 120 == doctest::Approx(loss).epsilon(1e-5));
}

TEST_CASE("class_weight scales each sample's loss") {
  using Net = tn::Sequential<tn::Input<4>, tn::Dense<1, tn::Sigmoid>>;
  const auto x = random_matrix(8, 4, 2);
  const xt::xtensor<float, 1> y = {0, 1, 1, 1, 0, 1, 1, 1};
  auto first_epoch_loss = [&](std::vector<double> weights) {
    tn::Model<Net> model{3};
    model.compile(tn::SGD{.learning_rate = 0.0}, tn::BinaryCrossentropy{});
    return model.fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0, .class_weight = weights})["loss"][0];
  };
  const double plain = first_epoch_loss({}), doubled = first_epoch_loss({2.0, 2.0});
  CHECK(doubled == doctest::Approx(2 * plain));
  CHECK(first_epoch_loss({1.0, 0.0}) < plain);
}

TEST_CASE("History writes JSON and CSV") {
  tn::History h;
  h.append("loss", 0.5);
  h.append("accuracy", 0.75);
  h.append("loss", 0.25);
  h.append("accuracy", 0.875);
  CHECK(h.to_json() == "{\"loss\": [0.5, 0.25], \"accuracy\": [0.75, 0.875]}\n");
  CHECK(h.to_csv() == "epoch,loss,accuracy\n1,0.5,0.75\n2,0.25,0.875\n");
  CHECK_THROWS_WITH_AS(h["val_loss"], "History has no metric 'val_loss'", std::out_of_range);
}

TEST_CASE("wrong inputs are refused with what was expected and what was given") {
  using Net = tn::Sequential<tn::Input<28, 28, 1>, tn::Flatten, tn::Dense<10, tn::Softmax>>;
  tn::Model<Net> model;
  const auto y = one_hot_cycle(5, 10);
  xt::xtensor<float, 3> images = xt::zeros<float>({5, 28, 28});
  CHECK_THROWS_WITH(model.fit(images, y), "fit: call compile(optimizer, loss) first");
  model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
  CHECK_NOTHROW(model.fit(images, y, {.verbose = 0}));  // (N, 28, 28) is fine for Input<28, 28, 1>
  xt::xtensor<float, 2> flat = xt::zeros<float>({5, 784});
  CHECK_NOTHROW(model.evaluate(flat, y));

  xt::xtensor<float, 3> small = xt::zeros<float>({5, 27, 28});
  CHECK_THROWS_WITH_AS(model.fit(small, y),
                       "fit: x has shape (5, 27, 28); the model's input is (N, 28, 28, 1) (or (N, 784) flattened)",
                       std::invalid_argument);
  xt::xtensor<float, 3> empty = xt::zeros<float>({0, 28, 28});
  CHECK_THROWS_WITH(model.predict(empty), doctest::Contains("which is empty"));
  CHECK_THROWS_WITH(model.fit(images, one_hot_cycle(4, 10)),
                    "fit: x has 5 samples but y has shape (4, 10)");
  xt::xtensor<std::uint8_t, 1> labels = {1, 2, 3, 4, 5};
  CHECK_THROWS_WITH(model.fit(images, labels), doctest::Contains("expected (N, 10) (one-hot rows: use typenet::data::to_categorical)"));

  model.compile(tn::RMSprop{}, tn::SparseCategoricalCrossentropy{});
  CHECK_NOTHROW(model.fit(images, labels, {.verbose = 0}));
  labels(3) = 10;
  CHECK_THROWS_WITH_AS(model.fit(images, labels),
                       "fit: y (sparse_categorical_crossentropy): value 10.000000 at sample 3 is outside the class indices [0, 10)",
                       std::out_of_range);
  labels(3) = 4;
  CHECK_THROWS_WITH(model.fit(images, labels, {.batch_size = 0}), "fit: batch_size must be > 0");
  CHECK_THROWS_WITH(model.fit(images, labels, {.validation_split = 0.9}), doctest::Contains("leaves an empty training or validation set"));
  CHECK_THROWS_WITH(model.fit(images, labels, {.validation_split = 1.0}), doctest::Contains("validation_split must be in [0, 1)"));
  CHECK_THROWS_WITH(model.fit(images, labels, {.class_weight = {1.0, 2.0}}),
                    "fit: class_weight has 2 entries but sample 1 is of class 2");

  // One NaN pixel once made a ReLU network die silently (the loss settled at ln 10): x is checked
  // once per data set, naming the sample and the feature.
  images(3, 1, 2) = NAN;
  CHECK_THROWS_WITH_AS(model.fit(images, labels, {.verbose = 0}),
                       "fit: x holds NaN at sample 3, feature 30 (of 784); typenet takes finite numbers only",
                       std::invalid_argument);
  CHECK_THROWS_WITH(model.evaluate(images, labels), doctest::Contains("evaluate: x holds NaN at sample 3, feature 30"));
  images(3, 1, 2) = -INFINITY;
  CHECK_THROWS_WITH(model.predict(images), "predict: x holds an infinity at sample 3, feature 30 (of 784); typenet takes finite numbers only");
  images(3, 1, 2) = 0.0f;
  xt::xtensor<float, 3> validation = xt::zeros<float>({2, 28, 28});
  validation(1, 27, 27) = NAN;
  CHECK_THROWS_WITH(model.fit(images, labels, {.verbose = 0, .validation_data = tn::ValidationData{validation, xt::xtensor<int, 1>{0, 1}}}),
                    doctest::Contains("fit (validation_data): x holds NaN at sample 1, feature 783"));

  // A data set large enough for the check to be split across threads still names the first one.
  xt::xtensor<float, 3> many = xt::zeros<float>({600, 28, 28});
  many(599, 0, 0) = NAN;
  many(421, 5, 6) = INFINITY;
  many(422, 0, 0) = NAN;
  CHECK_THROWS_WITH(model.predict(many), doctest::Contains("predict: x holds an infinity at sample 421, feature 146"));
  many(421, 5, 6) = 0.0f;
  CHECK_THROWS_WITH(model.predict(many), doctest::Contains("predict: x holds NaN at sample 422, feature 0"));
}

}  // namespace test_model
