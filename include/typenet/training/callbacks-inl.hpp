#pragma once
// The definitions of training/callbacks.hpp (typenet/config.hpp says where they are compiled).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>

#include "typenet/io/atomic_file.hpp"
#include "typenet/training/callbacks.hpp"
#include "typenet/training/optimizers.hpp"

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

// Whether a callback watching `monitor` in `mode` wants it higher.
inline bool maximises(const std::string& mode, std::string_view monitor, const char* who) {
  if (mode == "max") return true;
  if (mode == "auto") return higher_is_better(monitor);
  if (mode == "min") return false;
  throw std::invalid_argument(std::string(who) + ": mode must be \"min\", \"max\" or \"auto\", not \"" + mode + "\"");
}

// The value of `monitor` in the logs; a name they do not have is an error that lists theirs (Keras
// only warns, and a misspelt monitor would then silently never act).
inline double monitored(const Logs& logs, const std::string& monitor, const char* who) {
  if (const std::optional<double> value = logs.get(monitor)) return *value;
  std::string have;
  for (const auto& [name, value] : logs.items()) have += (have.empty() ? "" : ", ") + name;
  throw std::invalid_argument(std::string(who) + ": the logs have no \"" + monitor + "\" (they have " + have + ")");
}

inline OptimizerState& optimizer_of(TrainingState* model, const char* who) {
  if (!model || !model->optimizer)
    throw std::logic_error(std::string(who) + ": no optimizer to reach; it runs inside Model::fit");
  return *model->optimizer;
}

inline std::ostream& output(std::ostream* out) { return out ? *out : std::cout; }
}  // namespace detail

TYPENET_INLINE EarlyStopping::EarlyStopping(Options options) : options_(std::move(options)) {
  maximise_ = detail::maximises(options_.mode, options_.monitor, "EarlyStopping");
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
  const std::optional<double> current = detail::monitored(logs, options_.monitor, "EarlyStopping");
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

TYPENET_INLINE ReduceLROnPlateau::ReduceLROnPlateau(Options options) : options_(std::move(options)) {
  if (!(options_.factor < 1.0))
    throw std::invalid_argument("ReduceLROnPlateau: factor must be below 1 (it multiplies the rate), not " +
                                std::to_string(options_.factor));
  maximise_ = detail::maximises(options_.mode, options_.monitor, "ReduceLROnPlateau");
}

TYPENET_INLINE void ReduceLROnPlateau::on_train_begin(Logs&) {
  best_.reset();
  wait_ = cooldown_counter_ = 0;
}

// Keras 3's order of decisions: a cooldown epoch resets the wait; an improvement (by more than
// min_delta) resets it too; otherwise, outside cooldown, the wait grows and at `patience` the
// rate is cut, unless it is already at min_lr.
TYPENET_INLINE void ReduceLROnPlateau::on_epoch_end(std::size_t epoch, Logs& logs) {
  OptimizerState& optimizer = detail::optimizer_of(model, "ReduceLROnPlateau");
  logs.set("learning_rate", optimizer.learning_rate());
  const double current = detail::monitored(logs, options_.monitor, "ReduceLROnPlateau");
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    wait_ = 0;
  }
  const bool improved = !best_ || (maximise_ ? current > *best_ + options_.min_delta : current < *best_ - options_.min_delta);
  if (improved) {
    best_ = current;
    wait_ = 0;
  } else if (cooldown_counter_ == 0 && ++wait_ >= options_.patience) {
    const double old_rate = optimizer.learning_rate();
    if (old_rate > options_.min_lr) {
      const double new_rate = std::max(old_rate * options_.factor, options_.min_lr);
      optimizer.set_learning_rate(new_rate);
      if (options_.verbose > 0)
        detail::output(options_.out) << "Epoch " << epoch + 1 << ": ReduceLROnPlateau reducing learning rate to "
                                     << new_rate << ".\n";
      cooldown_counter_ = options_.cooldown;
      wait_ = 0;
    }
  }
}

TYPENET_INLINE LearningRateScheduler::LearningRateScheduler(std::function<double(std::size_t, double)> schedule,
                                                            int verbose, std::ostream* out)
    : schedule_(std::move(schedule)), verbose_(verbose), out_(out) {
  if (!schedule_) throw std::invalid_argument("LearningRateScheduler: the schedule is empty");
}

TYPENET_INLINE void LearningRateScheduler::on_epoch_begin(std::size_t epoch, Logs&) {
  OptimizerState& optimizer = detail::optimizer_of(model, "LearningRateScheduler");
  const double rate = schedule_(epoch, optimizer.learning_rate());
  if (!std::isfinite(rate) || rate < 0)
    throw std::invalid_argument("LearningRateScheduler: the schedule gave " + std::to_string(rate) + " for epoch " +
                                std::to_string(epoch) + "; a learning rate is a finite number >= 0");
  optimizer.set_learning_rate(rate);
  if (verbose_ > 0)
    detail::output(out_) << "Epoch " << epoch + 1 << ": LearningRateScheduler setting learning rate to " << rate << ".\n";
}

TYPENET_INLINE void LearningRateScheduler::on_epoch_end(std::size_t, Logs& logs) {
  logs.set("learning_rate", detail::optimizer_of(model, "LearningRateScheduler").learning_rate());
}

TYPENET_INLINE void TerminateOnNaN::on_batch_end(std::size_t batch, Logs& logs) {
  const std::optional<double> loss = logs.get("loss");
  if (loss && !std::isfinite(*loss)) {
    detail::output(out_) << "Batch " << batch << ": Invalid loss, terminating training\n";
    if (model) model->stop_training = true;
  }
}

namespace detail {
// The csv module's excel dialect, which Keras's CSVLogger writes in, ends each line so.
inline constexpr const char* csv_line_end = "\r\n";

// Python's str() of a float: the shortest text that reads back as the same double.
inline std::string shortest(double value) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  std::string text(buffer, end);
  if (std::isfinite(value) && text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}
}  // namespace detail

TYPENET_INLINE CSVLogger::CSVLogger(std::string filename, char separator, bool append)
    : filename_(std::move(filename)), separator_(separator), append_(append) {
  if (filename_.empty()) throw std::invalid_argument("CSVLogger: the file name is empty");
}

TYPENET_INLINE void CSVLogger::on_train_begin(Logs&) {
  text_.clear();
  keys_.clear();
  if (!append_ || !std::filesystem::exists(filename_)) return;
  // The rows already there are kept: read them (a log, not a data set: refused past 256 MiB).
  constexpr std::uintmax_t limit = std::uintmax_t{256} << 20;
  const std::uintmax_t size = std::filesystem::file_size(filename_);
  if (size > limit)
    throw std::runtime_error("CSVLogger: " + filename_ + " is " + std::to_string(size) +
                             " bytes; appending reads it whole, up to 256 MiB");
  std::ifstream in(filename_, std::ios::binary);
  text_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) throw std::runtime_error("CSVLogger: cannot read " + filename_);
  if (!text_.empty() && text_.back() != '\n') text_ += detail::csv_line_end;
}

TYPENET_INLINE void CSVLogger::on_epoch_end(std::size_t epoch, Logs& logs) {
  if (keys_.empty()) {
    for (const auto& [name, value] : logs.items()) keys_.push_back(name);
    std::sort(keys_.begin(), keys_.end());
    if (text_.empty()) {
      text_ += "epoch";
      for (const auto& key : keys_) (text_ += separator_) += key;
      text_ += detail::csv_line_end;
    }
  }
  text_ += std::to_string(epoch);
  for (const auto& key : keys_) {
    const std::optional<double> value = logs.get(key);
    (text_ += separator_) += value ? detail::shortest(*value) : "NA";
  }
  text_ += detail::csv_line_end;
  io::write_file_atomically(filename_, text_);
}

TYPENET_INLINE ModelCheckpoint::ModelCheckpoint(Options options,
                                                std::function<void(const std::string&, bool)> save)
    : options_(std::move(options)), save_(std::move(save)) {
  if (options_.filepath.empty()) throw std::invalid_argument("ModelCheckpoint: filepath is empty");
  if (!save_) throw std::invalid_argument("ModelCheckpoint: the save function is empty");
  maximise_ = detail::maximises(options_.mode, options_.monitor, "ModelCheckpoint");
}

TYPENET_INLINE void ModelCheckpoint::on_train_begin(Logs&) { best_ = options_.initial_value_threshold; }

TYPENET_INLINE void ModelCheckpoint::on_epoch_end(std::size_t epoch, Logs& logs) {
  const std::string path = format_checkpoint_path(options_.filepath, epoch + 1, logs);
  std::ostream& out = detail::output(options_.out);
  if (!options_.save_best_only) {
    if (options_.verbose > 0) out << "Epoch " << epoch + 1 << ": saving model to " << path << '\n';
    save_(path, options_.save_weights_only);
    return;
  }
  const double current = detail::monitored(logs, options_.monitor, "ModelCheckpoint");
  char figures[64];
  if (!best_ || (maximise_ ? current > *best_ : current < *best_)) {
    if (options_.verbose > 0) {
      std::snprintf(figures, sizeof figures, "%.5f to %.5f", best_.value_or(maximise_ ? -INFINITY : INFINITY), current);
      out << "Epoch " << epoch + 1 << ": " << options_.monitor << " improved from " << figures << ", saving model to "
          << path << '\n';
    }
    best_ = current;
    save_(path, options_.save_weights_only);
  } else if (options_.verbose > 0) {
    std::snprintf(figures, sizeof figures, "%.5f", *best_);
    out << "Epoch " << epoch + 1 << ": " << options_.monitor << " did not improve from " << figures << '\n';
  }
}

TYPENET_INLINE std::string format_checkpoint_path(const std::string& pattern, std::size_t epoch, const Logs& logs) {
  std::string path;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if ((c == '{' || c == '}') && i + 1 < pattern.size() && pattern[i + 1] == c) {  // {{ and }} are literal
      path += c;
      ++i;
      continue;
    }
    if (c == '}') throw std::invalid_argument("ModelCheckpoint: a lone '}' in the filepath \"" + pattern + "\"");
    if (c != '{') {
      path += c;
      continue;
    }
    const std::size_t close = pattern.find('}', i);
    if (close == std::string::npos)
      throw std::invalid_argument("ModelCheckpoint: an unclosed '{' in the filepath \"" + pattern + "\"");
    const std::string field = pattern.substr(i + 1, close - i - 1);
    const std::size_t colon = field.find(':');
    const std::string name = field.substr(0, colon);
    const std::string spec = colon == std::string::npos ? "" : field.substr(colon + 1);
    // Python's [0][width][.precision][type], for an integer (d) or a number (f, e, g).
    std::size_t k = 0;
    std::string flags;
    if (k < spec.size() && spec[k] == '0') flags = "0", ++k;
    while (k < spec.size() && (std::isdigit(static_cast<unsigned char>(spec[k])) || spec[k] == '.')) ++k;
    const std::string width_precision = spec.substr(flags.size(), k - flags.size());
    const std::string type = spec.substr(k);
    if (width_precision.size() > 5)
      throw std::invalid_argument("ModelCheckpoint: the format \"" + spec + "\" of {" + name + "} asks for more than 99 characters");
    if (type.size() > 1 || (type.size() == 1 && std::string_view("dfeg").find(type[0]) == std::string_view::npos))
      throw std::invalid_argument("ModelCheckpoint: the format \"" + spec + "\" of {" + name +
                                  "} is not [0][width][.precision] followed by d, f, e or g");
    char text[128];
    if (name == "epoch") {
      if (!type.empty() && type != "d")
        throw std::invalid_argument("ModelCheckpoint: {epoch} is an integer; format it with d, not " + type);
      std::snprintf(text, sizeof text, ("%" + flags + width_precision + "zu").c_str(), epoch);
    } else if (const std::optional<double> value = logs.get(name)) {
      if (type == "d")
        throw std::invalid_argument("ModelCheckpoint: {" + name + "} is a number; format it with f, e or g, not d");
      if (spec.empty()) {
        std::snprintf(text, sizeof text, "%s", detail::shortest(*value).c_str());
      } else {
        std::snprintf(text, sizeof text, ("%" + flags + width_precision + (type.empty() ? "g" : type)).c_str(), *value);
      }
    } else {
      std::string have = "epoch";
      for (const auto& [key, v] : logs.items()) have += ", " + key;
      throw std::invalid_argument("ModelCheckpoint: the filepath names {" + name + "}, which is neither the epoch nor in the logs (" +
                                  have + ")");
    }
    path += text;
    i = close;
  }
  return path;
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
