#pragma once
// Model selection while training, as Keras's ModelCheckpoint(save_best_only=True) with
// EarlyStopping(patience, restore_best_weights=True): after every epoch a score is computed on
// held-out data (say the validation ROC AUC, or minus the validation loss); training stops when
// it has not improved for `patience` epochs, and the model ends with the weights of its best
// epoch. The score function sees the model as it is after that epoch. Only the weights are
// restored: the optimizer's moments stay those of the last epoch trained, as with Keras.
//
//   auto best = tn::fit_keep_best(model, x, y, {.batch_size = 64, .epochs = 30, .validation_data = val},
//                                 {.monitor = "val_auc", .score = [&] { return val_auc(model); }, .patience = 8});
#include <cmath>
#include <cstddef>
#include <functional>
#include <iomanip>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "typenet/history.hpp"
#include "typenet/model.hpp"

namespace typenet {

struct KeepBest {
  std::string monitor = "val_score";  // the score's name in the History
  std::function<double()> score;      // higher is better
  std::size_t patience = 0;           // stop after this many epochs without improvement; 0 never stops
  // Called before every epoch (counted from 1), e.g. to refill the training images that x views
  // with a fresh random augmentation of the originals.
  std::function<void(std::size_t epoch)> on_epoch_begin;
};

struct KeepBestResult {
  History history;          // every epoch trained, with the score as options.monitor
  std::size_t best_epoch;   // counted from 1
  double best_score;
  bool stopped_early;
};

template <class Spec>
KeepBestResult fit_keep_best(Model<Spec>& model, Features x, Labels y, FitOptions options, const KeepBest& keep) {
  if (!keep.score) throw std::invalid_argument("fit_keep_best: KeepBest::score is empty");
  const std::size_t epochs = options.epochs;
  std::ostream& out = *options.out;
  const int verbose = options.verbose;
  options.epochs = 1;
  options.verbose = 0;  // one line per epoch below, with the score in it

  KeepBestResult result{{}, 0, -std::numeric_limits<double>::infinity(), false};
  const auto params = model.parameters();
  std::vector<float> best_params(params.begin(), params.end());
  std::size_t since_best = 0;
  for (std::size_t epoch = 1; epoch <= epochs; ++epoch) {
    if (keep.on_epoch_begin) keep.on_epoch_begin(epoch);
    // fit(1) n times shuffles exactly as fit(n) does (model_fit.hpp), so this is one long fit.
    const History h = model.fit(x, y, options);
    const double score = keep.score();
    if (!std::isfinite(score))
      throw std::runtime_error("fit_keep_best: " + keep.monitor + " is " + std::to_string(score) + " after epoch " + std::to_string(epoch));
    for (const auto& metric : h.metrics()) result.history.append(metric, h[metric].back());
    result.history.append(keep.monitor, score);
    const bool improved = score > result.best_score;
    if (improved) {
      result.best_score = score;
      result.best_epoch = epoch;
      std::copy(params.begin(), params.end(), best_params.begin());
      since_best = 0;
    } else {
      ++since_best;
    }
    if (verbose) {
      out << "Epoch " << epoch << '/' << epochs;
      for (const auto& metric : result.history.metrics())
        out << " - " << metric << ": " << std::fixed << std::setprecision(4) << result.history[metric].back();
      out << (improved ? " (best)" : "") << std::defaultfloat << std::endl;  // a log file shows progress
    }
    if (keep.patience && since_best >= keep.patience && epoch < epochs) {
      result.stopped_early = true;
      if (verbose) out << "Stopped: no better " << keep.monitor << " for " << keep.patience << " epochs\n";
      break;
    }
  }
  std::copy(best_params.begin(), best_params.end(), params.begin());
  if (verbose) out << "Keeping the weights of epoch " << result.best_epoch << " (" << keep.monitor << " " << result.best_score << ")\n";
  return result;
}

}  // namespace typenet
