#pragma once
// What fit, evaluate and their callers exchange with a Model: fit's options (Keras's arguments of
// model.fit), the validation data, and evaluate's result.
#include <cstddef>
#include <functional>
#include <iostream>
#include <optional>
#include <vector>

#include "typenet/model/array_ref.hpp"
#include "typenet/training/callbacks.hpp"

namespace typenet {

struct ValidationData {
  Features x;
  Labels y;
};

struct FitOptions {
  std::size_t batch_size = 32;
  std::size_t epochs = 1;
  int verbose = 1;                 // 0 silent, 1 progress bar, 2 one line per epoch
  double validation_split = 0.0;   // the last fraction of x/y, taken before shuffling (as Keras)
  std::optional<ValidationData> validation_data;
  bool shuffle = true;             // reshuffle the training samples every epoch
  std::vector<double> class_weight;  // weight of class k at [k]; empty: every class 1
  std::ostream* out = &std::cout;
  // Called after every epoch with its number (from 1), the model's history() updated: say, to
  // save a checkpoint (typenet/distributed.hpp does). Runs after `callbacks`.
  std::function<void(std::size_t epoch)> on_epoch_end;
  Callbacks callbacks;             // training/callbacks.hpp: EarlyStopping, LambdaCallback, your own
};

struct Evaluation {
  double loss = 0.0;
  double accuracy = 0.0;
};

}  // namespace typenet
