#pragma once
// What every lab example shares: its command line (lab_options.hpp), and running one model of the lab end to end
// (fit with the lab's settings, evaluate on the test split, write the results a report reads: lab_report.hpp,
// compiled once in lab_report.cpp).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/lab_options.hpp"
#include "common/lab_report.hpp"
#include "typenet/data/augment.hpp"
#include "typenet/model.hpp"
#include "typenet/training/callbacks.hpp"
#ifdef TYPENET_WITH_ONNX
#include "typenet/io/onnx.hpp"
#endif
#ifdef TYPENET_WITH_MPI
#include <cstdio>

#include "typenet/distributed.hpp"
#endif

namespace lab {

namespace fs = std::filesystem;

// Started under mpirun (with the examples built against MPI), the ranks train every model
// together (typenet/distributed.hpp) and only rank 0 prints and writes; otherwise one process.
#ifdef TYPENET_WITH_MPI
inline const typenet::distributed::MpiTeam* mpi_team() {
  static const auto team = []() -> std::optional<typenet::distributed::MpiTeam> {
    if (!typenet::distributed::launched_by_mpi()) return std::nullopt;
    typenet::distributed::MpiTeam ranks;
    if (ranks.size() < 2) return std::nullopt;
    return ranks;
  }();
  return team ? &*team : nullptr;
}
// Before main: MPI shares the cores out before any thread starts, and the other ranks' output
// would repeat rank 0's.
inline const bool mpi_started = [] {
  if (const auto* team = mpi_team(); team && !team->is_root()) return std::freopen("/dev/null", "w", stdout) != nullptr;
  return true;
}();
inline bool writes_results() { return !mpi_team() || mpi_team()->is_root(); }
#else
inline bool writes_results() { return true; }
#endif

#ifdef TYPENET_WITH_MPI
// The ranks under mpirun, or this process alone (no ranks): one team type for both, so that each
// network's fit and evaluate are compiled once, not once for typenet::Solo and once for MpiTeam.
class LabTeam {
 public:
  explicit LabTeam(const typenet::distributed::MpiTeam* ranks) : ranks_(ranks) {}
  const typenet::distributed::MpiTeam* ranks() const { return ranks_; }

  std::pair<std::size_t, std::size_t> share(std::size_t begin, std::size_t end) const {
    return ranks_ ? ranks_->share(begin, end) : std::pair{begin, end};
  }
  bool averages_gradients() const { return ranks_ != nullptr; }
  void average_gradients(std::span<float> gradients, std::size_t rows, std::size_t batch_rows) const {
    if (ranks_) ranks_->average_gradients(gradients, rows, batch_rows);
  }
  void sum(std::span<double> values) const {
    if (ranks_) ranks_->sum(values);
  }
  void share_stream(typenet::detail::Rng& rng) const {
    if (ranks_) ranks_->share_stream(rng);
  }
  void split_stream(typenet::detail::Rng& rng) const {
    if (ranks_) ranks_->split_stream(rng);
  }
  bool is_root() const { return !ranks_ || ranks_->is_root(); }
  template <class Net>
  void broadcast_weights(typenet::Model<Net>& model) const {
    if (ranks_) ranks_->broadcast_weights(model);
  }
  template <class Net>
  void average_statistics(typenet::Model<Net>& model) const {
    if (ranks_) ranks_->average_statistics(model);
  }

 private:
  const typenet::distributed::MpiTeam* ranks_;
};
#endif

// Model::fit and Model::evaluate, by all ranks together under mpirun. There a rank that throws
// ends the job with its message (or_abort) rather than leaving the others waiting for it.
template <class Net>
typenet::History fit(typenet::Model<Net>& model, typenet::Features x, typenet::Labels y, const typenet::FitOptions& options) {
#ifdef TYPENET_WITH_MPI
  namespace dist = typenet::distributed;
  const LabTeam team(mpi_team());
  if (team.ranks()) return dist::or_abort([&] { return dist::fit(model, x, y, options, team); });
  return model.fit(x, y, options, team);
#else
  return model.fit(x, y, options);
#endif
}

template <class Net>
typenet::Evaluation evaluate(typenet::Model<Net>& model, typenet::Features x, typenet::Labels y) {
#ifdef TYPENET_WITH_MPI
  namespace dist = typenet::distributed;
  const LabTeam team(mpi_team());
  if (team.ranks()) return dist::or_abort([&] { return dist::evaluate(model, x, y, 256, team); });
  return model.evaluate(x, y, 256, team);
#else
  return model.evaluate(x, y);
#endif
}

struct TestSet {
  typenet::Features x;
  typenet::Labels y;  // in the form the loss wants
  const xt::xtensor<std::uint8_t, 1>& classes;
};

// (count, h, w) images as (count, h*w) rows, as the lab's reshape(-1, 784).
inline xt::xtensor<float, 2> flatten_samples(const xt::xtensor<float, 3>& images) {
  const auto& s = images.shape();
  auto rows = xt::xtensor<float, 2>::from_shape({s[0], s[1] * s[2]});
  std::copy(images.data(), images.data() + images.size(), rows.data());
  return rows;
}

inline std::vector<std::uint8_t> predicted_classes(const xt::xtensor<float, 2>& probabilities) {
  std::vector<std::uint8_t> classes(probabilities.shape()[0]);
  const std::size_t width = probabilities.shape()[1];
  for (std::size_t i = 0; i < classes.size(); ++i) {
    const float* row = probabilities.data() + i * width;
    classes[i] = static_cast<std::uint8_t>(width == 1 ? row[0] > 0.5f : std::max_element(row, row + width) - row);
  }
  return classes;
}

// The images fit trains on when a model is trained with augmentation: a copy of x whose first
// `rows` images are redrawn with a new random distortion of the originals by refresh() (before
// every epoch); the rows after them (the validation_split's) stay as they are.
class AugmentedImages {
 public:
  AugmentedImages(typenet::Features x, std::size_t rows, const typenet::ImageAugmentation& augmentation, std::uint64_t seed)
      : x_(x), rows_(rows), augmenter_(augmentation, seed), images_(x.data, x.data + x.shape.rows() * x.shape.row_size()) {}
  AugmentedImages(const AugmentedImages&) = delete;  // callback() holds `this`
  AugmentedImages& operator=(const AugmentedImages&) = delete;
  typenet::Features features() const { return {images_.data(), x_.shape}; }
  void refresh() {
    const auto& dims = x_.shape.dims;
    augmenter_.apply(x_.data, images_.data(), rows_, dims[1], dims[2], x_.shape.rank == 4 ? dims[3] : 1);
  }
  // A callback that refreshes the images before every epoch.
  std::shared_ptr<typenet::Callback> callback() {
    auto refresher = std::make_shared<typenet::LambdaCallback>();
    refresher->epoch_begin = [this](std::size_t, typenet::Logs&) { refresh(); };
    return refresher;
  }

 private:
  typenet::Features x_;
  std::size_t rows_;
  typenet::ImageAugmenter augmenter_;
  std::vector<float> images_;
};

// Calls train(options) once, or, for a model the lab trains on several seeds (spec.seeds, or
// --seeds), once per seed (options.seed, options.seed + 1, ...) with options.seed_folder set, then
// writes the summary of the seeds (lab_report.hpp's write_seed_summary).
template <class Train>
void for_each_seed(const ModelSpec& spec, const Options& options, Train&& train) {
  const std::size_t count = options.seeds.value_or(spec.seeds);
  if (count <= 1) {
    train(options);
    return;
  }
  std::vector<std::uint64_t> seeds;
  for (std::size_t i = 0; i < count; ++i) {
    Options seeded = options;
    seeded.seed = options.seed + i;
    seeded.seed_folder = "seed" + std::to_string(seeded.seed);
    std::cout << "\n== " << spec.name << ", seed " << seeded.seed << " (" << i + 1 << " of " << count << ")\n";
    train(seeded);
    seeds.push_back(seeded.seed);
  }
  if (writes_results()) write_seed_summary(spec, options, seeds);
}

// The trained model as model.typenet (Model::save, atomic; `predict --model` runs it) and, where the
// examples link typenet::onnx, model.onnx: the whole network, or for the HOG networks the layers
// after HOG, taking HOG features (Model::predict_fixed_prefix).
template <class Net>
void save_model(const typenet::Model<Net>& model, const fs::path& dir) {
  model.save(dir / "model.typenet");
#ifdef TYPENET_WITH_ONNX
  if constexpr (typenet::onnx::exportable<Net>)
    typenet::onnx::save(model, dir / "model.onnx");
  else if constexpr (typenet::onnx::exportable_after_fixed_prefix<Net>)
    typenet::onnx::save(model, dir / "model.onnx", typenet::onnx::after_fixed_prefix);
#endif
}

// Trains `model` as the lab does and writes, under out/<name>/: the trained model (save_model),
// and what write_run_results writes: metrics.json, history.csv, history.json, history.png,
// confusion.txt, confusion.png, summary.txt.
template <class Net>
void run(typenet::Model<Net>& model, const ModelSpec& spec, const Options& options, typenet::Features x_train,
         typenet::Labels y_train, const TestSet& test, std::size_t classes) {
  const fs::path dir = options.model_dir(spec.name);
  fs::create_directories(dir);
  const std::size_t epochs = options.epochs.value_or(spec.epochs);
  std::ostringstream summary;
  model.summary(summary);
  print_run_heading(spec, epochs, false, summary.str());

  const auto start = std::chrono::steady_clock::now();
  const double validation_split = 0.1;
  typenet::FitOptions fit_options{
      .batch_size = spec.batch_size, .epochs = epochs, .verbose = options.verbose, .validation_split = validation_split};
  std::optional<AugmentedImages> augmented;
  if (spec.augmentation) {  // the training rows only: fit holds out the last rows, before shuffling
    const auto rows =
        static_cast<std::size_t>(std::floor(static_cast<double>(x_train.shape.rows()) * (1.0 - validation_split)));
    augmented.emplace(x_train, rows, *spec.augmentation, options.seed);
    x_train = augmented->features();
    fit_options.callbacks.push_back(augmented->callback());
  }
  const typenet::History history = fit(model, x_train, y_train, fit_options);
  const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const typenet::Evaluation result = evaluate(model, test.x, test.y);
  if (writes_results()) save_model(model, dir);

  RunRecord record{spec, options, Net::param_count, epochs, history, train_seconds, result.loss, result.accuracy,
                   summary.str(), {test.classes.begin(), test.classes.end()}, predicted_classes(model.predict(test.x)),
                   classes};
#ifdef TYPENET_WITH_MPI
  if (const auto* team = mpi_team()) {
    record.ranks = team->size();
    if (team->gradient_reduces() > 0)
      record.allreduce_seconds_per_step = team->gradient_reduce_seconds() / static_cast<double>(team->gradient_reduces());
  }
#endif
  write_run_results(record, writes_results());
}

}  // namespace lab
