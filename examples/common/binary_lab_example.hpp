#pragma once
// A lab example for a binary diagnosis (Dense<1, Sigmoid> + binary cross-entropy): trains with
// balanced class weights, selects the epoch and the decision threshold on the validation split
// only, then touches the test split once. Writes what lab_example.hpp's run() writes (metrics.json,
// history.csv/json/png, confusion.txt/png, summary.txt, model.typenet, model.onnx) plus the clinical view:
// classification reports and confusion matrices of both splits, roc.png, and comparison.md
// (the test figures next to published ones).
#include <chrono>
#include <cstdint>
#include <iomanip>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/lab_example.hpp"
#include "common/lab_report.hpp"
#include "typenet/data/augment.hpp"
#include "typenet/metrics/class_weight.hpp"
#include "typenet/metrics/roc.hpp"
#include "typenet/training/keep_best.hpp"

namespace lab {

struct BinarySplit {
  typenet::Features x;
  const xt::xtensor<std::uint8_t, 1>& labels;  // 0 negative, 1 positive
};

// (n,) class indices as the (n, 1) float targets of binary cross-entropy.
inline xt::xtensor<float, 2> binary_targets(const xt::xtensor<std::uint8_t, 1>& labels) {
  auto y = xt::xtensor<float, 2>::from_shape({labels.size(), 1});
  for (std::size_t i = 0; i < labels.size(); ++i) y(i, 0) = static_cast<float>(labels(i));
  return y;
}

inline std::vector<float> positive_scores(const xt::xtensor<float, 2>& probabilities) {
  return std::vector<float>(probabilities.begin(), probabilities.end());
}

template <class Net>
void run_binary(typenet::Model<Net>& model, const BinarySpec& binary, const Options& options,
                          const BinarySplit& train, const BinarySplit& val, const BinarySplit& test) {
  const ModelSpec& spec = binary.model;
  const fs::path dir = options.model_dir(spec.name);
  fs::create_directories(dir);
  const std::size_t epochs = options.epochs.value_or(spec.epochs);
  std::cout << "\n== " << spec.part << ": " << spec.name << " — " << spec.description << " (batch " << spec.batch_size
            << ", up to " << epochs << " epochs)\n";
  model.summary(std::cout);
  std::ostringstream summary;
  model.summary(summary);

  const std::vector<std::uint8_t> train_labels(train.labels.begin(), train.labels.end());
  const std::vector<std::uint8_t> val_labels(val.labels.begin(), val.labels.end());
  const std::vector<std::uint8_t> test_labels(test.labels.begin(), test.labels.end());
  const auto y_train = binary_targets(train.labels), y_val = binary_targets(val.labels), y_test = binary_targets(test.labels);
  const std::vector<double> class_weight = typenet::balanced_class_weight(train_labels, 2);
  std::cout << "class weights (balanced): " << class_weight[0] << ", " << class_weight[1] << '\n';

  auto val_auc = [&] { return typenet::metrics::roc_auc(val_labels, positive_scores(model.predict(val.x))); };
  // With augmentation, fit sees a buffer that holds a new distortion of every image each epoch.
  std::optional<AugmentedImages> augmented;
  typenet::Features x_train = train.x;
  std::function<void(std::size_t)> augment;
  if (spec.augmentation) {
    augmented.emplace(train.x, train.x.shape.rows(), *spec.augmentation, options.seed);
    x_train = augmented->features();
    augment = [&](std::size_t) { augmented->refresh(); };
  }
  const auto start = std::chrono::steady_clock::now();
  const typenet::KeepBestResult fitted = typenet::fit_keep_best(
      model, x_train, y_train,
      {.batch_size = spec.batch_size, .epochs = epochs, .verbose = options.verbose,
       .validation_data = typenet::ValidationData{val.x, y_val}, .class_weight = class_weight},
      {.monitor = "val_auc", .score = val_auc, .patience = binary.patience, .on_epoch_begin = augment});
  const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // The threshold and every figure after it are chosen on the validation split's scores; the test
  // split is scored once, here (lab_report.cpp).
  const typenet::Evaluation test_result = model.evaluate(test.x, y_test);
  save_model(model, dir);
  write_binary_results({binary, options, Net::param_count, epochs, fitted.history, fitted.best_epoch,
                        fitted.stopped_early, class_weight, train_seconds, summary.str(), val_labels,
                        positive_scores(model.predict(val.x)), test_labels, positive_scores(model.predict(test.x)),
                        test_result.loss, test_result.accuracy});
}

}  // namespace lab
