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

class OptimizerState;  // training/optimizers.hpp

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
  // The model's optimizer: learning_rate() and set_learning_rate() (Keras's
  // model.optimizer.learning_rate).
  OptimizerState* optimizer = nullptr;
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

// ReduceLROnPlateau's arguments, Keras's names and defaults.
struct ReduceLROnPlateauOptions {
  std::string monitor = "val_loss";
  double factor = 0.1;      // new rate = rate * factor, below 1
  std::size_t patience = 10;
  int verbose = 0;
  std::string mode = "auto";  // "min", "max", or "auto" (as EarlyStopping)
  double min_delta = 1e-4;
  std::size_t cooldown = 0;  // epochs after a reduction during which no waiting is counted
  double min_lr = 0.0;
  std::ostream* out = nullptr;
};

// Multiplies the learning rate by `factor` when `monitor` has not improved by more than
// min_delta for `patience` epochs, as keras.callbacks.ReduceLROnPlateau: then waits `cooldown`
// epochs before counting again, and never goes below min_lr. Adds "learning_rate" to the logs.
class ReduceLROnPlateau : public Callback {
 public:
  using Options = ReduceLROnPlateauOptions;
  explicit ReduceLROnPlateau(Options options = {});
  void on_train_begin(Logs&) override;
  void on_epoch_end(std::size_t epoch, Logs& logs) override;

 private:
  Options options_;
  bool maximise_ = false;
  std::optional<double> best_;
  std::size_t wait_ = 0, cooldown_counter_ = 0;
};

// Sets the learning rate before every epoch to schedule(epoch, current rate), as
// keras.callbacks.LearningRateScheduler (epochs from 0). Adds "learning_rate" to the logs.
class LearningRateScheduler : public Callback {
 public:
  explicit LearningRateScheduler(std::function<double(std::size_t epoch, double rate)> schedule, int verbose = 0,
                                 std::ostream* out = nullptr);
  void on_epoch_begin(std::size_t epoch, Logs& logs) override;
  void on_epoch_end(std::size_t epoch, Logs& logs) override;

 private:
  std::function<double(std::size_t, double)> schedule_;
  int verbose_;
  std::ostream* out_;
};

// Stops training at the first batch whose loss is NaN or infinite, as keras.callbacks.TerminateOnNaN;
// fit then returns the History so far instead of throwing (which it does without this callback).
class TerminateOnNaN : public Callback {
 public:
  explicit TerminateOnNaN(std::ostream* out = nullptr) : out_(out) {}
  void on_batch_end(std::size_t batch, Logs& logs) override;

 private:
  std::ostream* out_;
};

// Writes every epoch's logs to a CSV file, as keras.callbacks.CSVLogger: a header "epoch" and the
// logs' names sorted, then one row per epoch (epochs from 0), with `separator` between fields and
// each line ended by "\r\n" (Keras writes through Python's csv module in its excel dialect); with
// `append` the rows go after the file's present ones (the header only if it was empty). The file
// is replaced atomically after each epoch, so a reader never sees half a row.
class CSVLogger : public Callback {
 public:
  explicit CSVLogger(std::string filename, char separator = ',', bool append = false);
  void on_train_begin(Logs&) override;
  void on_epoch_end(std::size_t epoch, Logs& logs) override;

 private:
  std::string filename_;
  char separator_;
  bool append_;
  std::string text_;
  std::vector<std::string> keys_;
};

// ModelCheckpoint's arguments, Keras's names and defaults.
struct ModelCheckpointOptions {
  // Where to save after each epoch; may name the epoch (from 1) and the logs, with Python's
  // format specifications: "ckpt/{epoch:02d}-{val_loss:.3f}.typenet".
  std::string filepath;
  std::string monitor = "val_loss";
  int verbose = 0;
  bool save_best_only = false;     // save only when `monitor` beats the best so far
  bool save_weights_only = false;  // Model::save_weights rather than Model::save
  std::string mode = "auto";       // "min", "max", or "auto" (as EarlyStopping)
  std::optional<double> initial_value_threshold;  // the best to beat at first
  std::ostream* out = nullptr;
};

// Saves the model after every epoch, or only after the epochs that improve `monitor`, as
// keras.callbacks.ModelCheckpoint. Each save is atomic (Model::save). It takes the model it
// saves, since a callback sees the weights but not the network's type:
//
//   auto checkpoint = std::make_shared<tn::ModelCheckpoint>(model, tn::ModelCheckpoint::Options{
//       .filepath = "best.typenet", .save_best_only = true});
class ModelCheckpoint : public Callback {
 public:
  using Options = ModelCheckpointOptions;
  template <class TypedModel>
  ModelCheckpoint(TypedModel& model, Options options)
      : ModelCheckpoint(std::move(options), [&model](const std::string& path, bool weights_only) {
          if (weights_only)
            model.save_weights(path);
          else
            model.save(path);
        }) {}
  ModelCheckpoint(Options options, std::function<void(const std::string& path, bool weights_only)> save);

  void on_train_begin(Logs&) override;
  void on_epoch_end(std::size_t epoch, Logs& logs) override;
  std::optional<double> best() const { return best_; }

 private:
  Options options_;
  std::function<void(const std::string&, bool)> save_;
  bool maximise_ = false;
  std::optional<double> best_;
};

// Fills Python-style fields in a checkpoint path: {epoch} (from 1) and any of the logs, each with
// an optional format specification ({epoch:03d}, {val_loss:.4f}); throws naming an unknown field.
std::string format_checkpoint_path(const std::string& pattern, std::size_t epoch, const Logs& logs);

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
