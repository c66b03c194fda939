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
#include "typenet/metrics/roc.hpp"
#include "typenet/training/keep_best.hpp"

namespace lab {

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
  std::ostringstream summary;
  model.summary(summary);
  print_run_heading(spec, epochs, true, summary.str());
  const BinaryTargets t = binary_targets(train, val, test);

  auto val_auc = [&] { return typenet::metrics::roc_auc(t.val_labels, positive_scores(model.predict(val.x))); };
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
      model, x_train, t.y_train,
      {.batch_size = spec.batch_size, .epochs = epochs, .verbose = options.verbose,
       .validation_data = typenet::ValidationData{val.x, t.y_val}, .class_weight = t.class_weight},
      {.monitor = "val_auc", .score = val_auc, .patience = binary.patience, .on_epoch_begin = augment});
  const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // The threshold and every figure after it are chosen on the validation split's scores; the test
  // split is scored once, here (lab_report.cpp).
  const typenet::Evaluation test_result = model.evaluate(test.x, t.y_test);
  save_model(model, dir);
  write_binary_results({binary, options, Net::param_count, epochs, fitted.history, fitted.best_epoch,
                        fitted.stopped_early, t.class_weight, train_seconds, summary.str(), t.val_labels,
                        positive_scores(model.predict(val.x)), t.test_labels, positive_scores(model.predict(test.x)),
                        test_result.loss, test_result.accuracy});
}

}  // namespace lab
