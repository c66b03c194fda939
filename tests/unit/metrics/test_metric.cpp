// metrics/metric.hpp: the metrics compile() takes, against scikit-learn on the inputs
// tests/data/metrics/make_metric_golden.py wrote (1e-12 unless said), streamed in uneven pieces as
// fit streams batches and threads; then through a Model: what fit, History and evaluate report.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "support/golden_lines.hpp"
#include "typenet/io/training_state_json.hpp"
#include "typenet/typenet.hpp"

namespace test_metric {

namespace tn = typenet;

namespace {

std::map<std::string, std::vector<double>> golden() {
  return typenet::testing::read_golden_lines(TYPENET_TEST_DATA "/metrics/metric_golden.txt");
}

std::vector<float> floats(const std::vector<double>& v) { return {v.begin(), v.end()}; }

// The metrics' figures over rows of `outputs` outputs and targets of `width`, added up from pieces
// of 1, 7, 64, ... rows, each into a fresh state, as fit adds up workers and batches.
std::vector<double> run(std::vector<tn::Metric> metrics, const tn::Loss& loss, const std::vector<float>& p,
                        std::size_t outputs, const std::vector<float>& t, std::size_t width) {
  const tn::detail::MetricList list(std::move(metrics));
  const std::size_t rows = p.size() / outputs;
  REQUIRE(t.size() == rows * width);
  std::vector<double> total(list.state_size(), 0.0);
  std::size_t piece = 1;
  for (std::size_t begin = 0; begin < rows; begin += piece, piece = piece * 7 % 97 + 1) {
    const std::size_t n = std::min(piece, rows - begin);
    std::vector<double> state(list.state_size(), 0.0);
    list.accumulate(loss, state.data(), p.data() + begin * outputs, outputs, t.data() + begin * width, width, n);
    for (std::size_t i = 0; i < state.size(); ++i) total[i] += state[i];
  }
  std::vector<double> values(list.size());
  list.results(total.data(), static_cast<double>(rows), values.data());
  return values;
}

}  // namespace

TEST_CASE("binary metrics against scikit-learn: accuracy, at a threshold, precision, recall, Keras's AUC") {
  const auto g = golden();
  const auto p = floats(g.at("binary_p")), y = floats(g.at("binary_y"));
  const auto v = run({"accuracy", "binary_accuracy", "precision", tn::metrics::Recall{}, "auc"}, tn::BinaryCrossentropy{}, p,
                     1, y, 1);
  CHECK(v[0] == doctest::Approx(g.at("binary_accuracy")[0]).epsilon(1e-12));
  CHECK(v[1] == doctest::Approx(g.at("binary_accuracy")[0]).epsilon(1e-12));
  CHECK(run({tn::metrics::BinaryAccuracy{.threshold = 0.7}}, tn::BinaryCrossentropy{}, p, 1, y, 1)[0] ==
        doctest::Approx(g.at("binary_accuracy_0.7")[0]).epsilon(1e-12));
  CHECK(v[2] == doctest::Approx(g.at("precision")[0]).epsilon(1e-12));
  CHECK(v[3] == doctest::Approx(g.at("recall")[0]).epsilon(1e-12));
  // Keras's 200 thresholds: the exact area of the bucketed scores, and near the exact AUC.
  CHECK(v[4] == doctest::Approx(g.at("auc_keras")[0]).epsilon(1e-12));
  CHECK(std::abs(v[4] - g.at("auc_exact")[0]) < 1e-3);
  // More thresholds come closer to the exact area.
  const auto fine = run({tn::metrics::AUC{.num_thresholds = 20000}}, tn::BinaryCrossentropy{}, p, 1, y, 1);
  CHECK(std::abs(fine[0] - g.at("auc_exact")[0]) < 1e-4);
}

TEST_CASE("categorical metrics against scikit-learn, with one-hot and with class-index targets") {
  const auto g = golden();
  const auto p = floats(g.at("categorical_p"));
  const auto labels = floats(g.at("categorical_y"));
  std::vector<float> onehot(labels.size() * 3, 0.0f);
  for (std::size_t i = 0; i < labels.size(); ++i) onehot[i * 3 + static_cast<std::size_t>(labels[i])] = 1.0f;
  const auto dense = run({"accuracy", "categorical_accuracy", "precision", "recall", tn::metrics::AUC{.num_thresholds = 20000}},
                         tn::CategoricalCrossentropy{}, p, 3, onehot, 3);
  const auto sparse = run({"acc", "sparse_categorical_accuracy", "precision", "recall", tn::metrics::AUC{.num_thresholds = 20000}},
                          tn::SparseCategoricalCrossentropy{}, p, 3, labels, 1);
  for (const auto& v : {dense, sparse}) {
    CHECK(v[0] == doctest::Approx(g.at("categorical_accuracy")[0]).epsilon(1e-12));
    CHECK(v[1] == doctest::Approx(g.at("categorical_accuracy")[0]).epsilon(1e-12));
    CHECK(v[2] == doctest::Approx(g.at("categorical_precision")[0]).epsilon(1e-12));
    CHECK(v[3] == doctest::Approx(g.at("categorical_recall")[0]).epsilon(1e-12));
    CHECK(std::abs(v[4] - g.at("categorical_auc_exact")[0]) < 2e-5);
  }
}

TEST_CASE("regression metrics against scikit-learn; names and what compile refuses") {
  const auto g = golden();
  const auto v = run({"mae", tn::metrics::MeanSquaredError{}}, tn::MeanSquaredError{}, floats(g.at("regression_p")), 2,
                     floats(g.at("regression_y")), 2);
  CHECK(v[0] == doctest::Approx(g.at("mae")[0]).epsilon(1e-9));  // float32 inputs summed in double
  CHECK(v[1] == doctest::Approx(g.at("mse")[0]).epsilon(1e-9));

  CHECK(tn::Metric("acc").name() == "acc");
  CHECK(tn::Metric(tn::metrics::AUC{}).name() == "auc");
  CHECK(tn::Metric("mae").name() == "mae");
  CHECK_THROWS_WITH_AS(tn::Metric("f1"), doctest::Contains("unknown metric \"f1\" (typenet has accuracy, acc,"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(tn::detail::MetricList({"auc", tn::metrics::AUC{}}), "compile: the metric \"auc\" is asked for twice",
                       std::invalid_argument);
  // As a saved model's header lists them, and what a hostile header may not hold.
  const auto json = tn::io::metrics_json(std::vector<tn::Metric>{"acc", tn::metrics::Precision{.threshold = 0.25}});
  CHECK(json.dump() == R"([{"name":"acc"},{"name":"precision","threshold":0.25}])");
  const auto back = tn::io::metrics_from_json(json);
  REQUIRE(back.size() == 2);
  CHECK(back[0].name() == "acc");
  CHECK(std::get<tn::metrics::Precision>(back[1].kind()).threshold == 0.25);
  auto refused = [](const char* text) {
    try {
      tn::io::metrics_from_json(nlohmann::ordered_json::parse(text));
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refused(R"([{"name":"auc","num_thresholds":200},{"name":"auc","num_thresholds":200}])") ==
        "the metric \"auc\" is listed twice");
  CHECK(refused(R"([{"name":"auc","num_thresholds":1000000000}])") ==
        "the metric \"auc\" has no \"num_thresholds\" from 2 to 100000");
  CHECK(refused(R"([{"name":"recall","threshold":0.5,"extra":1}])").starts_with("the metric \"recall\" has settings"));
  CHECK(refused(R"([{"name":"f1"}])").starts_with("unknown metric \"f1\""));
}

namespace {
using Binary = tn::Sequential<tn::Input<2>, tn::Dense<8, tn::ReLU>, tn::Dense<1, tn::Sigmoid>>;
using Regressor = tn::Sequential<tn::Input<1>, tn::Dense<16, tn::Tanh>, tn::Dense<1>>;
}  // namespace

TEST_CASE("fit, History and evaluate report exactly the metrics compile asked for") {
  // Regression: no accuracy unless asked (a 0.5-threshold "accuracy" of sin(x) means nothing).
  xt::xtensor<float, 2> x = xt::xtensor<float, 2>::from_shape({200, 1});
  xt::xtensor<float, 2> y = xt::xtensor<float, 2>::from_shape({200, 1});
  for (std::size_t i = 0; i < 200; ++i) {
    x(i, 0) = -3.0f + 6.0f * static_cast<float>(i) / 199.0f;
    y(i, 0) = std::sin(x(i, 0));
  }
  tn::Model<Regressor> regressor{1};
  regressor.compile(tn::Adam{.learning_rate = 0.01}, tn::MeanSquaredError{});
  tn::History h = regressor.fit(x, y, {.batch_size = 20, .epochs = 2, .verbose = 0, .validation_split = 0.2});
  CHECK(h.metrics() == std::vector<std::string>{"loss", "val_loss"});
  CHECK(regressor.evaluate(x, y).metrics.empty());

  regressor.compile(tn::Adam{.learning_rate = 0.01}, tn::MeanSquaredError{}, {"mae", "mse"});
  std::ostringstream out;
  h = regressor.fit(x, y, {.batch_size = 20, .epochs = 2, .verbose = 2, .validation_split = 0.2, .out = &out});
  CHECK(h.metrics() == std::vector<std::string>{"loss", "mae", "mse", "val_loss", "val_mae", "val_mse"});
  CHECK(out.str().find(" - mae: ") != std::string::npos);
  CHECK(out.str().find("accuracy") == std::string::npos);
  // The mse metric is the loss itself (unweighted, no regularisation).
  CHECK(h["mse"][1] == doctest::Approx(h["loss"][1]).epsilon(1e-6));
  const tn::Evaluation e = regressor.evaluate(x, y);
  const auto predicted = regressor.predict(x);
  double mae = 0;
  for (std::size_t i = 0; i < 200; ++i) mae += std::abs(predicted(i, 0) - y(i, 0));
  CHECK(e["mae"] == doctest::Approx(mae / 200).epsilon(1e-5));
  CHECK(e["mse"] == doctest::Approx(e.loss).epsilon(1e-5));
  CHECK_THROWS_WITH_AS(e["auc"], "Evaluation has no metric \"auc\" (it has mae, mse)", std::out_of_range);
  auto [loss, accuracy] = e;  // binds as before metrics
  CHECK(loss == e.loss);
  CHECK(accuracy == e.accuracy);

  // Binary classification with Keras's usual list; a saved model keeps it.
  xt::xtensor<float, 2> xb = xt::xtensor<float, 2>::from_shape({256, 2});
  xt::xtensor<float, 2> yb = xt::xtensor<float, 2>::from_shape({256, 1});
  for (std::size_t i = 0; i < 256; ++i) {
    xb(i, 0) = static_cast<float>(i % 16) / 8.0f - 1.0f;
    xb(i, 1) = static_cast<float>(i / 16) / 8.0f - 1.0f;
    yb(i, 0) = xb(i, 0) * xb(i, 1) + 0.3f * xb(i, 0) > 0.0f ? 1.0f : 0.0f;
  }
  tn::Model<Binary> classifier{2};
  classifier.compile(tn::Adam{.learning_rate = 0.02}, tn::BinaryCrossentropy{},
                     {"accuracy", tn::metrics::AUC{}, tn::metrics::Precision{}, tn::metrics::Recall{}});
  h = classifier.fit(xb, yb, {.batch_size = 32, .epochs = 20, .verbose = 0, .validation_split = 0.25});
  CHECK(h.metrics() == std::vector<std::string>{"loss", "accuracy", "auc", "precision", "recall", "val_loss",
                                                "val_accuracy", "val_auc", "val_precision", "val_recall"});
  const tn::Evaluation b = classifier.evaluate(xb, yb);
  CHECK(b["accuracy"] == b.accuracy);
  CHECK(b["auc"] > 0.8);
  // The same figures from predict's outputs, by the list on its own.
  const auto scores = classifier.predict(xb);
  const auto direct = run({"accuracy", "auc", "precision", "recall"}, tn::BinaryCrossentropy{},
                          std::vector<float>(scores.begin(), scores.end()), 1, std::vector<float>(yb.begin(), yb.end()), 1);
  for (std::size_t m = 0; m < 4; ++m) CHECK(b.metrics[m].second == doctest::Approx(direct[m]).epsilon(1e-12));

  const auto path = std::filesystem::temp_directory_path() / ("typenet_metrics_" + std::to_string(::getpid()) + ".typenet");
  classifier.save(path);
  auto loaded = tn::Model<Binary>::load(path);
  std::filesystem::remove(path);
  REQUIRE(loaded.metrics().size() == 4);
  CHECK(loaded.metrics()[1].name() == "auc");
  CHECK(std::get<tn::metrics::AUC>(loaded.metrics()[1].kind()).num_thresholds == 200);
  CHECK(loaded.evaluate(xb, yb).metrics == b.metrics);
}

}  // namespace test_metric
