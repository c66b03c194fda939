// The lab reproduction: runs every lab part that typenet has (each an example program next to
// this one), then collects their metrics.json files into REPORT.md, one row per model next to
// the figures the lab reports.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "typenet/io/atomic_file.hpp"

namespace fs = std::filesystem;

namespace {

struct Part {
  std::string program;  // example executable, also the results sub-folder
  std::string data;     // data set folder under --data-root; empty: the example's own default (vendored data)
};

// Later lab parts add themselves here.
const std::vector<Part> parts = {
    {"mlp_raw_mnist", "mnist"},
    {"mlp_hog_mnist", "mnist"},
    {"cnn_mnist", "mnist"},
    {"pneumonia_cnn", ""},  // PneumoniaMNIST, vendored in third_party/pneumoniamnist
    {"custom_layer", "mnist"},  // not a lab part: typenet extended with a layer, an activation and a loss
};

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string number(const nlohmann::json& v, int decimals) {
  if (!v.is_number()) return "–";
  std::ostringstream s;
  s << std::fixed << std::setprecision(decimals) << v.get<double>();
  return s.str();
}

std::string report(const fs::path& out_dir) {
  std::ostringstream md;
  md << "# typenet: the lab reproduction\n\n"
     << "Written by `lab` from the `metrics.json` of every model under `" << out_dir.string() << "/`. "
     << "Test figures are on the data set's test split after training with the lab's settings; "
     << "\"lab\" columns are the figures the lab's notebook or report gives (– where it gives none).\n\n"
     << "| part | model | params | epochs | batch | test loss | test accuracy | lab loss | lab accuracy | s/epoch | train s |\n"
     << "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& part : parts) {
    const fs::path folder = out_dir / part.program;
    if (!fs::is_directory(folder)) continue;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder))
      if (fs::exists(entry.path() / "metrics.json")) files.push_back(entry.path() / "metrics.json");
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::ifstream in(file);
      const auto m = nlohmann::json::parse(in);
      std::string model = m.at("model").get<std::string>();
      if (m.contains("per_seed")) model += " (mean of " + std::to_string(m.at("per_seed").size()) + " seeds)";
      md << "| " << m.value("part", part.program) << " | " << model << " | "
         << m.at("params").get<std::size_t>() << " | " << m.at("epochs").get<std::size_t>() << " | "
         << m.value("batch_size", std::size_t{0}) << " | " << number(m.at("test_loss"), 4) << " | "
         << number(m.at("test_accuracy"), 4) << " | " << number(m.value("lab_test_loss", nlohmann::json()), 4) << " | "
         << number(m.value("lab_test_accuracy", nlohmann::json()), 4) << " | " << number(m.at("seconds_per_epoch"), 2)
         << " | " << number(m.at("train_seconds"), 1) << " |\n";
    }
  }
  // The models trained on several seeds: each seed's figures and their mean (seeds.md, written by
  // the example), next to the target.
  std::ostringstream seeds;
  for (const auto& part : parts) {
    const fs::path folder = out_dir / part.program;
    if (!fs::is_directory(folder)) continue;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder))
      if (fs::exists(entry.path() / "seeds.md") && fs::exists(entry.path() / "metrics.json")) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& dir : files) {
      std::ifstream metrics(dir / "metrics.json");
      if (!nlohmann::json::parse(metrics).contains("per_seed")) continue;  // a one-seed run since
      std::ifstream in(dir / "seeds.md");
      seeds << '\n' << in.rdbuf();
    }
  }
  if (!seeds.str().empty())
    md << "\n### Several seeds\n\nThe models whose figures above are the mean of several seeds (seed, seed+1, ...), "
          "seed by seed.\n"
       << seeds.str();
  // A part may add its own section (e.g. a table answering one of the lab's questions).
  for (const auto& part : parts) {
    const fs::path extra = out_dir / part.program / "report.md";
    if (!fs::exists(extra)) continue;
    std::ifstream in(extra);
    md << '\n' << in.rdbuf();
  }
  return md.str();
}

}  // namespace

int main(int argc, char** argv) try {
  fs::path data_root = TYPENET_DEFAULT_DATA_ROOT, out_dir = "results";
  std::optional<std::size_t> epochs;
  std::uint64_t seed = 42;
  std::optional<std::size_t> seeds;
  int verbose = 2;
  bool report_only = false;
  CLI::App app{"typenet: run every lab part and write REPORT.md"};
  app.add_option("--data-root", data_root, "folder holding the data sets (mnist/, ...)")->capture_default_str();
  app.add_option("--out", out_dir, "results folder; REPORT.md goes there")->capture_default_str();
  app.add_option("--epochs", epochs, "override every model's epochs (a quick run)");
  app.add_option("--seed", seed, "seed for every model (the first of the models trained on several seeds)")
      ->capture_default_str();
  app.add_option("--seeds", seeds, "seeds per model that the lab trains on several seeds (best, ours: 3)");
  app.add_option("--verbose", verbose, "passed to each part")->capture_default_str();
  app.add_flag("--report-only", report_only, "only collect existing results into REPORT.md");
  CLI11_PARSE(app, argc, argv);

  const fs::path here = fs::canonical("/proc/self/exe").parent_path();
  if (!report_only) {
    for (const auto& part : parts) {
      std::string command = quoted((here / part.program).string()) + " --out " + quoted((out_dir / part.program).string()) +
                            " --seed " + std::to_string(seed) + " --verbose " + std::to_string(verbose);
      if (!part.data.empty()) command += " --data " + quoted((data_root / part.data).string());
      if (epochs) command += " --epochs " + std::to_string(*epochs);
      if (seeds) command += " --seeds " + std::to_string(*seeds);
      std::cout << "lab: " << command << std::endl;
      if (std::system(command.c_str()) != 0) {
        std::cerr << "lab: " << part.program << " failed; REPORT.md is not written\n";
        return 1;
      }
    }
  }
  typenet::io::write_file_atomically(out_dir / "REPORT.md", report(out_dir));
  std::cout << "lab: wrote " << (out_dir / "REPORT.md").string() << '\n';
  return 0;
} catch (const std::exception& e) {
  std::cerr << "lab: " << e.what() << '\n';
  return 1;
}
