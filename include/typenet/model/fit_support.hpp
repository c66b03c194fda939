#pragma once
// The part of Model::fit that does not depend on the network (model/model.hpp has the loop):
// preparing the data, shuffling, and FitLog, the epoch's bookkeeping (progress bar, History,
// callbacks, the checks between batches). All of it is non-template code, compiled once per
// program or once in libtypenet (typenet/config.hpp), not once per network type.
#include "typenet/model/fit_options.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/detail/random.hpp"
#include "typenet/detail/score.hpp"
#include "typenet/metrics/metric.hpp"
#include "typenet/model/targets.hpp"
#include "typenet/training/callbacks.hpp"
#include "typenet/training/history.hpp"
#include "typenet/training/losses.hpp"
#include "typenet/training/optimizers.hpp"

namespace typenet {
class ProgressBar;  // training/progress.hpp
struct MetricValue;
}

namespace typenet::detail {

// What compile() sets, and fit, evaluate and save read: the optimizer with its state, the loss,
// and the metrics with a slot of their sums per worker. It does not depend on the network, so
// compile() and its copies are compiled once (in libtypenet), not in every Model<Net>.
struct Compiled {
  OptimizerState optimizer;
  Loss loss;
  MetricList metrics;
  std::vector<double> metric_states;  // a slot of metrics.state_size() per worker
  bool done = false;                  // compile() was called

  Compiled();
  Compiled(Compiled&& other) noexcept;  // a Model moves, it is not copied
  Compiled& operator=(Compiled&& other) noexcept;
  ~Compiled();

  // The metrics checked against the loss, the optimizer's state for `param_count` weights.
  void compile(Optimizer new_optimizer, Loss new_loss, std::vector<Metric> new_metrics, std::size_t param_count);
  // With the loss's default metrics (accuracy for the classification losses), as Keras's.
  void compile(Optimizer new_optimizer, Loss new_loss, std::size_t param_count);
  void set_metrics(std::vector<Metric> new_metrics);
};

// fit's data, checked and converted once: samples [0, train_rows) train; the validation rows are
// the user's validation_data, or x's last fraction (Keras splits before shuffling).
struct FitData {
  Targets targets;             // every sample's, as the loss wants them
  std::vector<float> weights;  // each sample's weight from class_weight; empty: all 1
  std::size_t train_rows = 0;
  std::size_t batch_size = 0;  // options.batch_size, at most train_rows
  const float* val_x = nullptr;  // null: no validation
  std::size_t val_begin = 0, val_end = 0;
  Targets val_targets_given;   // validation_data's
  bool validation_given = false;
  const Targets& val_targets() const { return validation_given ? val_targets_given : targets; }
};

FitData prepare_fit(const Loss& loss, const Features& x, const Labels& y, const FitOptions& options,
                    std::span<const std::size_t> input_dims, std::size_t outputs);

// An epoch's order of the samples [0, order.size()): shuffled when `shuffle`. It depends only on
// the generator's state, not on the epochs before it, so fit(2) then fit(2) (or a save and load in
// between) shuffles exactly as fit(4) does.
void shuffle_order(std::vector<std::size_t>& order, Rng& rng, bool shuffle);

// evaluate's figures in two steps, so that a team can add up the sums between them: the loss sum,
// the correct count and the metrics' state (the workers' slots of `worker_states` added up), then
// the Evaluation they make over `rows` rows.
std::vector<double> evaluation_sums(const MetricList& metrics, std::span<double> worker_states, const BatchScore& total);
Evaluation evaluation_from_sums(const MetricList& metrics, std::span<const double> sums, double rows);

// The bookkeeping of fit's epochs: what is printed, what History records, what the callbacks see.
class FitLog {
 public:
  FitLog(const FitOptions& options, std::size_t steps_per_epoch, TrainingState& state, History& model_history,
         const MetricList& metrics);
  ~FitLog();
  FitLog(const FitLog&) = delete;
  FitLog& operator=(const FitLog&) = delete;

  void train_begin();
  void epoch_begin(std::size_t epoch);  // from 0
  // After each training step with this process's score of it and its metrics' state (the
  // MetricList's sums over its rows); throws when the loss is not finite.
  void batch_end(std::size_t step, const BatchScore& score, std::size_t rows, const double* metric_state);
  // This process's loss sum, rows and metric state of the epoch, for a team to add up.
  std::vector<double> epoch_sums() const;
  // With the epoch's sums over every process, and the validation figures if any.
  void epoch_end(std::size_t epoch, std::span<const double> sums, const std::optional<Evaluation>& validation);
  void train_end();

  // A callback of one process may stop training where another's does not (TerminateOnNaN on its
  // share of a batch, a callback given to one rank only): after each batch and each epoch the
  // processes of a team add up their votes (Team::sum), so that all stop at the same point.
  std::span<double> stop_votes();
  bool stop_training() const { return state_.stop_training || stop_vote_ > 0; }
  const History& history() const { return history_; }

 private:
  const FitOptions& options_;
  std::size_t steps_;
  TrainingState& state_;
  History& model_history_;
  History history_;
  Logs logs_;
  std::unique_ptr<ProgressBar> bar_;  // the epoch's
  bool interactive_;
  std::size_t epoch_ = 0;
  BatchScore total_;
  std::size_t seen_ = 0;
  const MetricList& metrics_;
  std::vector<double> epoch_state_;   // the metrics' sums over the epoch's rows so far
  std::vector<double> values_;        // their figures
  std::vector<MetricValue> running_;  // loss and metrics, as the bar and on_batch_end see them
  double stop_vote_ = 0;
};

}  // namespace typenet::detail

#ifdef TYPENET_HEADER_ONLY
#include "typenet/model/fit_support-inl.hpp"
#endif
