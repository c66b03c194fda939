#pragma once
// The definitions of training/callbacks.hpp (typenet/config.hpp says where they are compiled).
#include <algorithm>
#include <iostream>
#include <stdexcept>

#include "typenet/training/callbacks.hpp"

namespace typenet {

TYPENET_INLINE void Logs::set(std::string_view name, double value) {
  for (auto& [key, v] : items_)
    if (key == name) {
      v = value;
      return;
    }
  items_.emplace_back(std::string(name), value);
}

TYPENET_INLINE std::optional<double> Logs::get(std::string_view name) const {
  for (const auto& [key, v] : items_)
    if (key == name) return v;
  return std::nullopt;
}

namespace detail {
// Keras decides "auto" from the metric's direction; these are the directions of the figures
// typenet's fit and its users' callbacks report.
inline bool higher_is_better(std::string_view monitor) {
  if (monitor.starts_with("val_")) monitor.remove_prefix(4);
  for (std::string_view better : {"acc", "auc", "precision", "recall", "f1", "score"})
    if (monitor.find(better) != std::string_view::npos) return true;
  return false;
}
}  // namespace detail

TYPENET_INLINE EarlyStopping::EarlyStopping(Options options) : options_(std::move(options)) {
  if (options_.mode == "max")
    maximise_ = true;
  else if (options_.mode == "auto")
    maximise_ = detail::higher_is_better(options_.monitor);
  else if (options_.mode != "min")
    throw std::invalid_argument("EarlyStopping: mode must be \"min\", \"max\" or \"auto\", not \"" + options_.mode + "\"");
  if (options_.min_delta < 0) options_.min_delta = -options_.min_delta;  // Keras takes its magnitude
}

TYPENET_INLINE bool EarlyStopping::improves(double value, std::optional<double> reference) const {
  if (!reference) return true;
  return maximise_ ? value - options_.min_delta > *reference : value + options_.min_delta < *reference;
}

TYPENET_INLINE void EarlyStopping::on_train_begin(Logs&) {
  wait_ = stopped_epoch_ = best_epoch_ = 0;
  best_.reset();
  best_weights_.clear();
  best_non_trainable_.clear();
}

TYPENET_INLINE void EarlyStopping::on_epoch_end(std::size_t epoch, Logs& logs) {
  const std::optional<double> current = logs.get(options_.monitor);
  if (!current) {
    std::string have;
    for (const auto& [name, value] : logs.items()) have += (have.empty() ? "" : ", ") + name;
    throw std::invalid_argument("EarlyStopping: the logs have no \"" + options_.monitor + "\" (they have " + have +
                                ")");
  }
  if (epoch < options_.start_from_epoch) return;
  auto keep_weights = [&] {
    best_weights_.assign(model->weights.begin(), model->weights.end());
    best_non_trainable_.assign(model->non_trainable.begin(), model->non_trainable.end());
  };
  if (options_.restore_best_weights && best_weights_.empty()) keep_weights();  // the first epoch watched
  ++wait_;
  if (improves(*current, best_)) {
    best_ = *current;
    best_epoch_ = epoch;
    if (options_.restore_best_weights) keep_weights();
    // An improvement resets the wait only once the baseline, if any, is beaten.
    if (!options_.baseline || improves(*current, options_.baseline)) {
      wait_ = 0;
      return;
    }
  }
  if (wait_ >= options_.patience && epoch > 0) {
    stopped_epoch_ = epoch;
    model->stop_training = true;
  }
}

TYPENET_INLINE void EarlyStopping::on_train_end(Logs&) {
  std::ostream& out = options_.out ? *options_.out : std::cout;
  if (stopped_epoch_ > 0 && options_.verbose > 0) out << "Epoch " << stopped_epoch_ + 1 << ": early stopping\n";
  if (options_.restore_best_weights && !best_weights_.empty()) {
    if (options_.verbose > 0)
      out << "Restoring model weights from the end of the best epoch: " << best_epoch_ + 1 << ".\n";
    std::copy(best_weights_.begin(), best_weights_.end(), model->weights.begin());
    std::copy(best_non_trainable_.begin(), best_non_trainable_.end(), model->non_trainable.begin());
  }
}

TYPENET_INLINE void LambdaCallback::on_train_begin(Logs& logs) {
  if (train_begin) train_begin(logs);
}
TYPENET_INLINE void LambdaCallback::on_train_end(Logs& logs) {
  if (train_end) train_end(logs);
}
TYPENET_INLINE void LambdaCallback::on_epoch_begin(std::size_t epoch, Logs& logs) {
  if (epoch_begin) epoch_begin(epoch, logs);
}
TYPENET_INLINE void LambdaCallback::on_epoch_end(std::size_t epoch, Logs& logs) {
  if (epoch_end) epoch_end(epoch, logs);
}
TYPENET_INLINE void LambdaCallback::on_batch_end(std::size_t batch, Logs& logs) {
  if (batch_end) batch_end(batch, logs);
}

}  // namespace typenet
