#pragma once
// The definitions of training/keep_best.hpp (typenet/config.hpp says where they are compiled).
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "typenet/training/keep_best.hpp"

namespace typenet::detail {

TYPENET_INLINE std::shared_ptr<EarlyStopping> add_keep_best_callbacks(FitOptions& options, const KeepBest& keep) {
  if (!keep.score) throw std::invalid_argument("fit_keep_best: KeepBest::score is empty");
  auto scorer = std::make_shared<LambdaCallback>();
  scorer->epoch_begin = [&keep](std::size_t epoch, Logs&) {
    if (keep.on_epoch_begin) keep.on_epoch_begin(epoch + 1);
  };
  scorer->epoch_end = [&keep](std::size_t epoch, Logs& logs) {
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
  options.callbacks.insert(options.callbacks.begin(), {scorer, stopping});
  return stopping;
}

TYPENET_INLINE KeepBestResult keep_best_result(History history, const EarlyStopping& stopping) {
  return {std::move(history), stopping.best_epoch() + 1,
          stopping.best().value_or(-std::numeric_limits<double>::infinity()), stopping.stopped_epoch() > 0};
}

}  // namespace typenet::detail
