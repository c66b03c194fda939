// training/callbacks.hpp: the order fit calls callbacks in, and each callback as Keras 3 decides,
// driven by a scripted monitor so that the epoch it acts at (and what it restores, sets or saves)
// is known in advance.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <xtensor/xtensor.hpp>

#include "typenet/typenet.hpp"

namespace test_callbacks {

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
  CHECK(batches == 2);  // the callbacks see the bad batch (TerminateOnNaN would stop there), then fit throws
}

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("typenet_callbacks_" + std::to_string(::getpid()));
  TempDir() {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("ReduceLROnPlateau cuts the rate at the epochs Keras would, with cooldown and min_lr") {
  const Data data;
  tn::Model<Net> model{7};
  model.compile(tn::SGD{.learning_rate = 0.1}, tn::SparseCategoricalCrossentropy{});
  // Keras 3's rules by hand (best, wait, cooldown counter; min_delta 1e-4, patience 2, cooldown 1):
  // 0: best 1.0 | 1: best 0.9 | 2: wait 1 | 3: wait 2: 0.1 -> 0.05, cooldown 1 | 4: the cooldown
  // ends (wait 0), then no improvement: wait 1 | 5: wait 2: 0.05 -> 0.025 | 6: wait 1 | 7: wait 2:
  // 0.025 -> max(0.0125, min_lr 0.02) = 0.02 | 8: wait 1 | 9, 10: at min_lr, nothing more.
  // "learning_rate" in the logs is the rate the epoch trained with (read before the cut).
  Script script({1.0, 0.9, 0.95, 0.92, 0.91, 0.95, 0.96, 0.97, 0.98, 0.99, 0.995}, model);
  std::ostringstream out;
  auto reduce = std::make_shared<tn::ReduceLROnPlateau>(tn::ReduceLROnPlateau::Options{
      .monitor = "monitor", .factor = 0.5, .patience = 2, .verbose = 1, .cooldown = 1, .min_lr = 0.02, .out = &out});
  const tn::History h =
      model.fit(data.x, data.y, {.batch_size = 8, .epochs = 11, .verbose = 0, .callbacks = {script.callback, reduce}});
  const std::vector<double> expected = {0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02};
  REQUIRE(h["learning_rate"].size() == expected.size());
  for (std::size_t e = 0; e < expected.size(); ++e) {
    CAPTURE(e);
    CHECK(h["learning_rate"][e] == doctest::Approx(expected[e]).epsilon(1e-15));
  }
  CHECK(model.optimizer().learning_rate() == doctest::Approx(0.02).epsilon(1e-15));
  CHECK(model.optimizer().iterations() == 55);  // the moments and the step count were never reset
  CHECK(out.str() ==
        "Epoch 4: ReduceLROnPlateau reducing learning rate to 0.05.\n"
        "Epoch 6: ReduceLROnPlateau reducing learning rate to 0.025.\n"
        "Epoch 8: ReduceLROnPlateau reducing learning rate to 0.02.\n");
  CHECK_THROWS_WITH_AS(tn::ReduceLROnPlateau({.factor = 1.0}),
                       "ReduceLROnPlateau: factor must be below 1 (it multiplies the rate), not 1.000000",
                       std::invalid_argument);
}

TEST_CASE("LearningRateScheduler sets each epoch's rate from the epoch and the current rate") {
  const Data data;
  tn::Model<Net> model{8};
  model.compile(tn::SGD{.learning_rate = 0.1}, tn::SparseCategoricalCrossentropy{});
  std::vector<std::size_t> epochs_seen;
  auto scheduler = std::make_shared<tn::LearningRateScheduler>([&](std::size_t epoch, double rate) {
    epochs_seen.push_back(epoch);
    return epoch < 2 ? rate : rate * 0.5;  // Keras's documented example
  });
  const tn::History h = model.fit(data.x, data.y, {.batch_size = 8, .epochs = 4, .verbose = 0, .callbacks = {scheduler}});
  CHECK(epochs_seen == std::vector<std::size_t>{0, 1, 2, 3});
  CHECK(h["learning_rate"] == std::vector<double>{0.1, 0.1, 0.05, 0.025});

  // A schedule given to the optimizer is not settable per epoch as well: said at the first epoch.
  model.compile(tn::SGD{.learning_rate = tn::ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 10, .decay_rate = 0.5})},
                tn::SparseCategoricalCrossentropy{});
  CHECK_THROWS_WITH_AS(model.fit(data.x, data.y, {.epochs = 1, .verbose = 0, .callbacks = {scheduler}}),
                       doctest::Contains("ExponentialDecay schedule, which is not settable"), std::logic_error);
}

TEST_CASE("TerminateOnNaN ends fit at the first non-finite batch loss, returning the History so far") {
  const Data data;
  tn::Model<Net> model{6};
  model.compile(tn::SGD{.learning_rate = 1e35}, tn::SparseCategoricalCrossentropy{});  // NaN at batch 2 (above)
  std::size_t batches = 0;
  auto count = std::make_shared<tn::LambdaCallback>();
  count->batch_end = [&](std::size_t, tn::Logs&) { ++batches; };
  std::ostringstream out;
  const tn::History h = model.fit(data.x, data.y, {.batch_size = 8, .epochs = 2, .verbose = 0, .shuffle = false,
                                                   .callbacks = {std::make_shared<tn::TerminateOnNaN>(&out), count}});
  CHECK(batches == 2);
  CHECK(out.str() == "Batch 1: Invalid loss, terminating training\n");
  CHECK(h.epochs() == 1);
  CHECK(std::isnan(h["loss"][0]));
}

TEST_CASE("CSVLogger writes the epochs' logs as Keras does, replacing the file atomically, and appends") {
  const Data data;
  const TempDir dir;
  const auto file = dir.path / "log.csv";
  tn::Model<Net> model{9};
  model.compile(tn::SGD{}, tn::SparseCategoricalCrossentropy{});
  const tn::History h = model.fit(data.x, data.y, {.batch_size = 8, .epochs = 2, .verbose = 0, .validation_split = 0.25,
                                                   .callbacks = {std::make_shared<tn::CSVLogger>(file.string())}});
  const std::string text = read_text(file);
  // Every line ends in "\r\n", as Python's csv module writes them.
  CHECK(text.ends_with("\r\n"));
  CHECK(std::count(text.begin(), text.end(), '\n') == 3);
  CHECK(std::count(text.begin(), text.end(), '\r') == 3);
  std::istringstream lines(text);
  std::string line;
  auto next_line = [&] {
    if (!std::getline(lines, line)) return false;
    REQUIRE(line.ends_with('\r'));
    line.pop_back();
    return true;
  };
  REQUIRE(next_line());
  CHECK(line == "epoch,accuracy,loss,val_accuracy,val_loss");  // the logs' names, sorted
  for (std::size_t e = 0; e < 2; ++e) {
    REQUIRE(next_line());
    std::istringstream fields(line);
    std::string field;
    std::vector<double> values;
    while (std::getline(fields, field, ',')) values.push_back(std::stod(field));
    REQUIRE(values.size() == 5);
    CHECK(values[0] == static_cast<double>(e));  // epochs from 0, as Keras writes them
    // Written with the shortest text that reads back as the same double: exact.
    CHECK(values[1] == h["accuracy"][e]);
    CHECK(values[2] == h["loss"][e]);
    CHECK(values[3] == h["val_accuracy"][e]);
    CHECK(values[4] == h["val_loss"][e]);
  }
  CHECK(!next_line());
  // No temporary file is left beside it.
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path), std::filesystem::directory_iterator()) == 1);

  // append: the rows go on after the present ones, with no second header; separator ';'.
  model.fit(data.x, data.y, {.batch_size = 8, .epochs = 1, .verbose = 0,
                             .callbacks = {std::make_shared<tn::CSVLogger>(file.string(), ';', true)}});
  const std::string appended = read_text(file);
  REQUIRE(appended.starts_with(text));
  const std::string row = appended.substr(text.size());
  CHECK(row.starts_with("0;"));
  CHECK(std::count(row.begin(), row.end(), ';') == 2);  // epoch;accuracy;loss
  CHECK(row.ends_with("\r\n"));
  CHECK(std::count(row.begin(), row.end(), '\n') == 1);
}

TEST_CASE("ModelCheckpoint saves every epoch, or the best ones, to paths formatted from the epoch and the logs") {
  const Data data;
  const TempDir dir;
  tn::Model<Net> model{10};
  model.compile(tn::Adam{.learning_rate = 0.01}, tn::SparseCategoricalCrossentropy{});
  Script script({3.0, 1.0, 2.0, 0.5}, model);
  std::ostringstream out;
  auto best = std::make_shared<tn::ModelCheckpoint>(model, tn::ModelCheckpoint::Options{
      .filepath = (dir.path / "{epoch:02d}-{monitor:.2f}.typenet").string(), .monitor = "monitor", .verbose = 1,
      .save_best_only = true, .out = &out});
  model.fit(data.x, data.y, {.batch_size = 8, .epochs = 4, .verbose = 0, .callbacks = {script.callback, best}});
  CHECK(std::filesystem::exists(dir.path / "01-3.00.typenet"));
  CHECK(std::filesystem::exists(dir.path / "02-1.00.typenet"));
  CHECK(!std::filesystem::exists(dir.path / "03-2.00.typenet"));  // 2.0 does not beat 1.0
  REQUIRE(std::filesystem::exists(dir.path / "04-0.50.typenet"));
  CHECK(best->best() == 0.5);
  const std::string p = dir.path.string() + "/";
  CHECK(out.str() == "Epoch 1: monitor improved from inf to 3.00000, saving model to " + p + "01-3.00.typenet\n"
                     "Epoch 2: monitor improved from 3.00000 to 1.00000, saving model to " + p + "02-1.00.typenet\n"
                     "Epoch 3: monitor did not improve from 1.00000\n"
                     "Epoch 4: monitor improved from 1.00000 to 0.50000, saving model to " + p + "04-0.50.typenet\n");
  // The file holds the model as that epoch left it, optimizer and History included.
  const auto saved = tn::Model<Net>::load(dir.path / "02-1.00.typenet");
  CHECK(weights_of(saved) == script.weights_after[1]);
  CHECK(saved.history().epochs() == 2);
  CHECK(saved.history()["monitor"] == std::vector<double>{3.0, 1.0});  // the Script callback ran before it
  CHECK(saved.optimizer().iterations() == 10);

  // Every epoch, weights only, to one path: the last epoch's weights, for load_weights.
  auto every = std::make_shared<tn::ModelCheckpoint>(model, tn::ModelCheckpoint::Options{
      .filepath = (dir.path / "last.weights").string(), .save_weights_only = true});
  model.fit(data.x, data.y, {.batch_size = 8, .epochs = 2, .verbose = 0, .callbacks = {every}});
  tn::Model<Net> fresh{99};
  fresh.load_weights(dir.path / "last.weights");
  CHECK(weights_of(fresh) == weights_of(model));
  CHECK(!tn::Model<Net>::load(dir.path / "last.weights").history().epochs());
}

TEST_CASE("format_checkpoint_path: Python's fields and specifications, and what it refuses") {
  tn::Logs logs;
  logs.set("loss", 0.123456);
  logs.set("val_accuracy", 0.9);
  CHECK(tn::format_checkpoint_path("m-{epoch}.typenet", 7, logs) == "m-7.typenet");
  CHECK(tn::format_checkpoint_path("{epoch:03d}_{loss:.3f}_{val_accuracy}", 12, logs) == "012_0.123_0.9");
  CHECK(tn::format_checkpoint_path("{{literal}}-{loss:.2e}", 1, logs) == "{literal}-1.23e-01");
  CHECK_THROWS_WITH_AS(tn::format_checkpoint_path("{val_loss:.2f}.typenet", 1, logs),
                       "ModelCheckpoint: the filepath names {val_loss}, which is neither the epoch nor in the logs "
                       "(epoch, loss, val_accuracy)",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(tn::format_checkpoint_path("{epoch:.2f}", 1, logs),
                       "ModelCheckpoint: {epoch} is an integer; format it with d, not f", std::invalid_argument);
  CHECK_THROWS_AS(tn::format_checkpoint_path("{loss", 1, logs), std::invalid_argument);
  CHECK_THROWS_AS(tn::format_checkpoint_path("{loss:999999f}", 1, logs), std::invalid_argument);
}

TEST_CASE("in a team, a process whose callback stops training stops every process at the same batch") {
  // A stand-in for the other processes: the first process alone, except that at the second vote
  // of the run another process votes to stop (as its TerminateOnNaN would).
  struct OtherProcessStops : tn::Solo {
    static constexpr bool averages_gradients() { return true; }
    mutable int votes = 0;
    void sum(std::span<double> values) const {
      if (values.size() == 1 && ++votes == 2) values[0] += 1.0;
    }
  };
  const Data data;
  tn::Model<Net> model{11};
  model.compile(tn::SGD{}, tn::SparseCategoricalCrossentropy{});
  std::size_t batches = 0;
  auto count = std::make_shared<tn::LambdaCallback>();
  count->batch_end = [&](std::size_t, tn::Logs&) { ++batches; };
  const OtherProcessStops team;
  const tn::History h = model.fit(data.x, data.y, {.batch_size = 8, .epochs = 3, .verbose = 0, .callbacks = {count}}, team);
  CHECK(batches == 2);
  CHECK(h.epochs() == 1);
}

}  // namespace test_callbacks
