#pragma once
// What fit, evaluate and their callers exchange with a Model: fit's options (Keras's arguments of
// model.fit), the validation data, and evaluate's result.
#include "typenet/training/callbacks.hpp"

#include <cstddef>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "typenet/model/array_ref.hpp"

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

// What evaluate returns: the loss, the accuracy that fits the loss (as before compile took
// metrics; computed whatever they are), and every metric compile asked for, by name.
// `auto [loss, accuracy] = model.evaluate(x, y);` binds the first two.
struct Evaluation {
  double loss = 0.0;
  double accuracy = 0.0;
  std::vector<std::pair<std::string, double>> metrics;

  // The metric named `name` (std::out_of_range naming the ones there are, if it is not).
  double operator[](std::string_view name) const;

  template <std::size_t I>
  double get() const {
    static_assert(I < 2, "an Evaluation binds as [loss, accuracy]; read the other metrics by name");
    return I == 0 ? loss : accuracy;
  }
};

}  // namespace typenet

// Structured bindings of an Evaluation: [loss, accuracy], as before it carried the metrics.
template <>
struct std::tuple_size<typenet::Evaluation> : std::integral_constant<std::size_t, 2> {};
template <std::size_t I>
struct std::tuple_element<I, typenet::Evaluation> {
  using type = double;
};
