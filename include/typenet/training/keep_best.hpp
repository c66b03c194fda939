#pragma once
// Model selection by a score of your own (say the validation ROC AUC): after every epoch the
// score is computed and recorded in the History as `monitor`; training stops when it has not
// improved for `patience` epochs, and the model ends with the weights of its best epoch. It is
// one fit with two callbacks: a LambdaCallback that puts the score in the epoch's logs, and
// EarlyStopping(mode="max", restore_best_weights=True) watching it. The optimizer's moments stay
// those of the last epoch trained, as with Keras.
//
//   auto best = tn::fit_keep_best(model, x, y, {.batch_size = 64, .epochs = 30, .validation_data = val},
//                                 {.monitor = "val_auc", .score = [&] { return val_auc(model); }, .patience = 8});
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

#include "typenet/model/model.hpp"
#include "typenet/training/callbacks.hpp"
#include "typenet/training/history.hpp"

namespace typenet {

struct KeepBest {
  std::string monitor = "val_score";  // the score's name in the History
  std::function<double()> score;      // higher is better; sees the model as the epoch left it
  std::size_t patience = 0;           // stop after this many epochs without improvement; 0 never stops
  // Called before every epoch (counted from 1), e.g. to refill the training images that x views
  // with a fresh random augmentation of the originals.
  std::function<void(std::size_t epoch)> on_epoch_begin;
};

struct KeepBestResult {
  History history;          // every epoch trained, with the score as keep.monitor
  std::size_t best_epoch;   // counted from 1
  double best_score;
  bool stopped_early;
};

template <class Spec>
KeepBestResult fit_keep_best(Model<Spec>& model, Features x, Labels y, FitOptions options, const KeepBest& keep) {
  if (!keep.score) throw std::invalid_argument("fit_keep_best: KeepBest::score is empty");
  auto scorer = std::make_shared<LambdaCallback>();
  scorer->epoch_begin = [&](std::size_t epoch, Logs&) {
    if (keep.on_epoch_begin) keep.on_epoch_begin(epoch + 1);
  };
  scorer->epoch_end = [&](std::size_t epoch, Logs& logs) {
    const double score = keep.score();
    if (!std::isfinite(score))
      throw std::runtime_error("fit_keep_best: " + keep.monitor + " is " + std::to_string(score) + " after epoch " +
                               std::to_string(epoch + 1));
    logs.set(keep.monitor, score);
  };
  auto stopping = std::make_shared<EarlyStopping>(EarlyStopping::Options{
      .monitor = keep.monitor,
      .patience = keep.patience ? keep.patience : std::numeric_limits<std::size_t>::max(),
      .verbose = options.verbose,
      .mode = "max",
      .restore_best_weights = true,
      .out = options.out});
  // The score must be in the logs before EarlyStopping reads them; the caller's callbacks follow.
  options.callbacks.insert(options.callbacks.begin(), {scorer, stopping});
  History history = model.fit(x, y, options);
  return {std::move(history), stopping->best_epoch() + 1,
          stopping->best().value_or(-std::numeric_limits<double>::infinity()), stopping->stopped_epoch() > 0};
}

}  // namespace typenet
