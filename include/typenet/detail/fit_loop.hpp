#pragma once
// The part of Model::fit that does not depend on the network: the epochs, the shuffle, the
// progress bar, the History, the validation call and the checks between epochs. It is compiled
// once per program instead of once per network type; Model<Net>::fit hands it the network's own
// work (a training step on a list of samples, a validation pass) as function references.
#include <cmath>
#include <cstddef>
#include <functional>
#include <numeric>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "typenet/detail/random.hpp"
#include "typenet/detail/score.hpp"
#include "typenet/history.hpp"
#include "typenet/losses.hpp"
#include "typenet/progress.hpp"
#include "typenet/targets.hpp"

namespace typenet::detail {

// A non-owning reference to a callable, like C++26's std::function_ref: calling through it never
// allocates, and the referenced callable must outlive it.
template <class Signature>
class FunctionRef;
template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef>)
  FunctionRef(F&& f)  // NOLINT: converts like std::function
      : object_(const_cast<void*>(static_cast<const void*>(&f))), call_([](void* o, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(o))(std::forward<Args>(args)...);
        }) {}
  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

// Each sample's weight from its class (fit's class_weight); empty when every class weighs 1.
inline std::vector<float> class_sample_weights(const Loss& loss, const Targets& targets,
                                               const std::vector<double>& class_weight) {
  if (class_weight.empty()) return {};
  std::vector<float> weights(targets.rows());
  std::visit(
      [&](const auto& l) {
        for (std::size_t i = 0; i < weights.size(); ++i) {
          const std::size_t k = l.class_of(targets.row(i), targets.width);
          if (k >= class_weight.size())
            throw std::invalid_argument("fit: class_weight has " + std::to_string(class_weight.size()) +
                                        " entries but sample " + std::to_string(i) + " is of class " + std::to_string(k));
          weights[i] = static_cast<float>(class_weight[k]);
        }
      },
      loss);
  return weights;
}

struct EpochLoop {
  std::size_t epochs, batch_size, train_rows;
  int verbose;
  bool shuffle;
  std::ostream* out;
  bool interactive;
  bool validates;
  const std::function<void(std::size_t)>* on_epoch_end;  // may be null or empty
};

// Runs the epochs: each shuffles [0, train_rows) with `shuffle_rng` and calls train_step(samples,
// count) on every batch of sample indices, which returns the score of this process's share of it;
// team_sum(values) sums across processes; validate() scores the validation rows. Each epoch's
// figures are appended to the returned History and to `model_history`.
inline History run_epochs(const EpochLoop& loop, Rng& shuffle_rng,
                          FunctionRef<std::pair<BatchScore, std::size_t>(const std::size_t*, std::size_t)> train_step,
                          FunctionRef<void(std::span<double>)> team_sum, FunctionRef<std::pair<double, double>()> validate,
                          History& model_history) {
  std::vector<std::size_t> order(loop.train_rows);
  const std::size_t steps = (loop.train_rows + loop.batch_size - 1) / loop.batch_size;
  std::ostream& out = *loop.out;
  History history;
  for (std::size_t epoch = 0; epoch < loop.epochs; ++epoch) {
    if (loop.verbose) out << "Epoch " << epoch + 1 << '/' << loop.epochs << '\n';
    // Each epoch's order depends only on the generator's state, not on the epochs before it, so
    // fit(2) then fit(2) (or a save and load in between) shuffles exactly as fit(4) does.
    std::iota(order.begin(), order.end(), std::size_t{0});
    if (loop.shuffle)
      for (std::size_t i = loop.train_rows; i > 1; --i) std::swap(order[i - 1], order[shuffle_rng.below(i)]);

    ProgressBar bar(out, steps, loop.interactive);
    BatchScore total;
    std::size_t seen = 0;
    for (std::size_t step = 0; step < steps; ++step) {
      const std::size_t start = step * loop.batch_size, batch = std::min(loop.batch_size, loop.train_rows - start);
      const auto [score, rows] = train_step(order.data() + start, batch);
      total += score;
      seen += rows;
      if (loop.interactive) {
        const MetricValue running[] = {{"loss", total.loss_sum / static_cast<double>(seen)},
                                       {"accuracy", static_cast<double>(total.correct) / static_cast<double>(seen)}};
        bar.update(step + 1, running);
      }
    }
    // The epoch's figures are over every process's rows (alone: unchanged).
    double sums[] = {total.loss_sum, static_cast<double>(total.correct), static_cast<double>(seen)};
    team_sum(sums);
    if (!std::isfinite(sums[0]))
      throw std::runtime_error("fit: the loss became " + std::to_string(sums[0]) + " in epoch " +
                               std::to_string(epoch + 1) + "; lower the learning rate or check the data for NaN");

    history.append("loss", sums[0] / sums[2]);
    history.append("accuracy", sums[1] / sums[2]);
    if (loop.validates) {
      const auto [loss, accuracy] = validate();
      history.append("val_loss", loss);
      history.append("val_accuracy", accuracy);
    }
    for (const auto& metric : history.metrics()) model_history.append(metric, history[metric].back());
    if (loop.verbose) {
      MetricValue shown[4];
      std::size_t n = 0;
      for (const char* name : {"loss", "accuracy", "val_loss", "val_accuracy"})
        if (history.contains(name)) shown[n++] = {name, history[name].back()};
      bar.finish(std::span<const MetricValue>(shown, n));
    }
    if (loop.on_epoch_end && *loop.on_epoch_end) (*loop.on_epoch_end)(epoch + 1);
  }
  return history;
}

}  // namespace typenet::detail
