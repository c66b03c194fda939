// The results a lab example writes about each model (common/lab_report.hpp), compiled once for
// every example.
#include "common/lab_report.hpp"
#include "common/weight_census.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "typenet/io/atomic_file.hpp"
#include "typenet/metrics.hpp"
#include "typenet/model/summary.hpp"  // with_thousands
#include "typenet/plot.hpp"
#include "typenet/plot/roc.hpp"

namespace lab {

namespace {

namespace fs = std::filesystem;
namespace tnm = typenet::metrics;

nlohmann::json optional_number(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

// The published figures as metrics.json records them: an object by model name.
nlohmann::json references_json(const std::vector<Published>& references) {
  auto object = nlohmann::json::object();
  for (const auto& r : references) {
    auto figures = nlohmann::json::object();
    if (r.test_accuracy) figures["test_accuracy"] = *r.test_accuracy;
    if (r.test_auc) figures["test_auc"] = *r.test_auc;
    object[r.model] = figures;
  }
  return object;
}

// The metrics.json fields of every lab model (json objects keep their keys sorted).
nlohmann::json common_metrics(const ModelSpec& spec, const Options& options, std::size_t params, std::size_t epochs,
                              const typenet::History& history, double train_seconds) {
  return {
      {"part", spec.part},
      {"model", spec.name},
      {"description", spec.description},
      {"params", params},
      {"epochs", epochs},
      {"batch_size", spec.batch_size},
      {"seed", options.seed},
      {"final_val_loss", history["val_loss"].back()},
      {"final_val_accuracy", history["val_accuracy"].back()},
      {"train_seconds", train_seconds},
      {"seconds_per_epoch", train_seconds / static_cast<double>(epochs)},
      {"lab_test_loss", optional_number(spec.lab.test_loss)},
      {"lab_test_accuracy", optional_number(spec.lab.test_accuracy)},
      {"model_file", "model.typenet"},
      {"augmentation", spec.augmentation ? nlohmann::json{{"shift", spec.augmentation->shift},
                                                          {"rotation_degrees", spec.augmentation->rotation_degrees},
                                                          {"zoom", spec.augmentation->zoom},
                                                          {"horizontal_flip", spec.augmentation->horizontal_flip}}
                                         : nlohmann::json(nullptr)},
  };
}

std::vector<std::uint8_t> at_threshold(const std::vector<float>& scores, double threshold) {
  std::vector<std::uint8_t> classes(scores.size());
  for (std::size_t i = 0; i < scores.size(); ++i) classes[i] = scores[i] >= threshold;
  return classes;
}

}  // namespace

void write_run_results(const RunRecord& run, bool write) {
  const fs::path dir = run.options.model_dir(run.spec.name);
  const auto confusion = typenet::confusion_matrix(run.test_classes, run.predicted_classes, run.classes);
  nlohmann::json metrics = common_metrics(run.spec, run.options, run.params, run.epochs, run.history, run.train_seconds);
  metrics["test_loss"] = run.test_loss;
  metrics["test_accuracy"] = run.test_accuracy;
  if (run.ranks) {
    metrics["ranks"] = *run.ranks;
    metrics["allreduce_seconds_per_step"] = run.allreduce_seconds_per_step;
  }
  if (write) {
    typenet::io::write_file_atomically(dir / "summary.txt", run.summary);
    run.history.write_csv(dir / "history.csv");
    run.history.write_json(dir / "history.json");
    typenet::plot::history(run.history, dir / "history.png", run.spec.name + ": " + run.spec.description);
    typenet::io::write_file_atomically(dir / "confusion.txt", confusion.to_string());
    typenet::plot::confusion(confusion, dir / "confusion.png", run.spec.name + " on the test split");
    typenet::io::write_file_atomically(dir / "metrics.json", metrics.dump(2) + "\n");
  }
  std::cout << run.spec.name << ": test loss " << run.test_loss << ", test accuracy " << run.test_accuracy << " ("
            << run.train_seconds / static_cast<double>(run.epochs) << " s/epoch); results in " << dir.string() << "\n";
}

void write_binary_results(const BinaryRecord& run) {
  const ModelSpec& spec = run.binary.model;
  const fs::path dir = run.options.model_dir(spec.name);
  typenet::io::write_file_atomically(dir / "summary.txt", run.summary);

  // Everything below is chosen on validation data; the test split's scores are only measured.
  const double threshold = tnm::youden_threshold(run.val_labels, run.val_scores);
  const auto val_confusion = typenet::confusion_matrix(run.val_labels, at_threshold(run.val_scores, threshold), 2);
  const auto test_confusion = typenet::confusion_matrix(run.test_labels, at_threshold(run.test_scores, threshold), 2);
  const auto test_scores_at = tnm::binary_scores(test_confusion);
  const double test_auc = tnm::roc_auc(run.test_labels, run.test_scores);
  const double val_auc_best = tnm::roc_auc(run.val_labels, run.val_scores);

  run.history.write_csv(dir / "history.csv");
  run.history.write_json(dir / "history.json");
  typenet::plot::history(run.history, dir / "history.png", spec.name + ": " + spec.part);  // descriptions are too long for a title
  typenet::io::write_file_atomically(dir / "confusion.txt", test_confusion.to_string());
  typenet::io::write_file_atomically(dir / "confusion_val.txt", val_confusion.to_string());
  typenet::plot::confusion(test_confusion, dir / "confusion.png", spec.name + " on the test split");
  typenet::plot::confusion(val_confusion, dir / "confusion_val.png", spec.name + " on the validation split");
  std::ostringstream threshold_text;
  threshold_text << std::setprecision(4) << threshold;
  const std::string val_report = tnm::classification_report(val_confusion, run.binary.class_names, 4);
  const std::string test_report = tnm::classification_report(test_confusion, run.binary.class_names, 4);
  typenet::io::write_file_atomically(dir / "classification_report.txt",
                                     "threshold " + threshold_text.str() + " (Youden's J on the validation split)\n\n"
                                     "validation split:\n" + val_report + "\ntest split:\n" + test_report);
  auto auc_label = [](const std::string& split, double auc) {
    std::ostringstream s;
    s << split << " (AUC " << std::fixed << std::setprecision(3) << auc << ")";
    return s.str();
  };
  typenet::plot::roc({{auc_label("validation", val_auc_best), tnm::roc_curve(run.val_labels, run.val_scores)},
                      {auc_label("test", test_auc), tnm::roc_curve(run.test_labels, run.test_scores)}},
                     dir / "roc.png", spec.name + ": ROC");

  const std::size_t trained = run.history.epochs();
  const nlohmann::json references = references_json(run.binary.references);
  nlohmann::json metrics = common_metrics(spec, run.options, run.params, trained, run.history, run.train_seconds);
  metrics.update({
      {"max_epochs", run.max_epochs},
      {"best_epoch", run.best_epoch},
      {"stopped_early", run.stopped_early},
      {"class_weight", run.class_weight},
      {"threshold", threshold},
      {"threshold_rule", "Youden's J (sensitivity + specificity - 1) on the validation split"},
      {"val_auc", val_auc_best},
      {"val_accuracy", static_cast<double>(val_confusion.correct()) / static_cast<double>(val_confusion.total())},
      {"test_loss", run.test_loss},
      {"test_accuracy", test_scores_at.accuracy},
      {"test_accuracy_at_0_5", run.test_accuracy_at_0_5},
      {"test_auc", test_auc},
      {"test_precision", test_scores_at.precision},
      {"test_recall", test_scores_at.sensitivity},
      {"test_f1", test_scores_at.f1},
      {"test_specificity", test_scores_at.specificity},
      {"test_npv", test_scores_at.npv},
      {"references", references},
  });
  typenet::io::write_file_atomically(dir / "metrics.json", metrics.dump(2) + "\n");
  if (!references.empty()) {
    // Ours next to the published figures, on the same test split.
    std::ostringstream table;
    table << std::fixed << std::setprecision(3) << "| model | test accuracy | test AUC |\n|---|---:|---:|\n| typenet " << spec.name
          << " (threshold " << threshold_text.str() << " from validation) | " << test_scores_at.accuracy << " | " << test_auc << " |\n";
    for (const auto& item : references.items()) {
      table << "| " << item.key() << " (published) |";
      for (const char* key : {"test_accuracy", "test_auc"}) {
        if (item.value().contains(key))
          table << ' ' << item.value()[key].get<double>() << " |";
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
            << ", accuracy " << test_scores_at.accuracy << " (at 0.5: " << run.test_accuracy_at_0_5 << "), sensitivity "
            << test_scores_at.sensitivity << ", specificity " << test_scores_at.specificity << ", F1 "
            << test_scores_at.f1 << "; best epoch " << run.best_epoch << " of " << trained << ", "
            << std::setprecision(1) << run.train_seconds << " s; results in " << dir.string() << std::defaultfloat << "\n";
}

void write_seed_summary(const ModelSpec& spec, const Options& options, const std::vector<std::uint64_t>& seeds) {
  const fs::path dir = options.out_dir / spec.name;
  std::vector<nlohmann::json> runs;
  for (const std::uint64_t seed : seeds) {
    std::ifstream in(dir / ("seed" + std::to_string(seed)) / "metrics.json");
    runs.push_back(nlohmann::json::parse(in));
  }
  // The figures averaged over the seeds; each seed's are kept under "per_seed".
  static const std::vector<std::string> averaged = {
      "test_loss",      "test_accuracy",    "test_accuracy_at_0_5", "test_auc",  "test_precision",
      "test_recall",    "test_f1",          "test_specificity",     "test_npv",  "threshold",
      "val_auc",        "val_accuracy",     "final_val_loss",       "final_val_accuracy", "seconds_per_epoch"};
  const bool binary = runs.front().contains("test_auc");
  nlohmann::json summary = runs.front();
  nlohmann::json per_seed = nlohmann::json::array();
  double train_seconds = 0.0;
  std::size_t epochs = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    nlohmann::json figures = {{"seed", seeds[i]}, {"epochs", runs[i].at("epochs")}, {"train_seconds", runs[i].at("train_seconds")}};
    for (const auto& key : averaged)
      if (runs[i].contains(key)) figures[key] = runs[i][key];
    if (runs[i].contains("best_epoch")) figures["best_epoch"] = runs[i]["best_epoch"];
    per_seed.push_back(figures);
    train_seconds += runs[i].at("train_seconds").get<double>();
    epochs = std::max(epochs, runs[i].at("epochs").get<std::size_t>());
  }
  for (const auto& key : averaged) {
    if (!summary.contains(key) || !summary[key].is_number()) continue;
    double sum = 0.0;
    for (const auto& run : runs) sum += run.at(key).get<double>();
    summary[key] = sum / static_cast<double>(runs.size());
  }
  summary.erase("best_epoch");
  summary["epochs"] = epochs;  // the most any seed trained
  summary["seed"] = seeds;
  summary["seeds"] = seeds.size();
  summary["per_seed"] = per_seed;
  summary["train_seconds"] = train_seconds;  // all the seeds together
  summary["target"] = spec.target;
  // The first seed's model, plots and reports also go where a one-seed run puts them.
  const fs::path first = dir / ("seed" + std::to_string(seeds.front()));
  for (const auto& entry : fs::directory_iterator(first))
    if (entry.is_regular_file() && entry.path().filename() != "metrics.json")
      fs::copy_file(entry.path(), dir / entry.path().filename(), fs::copy_options::overwrite_existing);
  summary["files_from_seed"] = seeds.front();
  typenet::io::write_file_atomically(dir / "metrics.json", summary.dump(2) + "\n");

  // The per-seed table, which the lab's REPORT.md collects.
  std::ostringstream md;
  md << std::fixed << std::setprecision(4) << "#### " << spec.part << ": " << spec.name << ", " << seeds.size()
     << " seeds\n\n";
  auto cell = [](const nlohmann::json& m, const char* key, int decimals) {
    std::ostringstream s;
    if (m.contains(key) && m[key].is_number())
      s << std::fixed << std::setprecision(decimals) << m[key].get<double>();
    else
      s << "–";
    return s.str();
  };
  if (binary) {
    md << "Test split; the epoch kept and the tuned threshold are chosen on the validation split. Accuracy at 0.5 is "
          "MedMNIST's protocol.\n\n"
       << "| seed | accuracy at 0.5 | threshold (validation) | accuracy at that threshold | AUC | epoch kept / trained | train s |\n"
       << "|---|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& r : per_seed)
      md << "| " << r.at("seed") << " | " << cell(r, "test_accuracy_at_0_5", 4) << " | " << cell(r, "threshold", 3) << " | "
         << cell(r, "test_accuracy", 4) << " | " << cell(r, "test_auc", 4) << " | " << r.value("best_epoch", 0) << " / "
         << r.at("epochs") << " | " << cell(r, "train_seconds", 1) << " |\n";
    md << "| **mean** | **" << cell(summary, "test_accuracy_at_0_5", 4) << "** | " << cell(summary, "threshold", 3)
       << " | **" << cell(summary, "test_accuracy", 4) << "** | **" << cell(summary, "test_auc", 4) << "** | | "
       << cell(summary, "train_seconds", 1) << " |\n";
    if (summary.contains("references"))
      for (const auto& item : summary["references"].items())
        md << "| " << item.key() << " (published) | " << cell(item.value(), "test_accuracy", 3) << " | | | "
           << cell(item.value(), "test_auc", 3) << " | | |\n";
  } else {
    md << "| seed | test loss | test accuracy | epochs | train s |\n|---|---:|---:|---:|---:|\n";
    for (const auto& r : per_seed)
      md << "| " << r.at("seed") << " | " << cell(r, "test_loss", 4) << " | " << cell(r, "test_accuracy", 4) << " | "
         << r.at("epochs") << " | " << cell(r, "train_seconds", 1) << " |\n";
    md << "| **mean** | **" << cell(summary, "test_loss", 4) << "** | **" << cell(summary, "test_accuracy", 4) << "** | | "
       << cell(summary, "train_seconds", 1) << " |\n";
  }
  if (!spec.target.empty()) md << "\nTarget for the mean: " << spec.target << ".\n";
  typenet::io::write_file_atomically(dir / "seeds.md", md.str());
  std::cout << '\n' << md.str();
}

std::string clinical_report(const std::filesystem::path& out_dir, const std::string& part, const std::string& heading,
                            const std::vector<Published>& published) {
  const nlohmann::json references = references_json(published);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(out_dir))
    if (fs::exists(entry.path() / "metrics.json")) files.push_back(entry.path() / "metrics.json");
  std::sort(files.begin(), files.end());
  auto number = [](const nlohmann::json& v, int decimals) {
    if (!v.is_number()) return std::string("–");
    std::ostringstream s;
    s << std::fixed << std::setprecision(decimals) << v.get<double>();
    return s.str();
  };
  std::ostringstream md;
  md << "### " << heading << "\n\n"
     << "Test figures at the decision threshold chosen on the validation split (Youden's J), with the epoch "
        "kept by validation AUC; the test split is read once, after every choice. Accuracy at 0.5 is given for "
        "comparison with the published figures (MedMNIST's evaluator thresholds at 0.5).\n\n"
     << "| model | params | epochs (kept) | threshold | accuracy | accuracy at 0.5 | AUC | sensitivity | specificity "
        "| precision | F1 | train s |\n"
     << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& file : files) {
    std::ifstream in(file);
    const auto m = nlohmann::json::parse(in);
    if (!m.contains("test_auc") || m.value("part", std::string()) != part) continue;
    // Trained on several seeds: the means, and each seed's epochs.
    std::string name = m.at("model").get<std::string>(), epochs = std::to_string(m.at("epochs").get<std::size_t>()) + " (";
    if (m.contains("per_seed")) {
      name += " (mean of " + std::to_string(m.at("per_seed").size()) + " seeds)";
      epochs.clear();
      for (const auto& r : m.at("per_seed"))
        epochs += (epochs.empty() ? "" : ", ") + std::to_string(r.at("epochs").get<std::size_t>()) + " (" +
                  std::to_string(r.value("best_epoch", std::size_t{0})) + ")";
    } else {
      epochs += std::to_string(m.value("best_epoch", std::size_t{0})) + ")";
    }
    md << "| typenet " << name << " | " << m.at("params") << " | " << epochs << " | " << number(m.at("threshold"), 3) << " | " << number(m.at("test_accuracy"), 3)
       << " | " << number(m.value("test_accuracy_at_0_5", nlohmann::json()), 3) << " | " << number(m.at("test_auc"), 3)
       << " | " << number(m.at("test_recall"), 3) << " | " << number(m.at("test_specificity"), 3) << " | "
       << number(m.at("test_precision"), 3) << " | " << number(m.at("test_f1"), 3) << " | "
       << number(m.at("train_seconds"), 1) << " |\n";
  }
  for (const auto& item : references.items())
    md << "| " << item.key() << " (published) | | | | " << number(item.value().value("test_accuracy", nlohmann::json()), 3)
       << " | | " << number(item.value().value("test_auc", nlohmann::json()), 3) << " | | | | | |\n";
  return md.str();
}

void print_run_heading(const ModelSpec& spec, std::size_t epochs, bool up_to, const std::string& summary) {
  std::cout << "\n== " << spec.part << ": " << spec.name << " — " << spec.description << " (batch " << spec.batch_size
            << ", " << (up_to ? "up to " : "") << epochs << " epochs)\n"
            << summary;
}

BinaryTargets binary_targets(const BinarySplit& train, const BinarySplit& val, const BinarySplit& test) {
  auto targets = [](const xt::xtensor<std::uint8_t, 1>& labels) {
    auto y = xt::xtensor<float, 2>::from_shape({labels.size(), 1});
    for (std::size_t i = 0; i < labels.size(); ++i) y(i, 0) = static_cast<float>(labels(i));
    return y;
  };
  BinaryTargets t{{train.labels.begin(), train.labels.end()},
                  {val.labels.begin(), val.labels.end()},
                  {test.labels.begin(), test.labels.end()},
                  targets(train.labels),
                  targets(val.labels),
                  targets(test.labels),
                  {}};
  t.class_weight = typenet::balanced_class_weight(t.train_labels, 2);
  std::cout << "class weights (balanced): " << t.class_weight[0] << ", " << t.class_weight[1] << '\n';
  return t;
}

// weight_census.hpp's table.
std::string census_markdown(const std::vector<WeightCensus>& rows) {
  std::string md =
      "| family | model | conv layers | dense layers | trainable params | in conv layers | in dense layers | share in dense |\n"
      "|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : rows) {
    char share[16];
    std::snprintf(share, sizeof share, "%.1f %%", r.total ? 100.0 * static_cast<double>(r.dense) / static_cast<double>(r.total) : 0.0);
    using typenet::detail::with_thousands;
    md += "| " + r.family + " | " + r.model + " | " + std::to_string(r.conv_layers) + " | " + std::to_string(r.dense_layers) +
          " | " + with_thousands(r.total) + " | " + with_thousands(r.conv) + " | " + with_thousands(r.dense) + " | " + share +
          " |\n";
  }
  return md;
}

}  // namespace lab
