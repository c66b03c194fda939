#pragma once
// Callbacks, as Keras's: objects that fit calls at the start and end of training, of every epoch
// and of every batch, that see the epoch's figures (`logs`) and the model's weights, and that may
// stop training. Pass them in FitOptions::callbacks; fit calls them in that order.
//
//   auto stop = std::make_shared<tn::EarlyStopping>(tn::EarlyStopping::Options{
//       .monitor = "val_loss", .patience = 3, .restore_best_weights = true});
//   model.fit(x, y, {.epochs = 50, .validation_split = 0.1, .callbacks = {stop}});
//
// Epochs are counted from 0 here, as Keras counts them for callbacks. A callback is non-template
// code: it sees the model through TrainingState, whatever the network's type.
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "typenet/config.hpp"

namespace typenet {

// An epoch's (or a batch's) figures by name, in the order they were set: loss, accuracy, then
// val_loss, val_accuracy, then whatever callbacks add. History keeps every epoch's.
class Logs {
 public:
  void set(std::string_view name, double value);
  std::optional<double> get(std::string_view name) const;
  const std::vector<std::pair<std::string, double>>& items() const { return items_; }
  void clear() { items_.clear(); }

 private:
  std::vector<std::pair<std::string, double>> items_;
};

// What a callback reaches of the model being trained (Keras's `callback.model`).
struct TrainingState {
  std::span<float> weights;        // the trainable parameters, in the model's order
  std::span<float> non_trainable;  // BatchNormalization's moving statistics
  bool stop_training = false;      // set it to end fit after the current epoch (or batch)
};

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(Logs&) {}
  virtual void on_train_end(Logs&) {}
  virtual void on_epoch_begin(std::size_t /*epoch*/, Logs&) {}
  virtual void on_epoch_end(std::size_t /*epoch*/, Logs&) {}
  virtual void on_batch_end(std::size_t /*batch*/, Logs&) {}

  // fit points a callback at the model it trains, before on_train_begin.
  void set_model(TrainingState* state) { model = state; }

 protected:
  TrainingState* model = nullptr;
};

using Callbacks = std::vector<std::shared_ptr<Callback>>;

// EarlyStopping's arguments, Keras's names and defaults.
struct EarlyStoppingOptions {
  std::string monitor = "val_loss";
  double min_delta = 0.0;
  std::size_t patience = 0;
  int verbose = 0;
  std::string mode = "auto";  // "min", "max", or "auto": max for accuracies and AUC, min for losses
  std::optional<double> baseline;  // training stops unless the monitor beats it
  bool restore_best_weights = false;
  std::size_t start_from_epoch = 0;  // epochs before this one are not watched
  std::ostream* out = nullptr;       // where verbose prints; null: std::cout
};

// Stops training when `monitor` has stopped improving, as keras.callbacks.EarlyStopping (Keras 3):
// an epoch improves when it beats the best so far by more than min_delta; after `patience` epochs
// without improvement training stops; with restore_best_weights the model ends with the weights
// (trainable and not) of its best epoch.
class EarlyStopping : public Callback {
 public:
  using Options = EarlyStoppingOptions;

  explicit EarlyStopping(Options options = {});

  void on_train_begin(Logs&) override;
  void on_epoch_end(std::size_t epoch, Logs& logs) override;
  void on_train_end(Logs&) override;

  std::size_t stopped_epoch() const { return stopped_epoch_; }  // 0 when training was not stopped
  std::size_t best_epoch() const { return best_epoch_; }        // counted from 0
  std::optional<double> best() const { return best_; }

 private:
  bool improves(double value, std::optional<double> reference) const;

  Options options_;
  bool maximise_ = false;
  std::size_t wait_ = 0, stopped_epoch_ = 0, best_epoch_ = 0;
  std::optional<double> best_;
  std::vector<float> best_weights_, best_non_trainable_;
};

// A callback made of functions, as keras.callbacks.LambdaCallback; any may be empty.
class LambdaCallback : public Callback {
 public:
  std::function<void(std::size_t epoch, Logs&)> epoch_begin, epoch_end;
  std::function<void(std::size_t batch, Logs&)> batch_end;
  std::function<void(Logs&)> train_begin, train_end;

  void on_train_begin(Logs& logs) override;
  void on_train_end(Logs& logs) override;
  void on_epoch_begin(std::size_t epoch, Logs& logs) override;
  void on_epoch_end(std::size_t epoch, Logs& logs) override;
  void on_batch_end(std::size_t batch, Logs& logs) override;
};

}  // namespace typenet

#ifdef TYPENET_HEADER_ONLY
#include "typenet/training/callbacks-inl.hpp"
#endif
