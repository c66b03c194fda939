// BatchNormalization in both modes: batch statistics and the moving-average update in training,
// the moving statistics in inference (so a sample's prediction does not depend on its batch),
// gradients by finite differences, how summary() counts its non-trainable parameters, and that
// saved models keep them.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "support/gradient_check.hpp"
#include "support/random_arrays.hpp"
#include "typenet/typenet.hpp"

namespace test_batch_normalization {

namespace tn = typenet;
using tn::testing::require_gradients;
using tn::testing::one_hot_cycle;
using tn::testing::random_matrix;

namespace {
using Images = tn::Sequential<tn::Input<3, 2, 4>, tn::BatchNormalization>;
using BN = Images::layer<1>;
static_assert(BN::param_count == 8 && BN::non_trainable_count == 8);
static_assert(Images::param_count == 8 && Images::non_trainable_count == 8);
constexpr std::size_t channels = 4, rows_per_sample = 6, batch = 5;
}  // namespace

TEST_CASE("BatchNormalization in training: batch statistics, and the moving averages move") {
  const auto x = random_matrix(batch, 24, 41, -3.0f, 5.0f);
  std::vector<float> params = {1.5f, 0.5f, 2.0f, 1.0f, 0.1f, -0.2f, 0.3f, 0.0f};  // gamma, beta
  std::vector<float> moving = {0.5f, -1.0f, 0.0f, 2.0f, 1.0f, 2.0f, 0.5f, 1.0f};  // mean, variance
  const std::vector<float> moving_before = moving;
  std::vector<float> out(batch * 24), scratch(batch * BN::scratch_per_sample);
  tn::detail::Rng rng(1);
  BN::forward({params.data(), x.data(), out.data(), scratch.data(), batch, true, &rng, moving.data()});
  const double n = batch * rows_per_sample;
  for (std::size_t c = 0; c < channels; ++c) {
    double mean = 0.0, variance = 0.0;
    for (std::size_t i = c; i < x.size(); i += channels) mean += x.data()[i];
    mean /= n;
    for (std::size_t i = c; i < x.size(); i += channels) variance += (x.data()[i] - mean) * (x.data()[i] - mean);
    variance /= n;  // biased, as Keras normalises with it
    for (std::size_t i = c; i < x.size(); i += channels) {
      const double expected = params[c] * (x.data()[i] - mean) / std::sqrt(variance + 1e-3) + params[4 + c];
      CHECK(out[i] == doctest::Approx(expected).epsilon(1e-5));
    }
    // Keras: moving = moving * 0.99 + batch statistic * 0.01, with the biased variance.
    CHECK(moving[c] == doctest::Approx(moving_before[c] * 0.99 + mean * 0.01).epsilon(1e-5));
    CHECK(moving[4 + c] == doctest::Approx(moving_before[4 + c] * 0.99 + variance * 0.01).epsilon(1e-5));
  }
}

TEST_CASE("BatchNormalization in inference: the moving statistics, left unchanged") {
  const auto x = random_matrix(batch, 24, 42, -3.0f, 5.0f);
  std::vector<float> params = {1.5f, 0.5f, 2.0f, 1.0f, 0.1f, -0.2f, 0.3f, 0.0f};
  std::vector<float> moving = {0.5f, -1.0f, 0.0f, 2.0f, 1.0f, 2.0f, 0.5f, 1.0f};
  const std::vector<float> moving_before = moving;
  std::vector<float> out(batch * 24), scratch(batch * BN::scratch_per_sample);
  tn::detail::Rng rng(1);
  BN::forward({params.data(), x.data(), out.data(), scratch.data(), batch, false, &rng, moving.data()});
  for (std::size_t i = 0; i < x.size(); ++i) {
    const std::size_t c = i % channels;
    const double expected = params[c] * (x.data()[i] - moving[c]) / std::sqrt(moving[4 + c] + 1e-3) + params[4 + c];
    CHECK(out[i] == doctest::Approx(expected).epsilon(1e-5));
  }
  CHECK(moving == moving_before);
}

TEST_CASE("BatchNormalization in a model: fit moves the statistics, predict does not depend on the batch") {
  using Net = tn::Sequential<tn::Input<4, 4, 2>, tn::Conv2D<3, 3, 3, tn::ReLU, tn::Same>, tn::BatchNormalization, tn::Flatten,
                             tn::Dense<8>, tn::BatchNormalization, tn::Activation<tn::ReLU>, tn::Dense<3, tn::Softmax>>;
  static_assert(Net::non_trainable_count == 2 * 3 + 2 * 8);
  tn::Model<Net> model{5};
  model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
  const auto fresh = std::vector<float>(model.non_trainable_parameters().begin(), model.non_trainable_parameters().end());
  CHECK(fresh == std::vector<float>{0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1});
  const auto x = random_matrix(40, 32, 43, 0.0f, 1.0f);
  const auto y = one_hot_cycle(40, 3);
  const std::vector<float> params_before(model.parameters().begin(), model.parameters().end());
  model.fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0});
  const auto moved = std::vector<float>(model.non_trainable_parameters().begin(), model.non_trainable_parameters().end());
  CHECK(moved != fresh);
  const auto all = model.predict(x);
  const auto moved_again = std::vector<float>(model.non_trainable_parameters().begin(), model.non_trainable_parameters().end());
  CHECK(moved_again == moved);  // inference does not update them
  const xt::xtensor<float, 2> one = xt::view(x, xt::range(7, 8), xt::all());
  const auto alone = model.predict(one);
  for (std::size_t k = 0; k < 3; ++k) CHECK(alone(0, k) == doctest::Approx(all(7, k)).epsilon(1e-5));
}

TEST_CASE("gradient: BatchNormalization on images and on features (batch statistics)") {
  SUBCASE("after a convolution") {
    using Net = tn::Sequential<tn::Input<5, 4, 2>, tn::Conv2D<3, 3, 3, tn::Tanh, tn::Same>, tn::BatchNormalization,
                               tn::Conv2D<2, 2, 2, tn::Tanh>, tn::Flatten, tn::Dense<3, tn::Softmax>>;
    require_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(4, 40, 44), one_hot_cycle(4, 3));
  }
  SUBCASE("between dense layers") {
    using Net = tn::Sequential<tn::Input<6>, tn::Dense<5, tn::Tanh>, tn::BatchNormalization, tn::Dense<3, tn::Softmax>>;
    require_gradients<Net>(tn::CategoricalCrossentropy{}, random_matrix(6, 6, 45, -2.0f, 2.0f), one_hot_cycle(6, 3));
  }
}

// Long names continue on the next line as Keras 2.9+ prints them (tests/data/cnn/keras_summary_rows.py).
TEST_CASE("summary counts the moving statistics as non-trainable, as Keras does") {
  using Net = tn::Sequential<tn::Input<8, 8, 1>, tn::Conv2D<4, 3, 3, tn::ReLU>, tn::BatchNormalization, tn::MaxPooling2D<2>,
                             tn::GlobalAveragePooling2D, tn::Dense<10, tn::Softmax>>;
  tn::Model<Net> model;
  std::ostringstream out;
  model.summary(out);
  const std::string expected =
      "Model: \"sequential\"\n"
      "_________________________________________________________________\n"
      " Layer (type)                Output Shape              Param #   \n"
      "=================================================================\n"
      " conv2d (Conv2D)             (None, 6, 6, 4)           40        \n"
      "                                                                 \n"
      " batch_normalization (BatchN  (None, 6, 6, 4)          16        \n"
      " ormalization)                                                   \n"
      "                                                                 \n"
      " max_pooling2d (MaxPooling2D  (None, 3, 3, 4)          0         \n"
      " )                                                               \n"
      "                                                                 \n"
      " global_average_pooling2d (G  (None, 4)                0         \n"
      " lobalAveragePooling2D)                                          \n"
      "                                                                 \n"
      " dense (Dense)               (None, 10)                50        \n"
      "                                                                 \n"
      "=================================================================\n"
      "Total params: 106 (424.00 B)\n"
      "Trainable params: 98 (392.00 B)\n"
      "Non-trainable params: 8 (32.00 B)\n"
      "_________________________________________________________________\n";
  CHECK(out.str() == expected);
}

TEST_CASE("saved models keep the moving statistics (load and load_weights)") {
  using Net = tn::Sequential<tn::Input<4, 4, 2>, tn::Conv2D<3, 3, 3, tn::ReLU, tn::Same>, tn::BatchNormalization, tn::Flatten,
                             tn::Dense<3, tn::Softmax>>;
  tn::Model<Net> model{5};
  model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
  model.fit(random_matrix(16, 32, 46, 0.0f, 1.0f), one_hot_cycle(16, 3), {.batch_size = 8, .epochs = 1, .verbose = 0});
  const std::vector<float> moving(model.non_trainable_parameters().begin(), model.non_trainable_parameters().end());
  const auto path = std::filesystem::temp_directory_path() / ("typenet_bn_" + std::to_string(::getpid()) + ".typenet");
  model.save(path);
  const auto loaded = tn::Model<Net>::load(path);
  CHECK(std::vector<float>(loaded.non_trainable_parameters().begin(), loaded.non_trainable_parameters().end()) == moving);
  tn::Model<Net> other{9};
  other.load_weights(path);
  CHECK(std::vector<float>(other.non_trainable_parameters().begin(), other.non_trainable_parameters().end()) == moving);
  std::filesystem::remove(path);
}

}  // namespace test_batch_normalization
