#pragma once
// The definitions of model/fit_support.hpp (typenet/config.hpp says where they are compiled).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

#include "typenet/model/fit_support.hpp"
#include "typenet/training/progress.hpp"

namespace typenet {

TYPENET_INLINE double Evaluation::operator[](std::string_view name) const {
  for (const auto& [metric, value] : metrics)
    if (metric == name) return value;
  std::string have;
  for (const auto& [metric, value] : metrics) have += (have.empty() ? "" : ", ") + metric;
  throw std::out_of_range("Evaluation has no metric \"" + std::string(name) + "\" (it has " +
                          (have.empty() ? std::string("none") : have) + ")");
}

}  // namespace typenet

namespace typenet::detail {

TYPENET_INLINE Compiled::Compiled() = default;
TYPENET_INLINE Compiled::Compiled(Compiled&& other) noexcept = default;
TYPENET_INLINE Compiled& Compiled::operator=(Compiled&& other) noexcept = default;
TYPENET_INLINE Compiled::~Compiled() = default;

TYPENET_INLINE void Compiled::compile(Optimizer new_optimizer, Loss new_loss, std::vector<Metric> new_metrics,
                                      std::size_t param_count) {
  MetricList::check_fits(new_loss, new_metrics);
  set_metrics(std::move(new_metrics));
  optimizer = OptimizerState(std::move(new_optimizer), param_count);
  loss = new_loss;
  done = true;
}

TYPENET_INLINE void Compiled::compile(Optimizer new_optimizer, Loss new_loss, std::size_t param_count) {
  compile(std::move(new_optimizer), new_loss, MetricList::defaults(new_loss), param_count);
}

TYPENET_INLINE void Compiled::set_metrics(std::vector<Metric> new_metrics) {
  metrics = MetricList(std::move(new_metrics));
  metric_states.assign(max_threads * metrics.state_size(), 0.0);
}

// Each sample's weight from its class (fit's class_weight); empty when every class weighs 1.
inline std::vector<float> class_sample_weights(const Loss& loss, const Targets& targets,
                                               const std::vector<double>& class_weight) {
  if (class_weight.empty()) return {};
  std::vector<float> weights(targets.rows());
  std::visit(
      [&](const auto& l) {
        for (std::size_t i = 0; i < weights.size(); ++i) {
          const std::size_t k = l.class_of(targets.row(i), targets.width);
          if (k >= class_weight.size())
            throw std::invalid_argument("fit: class_weight has " + std::to_string(class_weight.size()) +
                                        " entries but sample " + std::to_string(i) + " is of class " + std::to_string(k));
          weights[i] = static_cast<float>(class_weight[k]);
        }
      },
      loss);
  return weights;
}

TYPENET_INLINE FitData prepare_fit(const Loss& loss, const Features& x, const Labels& y, const FitOptions& options,
                                   std::span<const std::size_t> input_dims, std::size_t outputs) {
  check_features(x, input_dims, "fit");
  if (options.batch_size == 0) throw std::invalid_argument("fit: batch_size must be > 0");
  if (options.validation_split < 0.0 || options.validation_split >= 1.0)
    throw std::invalid_argument("fit: validation_split must be in [0, 1), got " + std::to_string(options.validation_split));

  FitData data;
  const std::size_t samples = x.shape.rows();
  data.targets = prepare_targets(loss, y, samples, outputs, "fit");
  data.train_rows = samples;
  if (options.validation_data) {
    const auto& v = *options.validation_data;
    check_features(v.x, input_dims, "fit (validation_data)");
    data.val_targets_given = prepare_targets(loss, v.y, v.x.shape.rows(), outputs, "fit (validation_data)");
    data.validation_given = true;
    data.val_x = v.x.data;
    data.val_end = v.x.shape.rows();
  } else if (options.validation_split > 0.0) {
    data.train_rows =
        static_cast<std::size_t>(std::floor(static_cast<double>(samples) * (1.0 - options.validation_split)));
    if (data.train_rows == 0 || data.train_rows == samples)
      throw std::invalid_argument("fit: validation_split " + std::to_string(options.validation_split) + " of " +
                                  std::to_string(samples) + " samples leaves an empty training or validation set");
    data.val_x = x.data;
    data.val_begin = data.train_rows;
    data.val_end = samples;
  }
  data.weights = class_sample_weights(loss, data.targets, options.class_weight);
  data.batch_size = std::min(options.batch_size, data.train_rows);
  return data;
}

TYPENET_INLINE void shuffle_order(std::vector<std::size_t>& order, Rng& rng, bool shuffle) {
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (shuffle)
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
}

TYPENET_INLINE std::vector<double> evaluation_sums(const MetricList& metrics, std::span<double> worker_states,
                                                   const BatchScore& total) {
  const std::size_t size = metrics.state_size();
  if (size > 0) add_worker_states(worker_states.data(), size, worker_states.size() / size);
  std::vector<double> sums = {total.loss_sum, static_cast<double>(total.correct)};
  sums.insert(sums.end(), worker_states.begin(), worker_states.begin() + static_cast<std::ptrdiff_t>(size));
  return sums;
}

TYPENET_INLINE Evaluation evaluation_from_sums(const MetricList& metrics, std::span<const double> sums, double rows) {
  Evaluation result{sums[0] / rows, sums[1] / rows, {}};
  std::vector<double> values(metrics.size());
  metrics.results(sums.data() + 2, rows, values.data());
  for (std::size_t m = 0; m < values.size(); ++m) result.metrics.emplace_back(metrics.metrics()[m].name(), values[m]);
  return result;
}

TYPENET_INLINE FitLog::FitLog(const FitOptions& options, std::size_t steps_per_epoch, TrainingState& state,
                              History& model_history, const MetricList& metrics)
    : options_(options),
      steps_(steps_per_epoch),
      state_(state),
      model_history_(model_history),
      interactive_(options.verbose == 1 && options.out == &std::cout && stdout_is_terminal()),
      metrics_(metrics),
      epoch_state_(metrics.state_size()),
      values_(metrics.size()) {
  running_.push_back({"loss", 0.0});
  for (const Metric& metric : metrics.metrics()) running_.push_back({metric.name(), 0.0});
  for (const auto& callback : options_.callbacks)
    if (!callback) throw std::invalid_argument("fit: FitOptions::callbacks holds an empty pointer");
}

TYPENET_INLINE FitLog::~FitLog() = default;

TYPENET_INLINE void FitLog::train_begin() {
  state_.stop_training = false;
  logs_.clear();
  for (const auto& callback : options_.callbacks) {
    callback->set_model(&state_);
    callback->on_train_begin(logs_);
  }
}

TYPENET_INLINE void FitLog::epoch_begin(std::size_t epoch) {
  epoch_ = epoch;
  if (options_.verbose) *options_.out << "Epoch " << epoch + 1 << '/' << options_.epochs << '\n';
  logs_.clear();
  for (const auto& callback : options_.callbacks) callback->on_epoch_begin(epoch, logs_);
  bar_ = std::make_unique<ProgressBar>(*options_.out, steps_, interactive_);
  total_ = {};
  seen_ = 0;
  std::fill(epoch_state_.begin(), epoch_state_.end(), 0.0);
}

TYPENET_INLINE void FitLog::batch_end(std::size_t step, const BatchScore& score, std::size_t rows,
                                      const double* metric_state) {
  total_ += score;
  seen_ += rows;
  for (std::size_t i = 0; i < epoch_state_.size(); ++i) epoch_state_[i] += metric_state[i];
  const bool finite = std::isfinite(score.loss_sum);
  // The running figures, over the epoch so far, for a bar redrawn in place and for the callbacks
  // (a bar that prints only its final line needs them only at the epoch's end).
  if (interactive_ || !options_.callbacks.empty()) {
    const double n = static_cast<double>(std::max<std::size_t>(seen_, 1));
    metrics_.results(epoch_state_.data(), n, values_.data());
    running_[0].value = total_.loss_sum / n;
    for (std::size_t m = 0; m < values_.size(); ++m) running_[m + 1].value = values_[m];
  }
  if (finite) bar_->update(step + 1, running_);
  if (!options_.callbacks.empty()) {
    Logs batch_logs;
    for (const auto& [name, value] : running_) batch_logs.set(name, value);
    for (const auto& callback : options_.callbacks) callback->on_batch_end(step, batch_logs);
  }
  // Caught at the batch that produced it, before a NaN spreads through the weights for the rest of
  // the epoch; a callback that stops training (TerminateOnNaN) ends fit quietly instead.
  if (!finite && !state_.stop_training)
    throw std::runtime_error("fit: the loss became " + std::to_string(score.loss_sum) + " at epoch " +
                             std::to_string(epoch_ + 1) + ", batch " + std::to_string(step + 1) + " of " +
                             std::to_string(steps_) + "; lower the learning rate or check the data");
}

TYPENET_INLINE std::span<double> FitLog::stop_votes() {
  stop_vote_ = stop_training() ? 1.0 : 0.0;  // a vote to stop, once counted, stands
  return {&stop_vote_, 1};
}

TYPENET_INLINE std::vector<double> FitLog::epoch_sums() const {
  std::vector<double> sums = {total_.loss_sum, static_cast<double>(seen_)};
  sums.insert(sums.end(), epoch_state_.begin(), epoch_state_.end());
  return sums;
}

TYPENET_INLINE void FitLog::epoch_end(std::size_t epoch, std::span<const double> sums,
                                      const std::optional<Evaluation>& validation) {
  const double rows = sums[1];
  metrics_.results(sums.data() + 2, rows, values_.data());
  logs_.set("loss", sums[0] / rows);
  for (std::size_t m = 0; m < values_.size(); ++m) logs_.set(metrics_.metrics()[m].name(), values_[m]);
  if (validation) {
    logs_.set("val_loss", validation->loss);
    for (const auto& [name, value] : validation->metrics) logs_.set("val_" + name, value);
  }
  // The History records the epoch as the callbacks go: fit's figures before the first, what each
  // adds to the logs (a score, the learning rate) right after it. So a ModelCheckpoint saves a
  // model whose History holds the epoch with what the callbacks before it added, as its logs do.
  std::size_t recorded = 0;
  auto record = [&] {
    for (; recorded < logs_.items().size(); ++recorded) {
      const auto& [name, value] = logs_.items()[recorded];
      history_.append(name, value);
      model_history_.append(name, value);
    }
  };
  record();
  const std::vector<std::pair<std::string, double>> figures = logs_.items();
  for (const auto& callback : options_.callbacks) {
    callback->on_epoch_end(epoch, logs_);
    record();
  }
  for (std::size_t i = 0; i < figures.size(); ++i)
    if (logs_.items()[i].second != figures[i].second && !std::isnan(figures[i].second))
      throw std::logic_error("fit: a callback changed \"" + figures[i].first +
                             "\" in the epoch's logs; callbacks may add figures, not change fit's");
  if (options_.verbose) {
    std::vector<MetricValue> shown;
    for (const auto& [name, value] : logs_.items()) shown.push_back({name, value});
    bar_->finish(shown);
  }
  if (options_.on_epoch_end) options_.on_epoch_end(epoch + 1);
}

TYPENET_INLINE void FitLog::train_end() {
  for (const auto& callback : options_.callbacks) callback->on_train_end(logs_);
}

}  // namespace typenet::detail
