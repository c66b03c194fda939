#pragma once
// The section a binary-diagnosis example adds to the lab's REPORT.md (lab.cpp appends
// <out>/<example>/report.md): every model's clinical test figures, read back from the
// metrics.json files under the example's results folder, next to published reference figures.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "typenet/io/atomic_file.hpp"

namespace lab {

// Only models of `part` (metrics.json's "part") are listed: another data set's runs may share the folder.
inline std::string clinical_report(const std::filesystem::path& out_dir, const std::string& part, const std::string& heading,
                                   const nlohmann::json& references) {
  namespace fs = std::filesystem;
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
    md << "| typenet " << m.at("model").get<std::string>() << " | " << m.at("params") << " | " << m.at("epochs") << " ("
       << m.value("best_epoch", 0) << ") | " << number(m.at("threshold"), 3) << " | " << number(m.at("test_accuracy"), 3)
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

}  // namespace lab
