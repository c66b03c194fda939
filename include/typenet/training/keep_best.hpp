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
#include "typenet/training/history.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "typenet/config.hpp"
#include "typenet/model/model.hpp"
#include "typenet/training/callbacks.hpp"

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

namespace detail {
// fit_keep_best's two callbacks, put first in options.callbacks (the score must be in the logs
// before EarlyStopping reads them; the caller's callbacks follow), and the result read from the
// EarlyStopping. Neither depends on the network: compiled once, in libtypenet.
std::shared_ptr<EarlyStopping> add_keep_best_callbacks(FitOptions& options, const KeepBest& keep);
KeepBestResult keep_best_result(History history, const EarlyStopping& stopping);
}  // namespace detail

template <class Spec>
KeepBestResult fit_keep_best(Model<Spec>& model, Features x, Labels y, FitOptions options, const KeepBest& keep) {
  const std::shared_ptr<EarlyStopping> stopping = detail::add_keep_best_callbacks(options, keep);
  return detail::keep_best_result(model.fit(x, y, options), *stopping);
}

}  // namespace typenet

#ifdef TYPENET_HEADER_ONLY
#include "typenet/training/keep_best-inl.hpp"
#endif
