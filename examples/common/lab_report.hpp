#pragma once
// What a lab example writes about a model it trained (metrics.json, history.csv/json/png,
// confusion.txt/png, summary.txt; for a binary diagnosis also the classification reports, roc.png
// and comparison.md), and the clinical section of REPORT.md. None of it depends on the network's
// type, so it lives in lab_report.cpp, compiled once for every example: JSON, PLplot and the
// metrics cost each example's own file nothing.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "common/lab_options.hpp"
#include "typenet/data/augment.hpp"
#include "typenet/model/array_ref.hpp"
#include "typenet/training/history.hpp"

namespace lab {

// The lab's reported figures for a model, where it reports them.
struct Reference {
  std::optional<double> test_loss, test_accuracy;
};

struct ModelSpec {
  std::string part;         // e.g. "2a MLP on raw pixels"
  std::string name;         // starter, model1, ...
  std::string description;  // the topology in words
  std::size_t batch_size;
  std::size_t epochs;
  Reference lab;
  std::optional<typenet::ImageAugmentation> augmentation;  // a fresh random distortion of every image each epoch
  std::size_t seeds = 1;  // trained on seeds seed, seed+1, ... (--seeds overrides), reported per seed and their mean
  std::string target;     // with several seeds: what their mean is to reach, in words, for the report
};

// A published result on the same test split, printed next to ours.
struct Published {
  std::string model;
  std::optional<double> test_accuracy, test_auc;
};

struct BinarySpec {
  ModelSpec model;
  std::size_t patience = 0;  // epochs without a better validation AUC before stopping; 0 never
  std::vector<std::string> class_names = {"0", "1"};
  std::vector<Published> references;  // published figures to print next to ours
};

// A run's heading, then the model's summary: "== part: name — description (batch 128, 10 epochs)",
// or "up to 10 epochs" for a run that may stop early.
void print_run_heading(const ModelSpec& spec, std::size_t epochs, bool up_to, const std::string& summary);

// One split of a binary diagnosis: its samples and their labels (0 negative, 1 positive).
struct BinarySplit {
  typenet::Features x;
  const xt::xtensor<std::uint8_t, 1>& labels;
};

// What binary_lab_example.hpp's run_binary() trains and scores with: each split's labels, and
// as (n, 1) targets of binary cross-entropy; the balanced class weights of the training split.
struct BinaryTargets {
  std::vector<std::uint8_t> train_labels, val_labels, test_labels;
  xt::xtensor<float, 2> y_train, y_val, y_test;
  std::vector<double> class_weight;
};

// Also prints the class weights.
BinaryTargets binary_targets(const BinarySplit& train, const BinarySplit& val, const BinarySplit& test);

// A multi-class model after training and testing (lab_example.hpp's run()).
struct RunRecord {
  const ModelSpec& spec;
  const Options& options;
  std::size_t params;
  std::size_t epochs;
  const typenet::History& history;
  double train_seconds;
  double test_loss, test_accuracy;
  std::string summary;  // model.summary()'s table
  std::vector<std::uint8_t> test_classes, predicted_classes;
  std::size_t classes;
  std::optional<std::size_t> ranks;  // under mpirun
  double allreduce_seconds_per_step = 0.0;
};

// Writes under options.model_dir(spec.name) everything but model.typenet (when `write`: under
// mpirun only rank 0 writes) and prints the model's closing line.
void write_run_results(const RunRecord& run, bool write);

// A binary diagnosis after training (binary_lab_example.hpp's run_binary()): the scores of both
// splits, from which the threshold is chosen on validation and the test figures computed.
struct BinaryRecord {
  const BinarySpec& binary;
  const Options& options;
  std::size_t params;
  std::size_t max_epochs;
  const typenet::History& history;
  std::size_t best_epoch;
  bool stopped_early;
  std::vector<double> class_weight;
  double train_seconds;
  std::string summary;
  std::vector<std::uint8_t> val_labels;
  std::vector<float> val_scores;
  std::vector<std::uint8_t> test_labels;
  std::vector<float> test_scores;
  double test_loss, test_accuracy_at_0_5;
};

void write_binary_results(const BinaryRecord& run);

// After a model was trained on several seeds, each run's results in options.model_dir(name) with
// options.seed_folder "seed<N>": writes out_dir/<name>/metrics.json with every test figure as the
// mean over the seeds and the per-seed figures under "per_seed", and seeds.md, the per-seed table
// (lab.cpp puts it in REPORT.md); the first seed's model, plots and reports are copied next to
// them, where a one-seed run leaves its own.
void write_seed_summary(const ModelSpec& spec, const Options& options, const std::vector<std::uint64_t>& seeds);

// The section a binary-diagnosis example adds to the lab's REPORT.md (lab.cpp appends
// <out>/<example>/report.md): every model's clinical test figures, read back from the
// metrics.json files under out_dir, next to published ones. Only models of `part` (metrics.json's
// "part") are listed: another data set's runs may share the folder.
std::string clinical_report(const std::filesystem::path& out_dir, const std::string& part, const std::string& heading,
                            const std::vector<Published>& references);

}  // namespace lab
