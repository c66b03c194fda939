// training/callbacks.hpp: the order fit calls callbacks in, and EarlyStopping as Keras 3 decides,
// driven by a scripted monitor so that the epoch it stops at and the weights it restores are known.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "typenet/typenet.hpp"

namespace tn = typenet;

namespace {

using Net = tn::Sequential<tn::Input<3>, tn::Dense<4, tn::ReLU>, tn::Dense<2, tn::Softmax>>;

struct Data {
  xt::xtensor<float, 2> x = xt::xtensor<float, 2>::from_shape({40, 3});
  xt::xtensor<int, 1> y = xt::xtensor<int, 1>::from_shape({40});
  Data() {
    for (std::size_t i = 0; i < 40; ++i) {
      y(i) = static_cast<int>(i % 2);
      for (std::size_t j = 0; j < 3; ++j) x(i, j) = static_cast<float>((i % 2 ? 1.0 : -1.0) + 0.05 * ((i + j) % 7));
    }
  }
};

// Puts values[epoch] into the logs as "monitor" and keeps the weights each epoch ended with.
struct Script {
  std::vector<double> values;
  std::vector<std::vector<float>> weights_after;
  std::shared_ptr<tn::LambdaCallback> callback = std::make_shared<tn::LambdaCallback>();
  Script(std::vector<double> v, tn::Model<Net>& model) : values(std::move(v)) {
    callback->epoch_end = [this, &model](std::size_t epoch, tn::Logs& logs) {
      logs.set("monitor", values.at(epoch));
      weights_after.emplace_back(model.parameters().begin(), model.parameters().end());
    };
  }
};

std::vector<float> weights_of(const tn::Model<Net>& model) {
  return {model.parameters().begin(), model.parameters().end()};
}

}  // namespace

TEST_CASE("fit calls every callback in order, with the epoch's logs, and records what they add") {
  const Data data;
  tn::Model<Net> model{1};
  model.compile(tn::SGD{}, tn::SparseCategoricalCrossentropy{});
  std::vector<std::string> calls;
  auto first = std::make_shared<tn::LambdaCallback>();
  first->train_begin = [&](tn::Logs&) { calls.push_back("train_begin"); };
  first->epoch_begin = [&](std::size_t e, tn::Logs&) { calls.push_back("epoch_begin " + std::to_string(e)); };
  first->batch_end = [&](std::size_t b, tn::Logs& logs) {
    CHECK(logs.get("loss").has_value());
    calls.push_back("batch_end " + std::to_string(b));
  };
  first->epoch_end = [&](std::size_t e, tn::Logs& logs) {
    CHECK(logs.get("val_loss").has_value());
    logs.set("lr_seen", 0.01 * static_cast<double>(e + 1));
    calls.push_back("epoch_end " + std::to_string(e));
  };
  first->train_end = [&](tn::Logs&) { calls.push_back("train_end"); };
  auto second = std::make_shared<tn::LambdaCallback>();
  second->epoch_end = [&](std::size_t e, tn::Logs& logs) {
    CHECK(logs.get("lr_seen") == 0.01 * static_cast<double>(e + 1));  // the first one's addition
    calls.push_back("second " + std::to_string(e));
  };
  std::ostringstream out;
  const tn::History h = model.fit(data.x, data.y,
                                  {.batch_size = 20, .epochs = 2, .verbose = 2, .validation_split = 0.5, .out = &out,
                                   .callbacks = {first, second}});
  CHECK(calls == std::vector<std::string>{"train_begin", "epoch_begin 0", "batch_end 0", "epoch_end 0", "second 0",
                                          "epoch_begin 1", "batch_end 0", "epoch_end 1", "second 1", "train_end"});
  CHECK(h["lr_seen"] == std::vector<double>{0.01, 0.02});
  CHECK(model.history()["lr_seen"].size() == 2);
  CHECK(out.str().find("lr_seen: 0.0200") != std::string::npos);  // printed in the epoch's line
}

TEST_CASE("EarlyStopping stops after `patience` epochs without improvement and restores the best weights") {
  const Data data;
  tn::Model<Net> model{2};
  model.compile(tn::Adam{.learning_rate = 0.01}, tn::SparseCategoricalCrossentropy{});
  // min mode: epoch 1 (0.5) is best; 0.55, 0.52 do not improve on it by min_delta 0.01, then
  // patience 2 is used up at epoch 3; epoch 4 (0.1) never runs.
  Script script({0.9, 0.5, 0.55, 0.495, 0.1}, model);
  auto stop = std::make_shared<tn::EarlyStopping>(tn::EarlyStopping::Options{
      .monitor = "monitor", .min_delta = 0.01, .patience = 2, .restore_best_weights = true});
  const tn::History h =
      model.fit(data.x, data.y, {.batch_size = 8, .epochs = 5, .verbose = 0, .callbacks = {script.callback, stop}});
  CHECK(h.epochs() == 4);
  CHECK(stop->stopped_epoch() == 3);
  CHECK(stop->best_epoch() == 1);
  CHECK(stop->best() == 0.5);
  REQUIRE(script.weights_after.size() == 4);
  CHECK(weights_of(model) == script.weights_after[1]);
  CHECK(script.weights_after[3] != script.weights_after[1]);  // training went on after the best epoch
}

TEST_CASE("EarlyStopping: max mode, auto mode, no restore, baseline, start_from_epoch") {
  const Data data;
  auto run = [&](std::vector<double> values, tn::EarlyStopping::Options options, std::size_t epochs = 6) {
    tn::Model<Net> model{3};
    model.compile(tn::SGD{}, tn::SparseCategoricalCrossentropy{});
    Script script(std::move(values), model);
    auto stop = std::make_shared<tn::EarlyStopping>(options);
    model.fit(data.x, data.y, {.batch_size = 8, .epochs = epochs, .verbose = 0, .callbacks = {script.callback, stop}});
    return std::pair{stop, script.weights_after.size() == 0 ? false : weights_of(model) == script.weights_after.back()};
  };
  {  // max: 0.7 at epoch 1 is best, patience 1 stops at epoch 2; without restore the last weights stay
    auto [stop, kept_last] = run({0.5, 0.7, 0.6, 0.9}, {.monitor = "monitor", .patience = 1, .mode = "max"});
    CHECK(stop->stopped_epoch() == 2);
    CHECK(stop->best_epoch() == 1);
    CHECK(kept_last);
  }
  {  // auto on an accuracy is max; patience 0 stops at the first epoch that does not improve
    tn::Model<Net> model{3};
    model.compile(tn::SGD{}, tn::SparseCategoricalCrossentropy{});
    auto rename = std::make_shared<tn::LambdaCallback>();
    const std::vector<double> accuracy = {0.5, 0.6, 0.55, 0.9};
    rename->epoch_end = [&](std::size_t e, tn::Logs& logs) { logs.set("val_accuracy", accuracy[e]); };
    auto stop = std::make_shared<tn::EarlyStopping>(tn::EarlyStopping::Options{.monitor = "val_accuracy"});
    model.fit(data.x, data.y, {.batch_size = 8, .epochs = 4, .verbose = 0, .callbacks = {rename, stop}});
    CHECK(stop->stopped_epoch() == 2);
  }
  {  // a baseline never beaten: improvements do not reset the wait, which counts from epoch 0, so
     // patience 2 is used up at epoch 1 (Keras 3 stops there too)
    auto [stop, kept_last] = run({0.9, 0.8, 0.7, 0.6}, {.monitor = "monitor", .patience = 2, .baseline = 0.5});
    CHECK(stop->stopped_epoch() == 1);
  }
  {  // epochs before start_from_epoch are not watched: their low values do not count as best
    auto [stop, kept_last] =
        run({0.1, 0.1, 0.5, 0.6, 0.7}, {.monitor = "monitor", .patience = 1, .start_from_epoch = 2}, 5);
    CHECK(stop->best_epoch() == 2);
    CHECK(stop->stopped_epoch() == 3);
  }
  CHECK_THROWS_WITH_AS(tn::EarlyStopping(tn::EarlyStopping::Options{.mode = "largest"}),
                       "EarlyStopping: mode must be \"min\", \"max\" or \"auto\", not \"largest\"", std::invalid_argument);
}

TEST_CASE("EarlyStopping names the figures it could have watched when its monitor is missing") {
  const Data data;
  tn::Model<Net> model{4};
  model.compile(tn::SGD{}, tn::SparseCategoricalCrossentropy{});
  auto stop = std::make_shared<tn::EarlyStopping>(tn::EarlyStopping::Options{.monitor = "val_loss"});
  CHECK_THROWS_WITH_AS(model.fit(data.x, data.y, {.epochs = 1, .verbose = 0, .callbacks = {stop}}),
                       "EarlyStopping: the logs have no \"val_loss\" (they have loss, accuracy)", std::invalid_argument);
}

TEST_CASE("a callback that sets stop_training ends fit after the current batch") {
  const Data data;
  tn::Model<Net> model{5};
  model.compile(tn::SGD{}, tn::SparseCategoricalCrossentropy{});
  struct StopAtBatch : tn::Callback {
    std::size_t batches = 0;
    void on_batch_end(std::size_t batch, tn::Logs&) override {
      ++batches;
      if (batch == 1) model->stop_training = true;
    }
  };
  auto stopper = std::make_shared<StopAtBatch>();
  const tn::History h = model.fit(data.x, data.y, {.batch_size = 8, .epochs = 3, .verbose = 0, .callbacks = {stopper}});
  CHECK(stopper->batches == 2);
  CHECK(h.epochs() == 1);  // the epoch still ends: its figures are recorded
}

TEST_CASE("fit stops at the batch whose loss is not finite and names the epoch and the batch") {
  const Data data;
  tn::Model<Net> model{6};
  // A step this large takes the weights past float's range in the first batch: the second
  // batch's logits overflow and its loss is NaN.
  model.compile(tn::SGD{.learning_rate = 1e35}, tn::SparseCategoricalCrossentropy{});
  std::size_t batches = 0;
  auto count = std::make_shared<tn::LambdaCallback>();
  count->batch_end = [&](std::size_t, tn::Logs&) { ++batches; };
  CHECK_THROWS_WITH_AS(model.fit(data.x, data.y, {.batch_size = 8, .epochs = 2, .verbose = 0, .shuffle = false,
                                                  .callbacks = {count}}),
                       doctest::Contains("at epoch 1, batch 2 of 5"), std::runtime_error);
  CHECK(batches == 1);
}
