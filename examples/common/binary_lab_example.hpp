#pragma once
// A lab example for a binary diagnosis (Dense<1, Sigmoid> + binary cross-entropy): trains with
// balanced class weights, selects the epoch and the decision threshold on the validation split
// only, then touches the test split once. Writes what lab_example.hpp's run() writes (metrics.json,
// history.csv/json/png, confusion.txt/png, summary.txt, model.typenet) plus the clinical view:
// classification reports and confusion matrices of both splits, roc.png, and comparison.md
// (the test figures next to published ones).
#include <chrono>
#include <cstdint>
#include <iomanip>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/lab_example.hpp"
#include "typenet/data/augment.hpp"
#include "typenet/training/keep_best.hpp"
#include "typenet/metrics.hpp"
#include "typenet/plot/roc.hpp"

namespace lab {

struct BinarySplit {
  typenet::Features x;
  const xt::xtensor<std::uint8_t, 1>& labels;  // 0 negative, 1 positive
};

struct BinarySpec {
  ModelSpec model;
  std::size_t patience = 0;  // epochs without a better validation AUC before stopping; 0 never
  std::vector<std::string> class_names = {"0", "1"};
  nlohmann::json references = nlohmann::json::object();  // published figures to print next to ours
  std::optional<typenet::ImageAugmentation> augmentation;  // fresh random distortions every epoch
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

inline std::vector<std::uint8_t> at_threshold(const std::vector<float>& scores, double threshold) {
  std::vector<std::uint8_t> classes(scores.size());
  for (std::size_t i = 0; i < scores.size(); ++i) classes[i] = scores[i] >= threshold;
  return classes;
}

template <class Net>
nlohmann::json run_binary(typenet::Model<Net>& model, const BinarySpec& binary, const Options& options,
                          const BinarySplit& train, const BinarySplit& val, const BinarySplit& test) {
  namespace tnm = typenet::metrics;
  const ModelSpec& spec = binary.model;
  const fs::path dir = options.out_dir / spec.name;
  fs::create_directories(dir);
  const std::size_t epochs = options.epochs.value_or(spec.epochs);
  std::cout << "\n== " << spec.part << ": " << spec.name << " — " << spec.description << " (batch " << spec.batch_size
            << ", up to " << epochs << " epochs)\n";
  model.summary(std::cout);
  std::ostringstream summary;
  model.summary(summary);
  typenet::io::write_file_atomically(dir / "summary.txt", summary.str());

  const std::vector<std::uint8_t> train_labels(train.labels.begin(), train.labels.end());
  const std::vector<std::uint8_t> val_labels(val.labels.begin(), val.labels.end());
  const std::vector<std::uint8_t> test_labels(test.labels.begin(), test.labels.end());
  const auto y_train = binary_targets(train.labels), y_val = binary_targets(val.labels), y_test = binary_targets(test.labels);
  const std::vector<double> class_weight = typenet::balanced_class_weight(train_labels, 2);
  std::cout << "class weights (balanced): " << class_weight[0] << ", " << class_weight[1] << '\n';

  auto val_auc = [&] { return tnm::roc_auc(val_labels, positive_scores(model.predict(val.x))); };
  // With augmentation, fit sees a buffer that holds a new distortion of every image each epoch.
  std::vector<float> augmented;
  typenet::Features x_train = train.x;
  std::function<void(std::size_t)> augment;
  if (binary.augmentation) {
    const auto& shape = train.x.shape;
    augmented.resize(shape.rows() * shape.row_size());
    x_train = typenet::Features(augmented.data(), shape);
    augment = [&, augmenter = std::make_shared<typenet::ImageAugmenter>(*binary.augmentation, options.seed)](std::size_t) {
      augmenter->apply(train.x.data, augmented.data(), shape.rows(), shape.dims[1], shape.dims[2], shape.rank == 4 ? shape.dims[3] : 1);
    };
  }
  const auto start = std::chrono::steady_clock::now();
  const typenet::KeepBestResult fitted = typenet::fit_keep_best(
      model, x_train, y_train,
      {.batch_size = spec.batch_size, .epochs = epochs, .verbose = options.verbose,
       .validation_data = typenet::ValidationData{val.x, y_val}, .class_weight = class_weight},
      {.monitor = "val_auc", .score = val_auc, .patience = binary.patience, .on_epoch_begin = augment});
  const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const typenet::History& history = fitted.history;

  // Everything below the line is chosen on validation data; the test split is read once after it.
  const std::vector<float> val_scores = positive_scores(model.predict(val.x));
  const double threshold = tnm::youden_threshold(val_labels, val_scores);
  const auto val_confusion = typenet::confusion_matrix(val_labels, at_threshold(val_scores, threshold), 2);

  const typenet::Evaluation test_result = model.evaluate(test.x, y_test);
  const std::vector<float> test_scores = positive_scores(model.predict(test.x));
  const auto test_confusion = typenet::confusion_matrix(test_labels, at_threshold(test_scores, threshold), 2);
  const auto test_scores_at = tnm::binary_scores(test_confusion);
  const double test_auc = tnm::roc_auc(test_labels, test_scores);
  const double val_auc_best = tnm::roc_auc(val_labels, val_scores);

  model.save(dir / "model.typenet");
  history.write_csv(dir / "history.csv");
  history.write_json(dir / "history.json");
  typenet::plot::history(history, dir / "history.png", spec.name + ": " + spec.part);  // descriptions are too long for a title
  typenet::io::write_file_atomically(dir / "confusion.txt", test_confusion.to_string());
  typenet::io::write_file_atomically(dir / "confusion_val.txt", val_confusion.to_string());
  typenet::plot::confusion(test_confusion, dir / "confusion.png", spec.name + " on the test split");
  typenet::plot::confusion(val_confusion, dir / "confusion_val.png", spec.name + " on the validation split");
  std::ostringstream threshold_text;
  threshold_text << std::setprecision(4) << threshold;
  const std::string val_report = tnm::classification_report(val_confusion, binary.class_names, 4);
  const std::string test_report = tnm::classification_report(test_confusion, binary.class_names, 4);
  typenet::io::write_file_atomically(dir / "classification_report.txt",
                                     "threshold " + threshold_text.str() + " (Youden's J on the validation split)\n\n"
                                     "validation split:\n" + val_report + "\ntest split:\n" + test_report);
  auto auc_label = [](const std::string& split, double auc) {
    std::ostringstream s;
    s << split << " (AUC " << std::fixed << std::setprecision(3) << auc << ")";
    return s.str();
  };
  typenet::plot::roc({{auc_label("validation", val_auc_best), tnm::roc_curve(val_labels, val_scores)},
                      {auc_label("test", test_auc), tnm::roc_curve(test_labels, test_scores)}},
                     dir / "roc.png", spec.name + ": ROC");

  const std::size_t trained = history.epochs();
  nlohmann::json metrics = common_metrics<Net>(spec, options, trained, history, train_seconds);
  metrics.update({
      {"max_epochs", epochs},
      {"best_epoch", fitted.best_epoch},
      {"stopped_early", fitted.stopped_early},
      {"class_weight", class_weight},
      {"augmentation", binary.augmentation ? nlohmann::json{{"shift", binary.augmentation->shift},
                                                            {"rotation_degrees", binary.augmentation->rotation_degrees},
                                                            {"zoom", binary.augmentation->zoom},
                                                            {"horizontal_flip", binary.augmentation->horizontal_flip}}
                                           : nlohmann::json(nullptr)},
      {"threshold", threshold},
      {"threshold_rule", "Youden's J (sensitivity + specificity - 1) on the validation split"},
      {"val_auc", val_auc_best},
      {"val_accuracy", static_cast<double>(val_confusion.correct()) / static_cast<double>(val_confusion.total())},
      {"test_loss", test_result.loss},
      {"test_accuracy", test_scores_at.accuracy},
      {"test_accuracy_at_0_5", test_result.accuracy},
      {"test_auc", test_auc},
      {"test_precision", test_scores_at.precision},
      {"test_recall", test_scores_at.sensitivity},
      {"test_f1", test_scores_at.f1},
      {"test_specificity", test_scores_at.specificity},
      {"test_npv", test_scores_at.npv},
      {"references", binary.references},
  });
  typenet::io::write_file_atomically(dir / "metrics.json", metrics.dump(2) + "\n");
  if (!binary.references.empty()) {
    // Ours next to the published figures, on the same test split.
    std::ostringstream table;
    table << std::fixed << std::setprecision(3) << "| model | test accuracy | test AUC |\n|---|---:|---:|\n| typenet " << spec.name
          << " (threshold " << threshold_text.str() << " from validation) | " << test_scores_at.accuracy << " | " << test_auc << " |\n";
    for (const auto& item : binary.references.items()) {
      table << "| " << item.key() << " (published) |";
      for (const char* key : {"test_accuracy", "test_auc"}) {
        if (item.value().contains(key))
          table << ' ' << item.value()[key].template get<double>() << " |";
        else
          table << " – |";
      }
      table << "\n";
    }
    typenet::io::write_file_atomically(dir / "comparison.md", table.str());
    std::cout << table.str();
  }
  std::cout << "validation (threshold " << threshold_text.str() << ", Youden's J):\n"
            << val_report << "test:\n"
            << test_report << std::fixed << std::setprecision(4) << spec.name << ": test AUC " << test_auc
            << ", accuracy " << test_scores_at.accuracy << " (at 0.5: " << test_result.accuracy << "), sensitivity "
            << test_scores_at.sensitivity << ", specificity " << test_scores_at.specificity << ", F1 "
            << test_scores_at.f1 << "; best epoch " << fitted.best_epoch << " of " << trained << ", "
            << std::setprecision(1) << train_seconds << " s; results in " << dir.string() << std::defaultfloat << "\n";
  return metrics;
}

}  // namespace lab
