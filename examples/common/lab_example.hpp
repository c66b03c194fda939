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
#include "typenet/model.hpp"
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

// Trains `model` as the lab does and writes, under out/<name>/: the trained model, model.typenet
// (Model::save, atomic; `predict --model` runs it), and what write_run_results writes:
// metrics.json, history.csv, history.json, history.png, confusion.txt, confusion.png, summary.txt.
template <class Net>
void run(typenet::Model<Net>& model, const ModelSpec& spec, const Options& options, typenet::Features x_train,
         typenet::Labels y_train, const TestSet& test, std::size_t classes) {
  const fs::path dir = options.out_dir / spec.name;
  fs::create_directories(dir);
  const std::size_t epochs = options.epochs.value_or(spec.epochs);
  std::cout << "\n== " << spec.part << ": " << spec.name << " — " << spec.description << " (batch " << spec.batch_size
            << ", " << epochs << " epochs)\n";
  model.summary(std::cout);
  std::ostringstream summary;
  model.summary(summary);

  const auto start = std::chrono::steady_clock::now();
  const typenet::FitOptions fit_options{
      .batch_size = spec.batch_size, .epochs = epochs, .verbose = options.verbose, .validation_split = 0.1};
  const typenet::History history = fit(model, x_train, y_train, fit_options);
  const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const typenet::Evaluation result = evaluate(model, test.x, test.y);
  if (writes_results()) model.save(dir / "model.typenet");

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
