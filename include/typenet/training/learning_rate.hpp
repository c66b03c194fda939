#pragma once
// The learning rate of an optimizer: a number, or a schedule of the step count, as Keras's
// `learning_rate=` takes either.
//
//   model.compile(tn::SGD{.learning_rate = 0.01}, loss);
//   model.compile(tn::Adam{.learning_rate = tn::ExponentialDecay{{.initial_learning_rate = 1e-3,
//                                                                  .decay_steps = 1000,
//                                                                  .decay_rate = 0.9}}}, loss);
//
// A schedule is evaluated at the optimizer's step count before each step (0 for the first step,
// as Keras evaluates it at `optimizer.iterations`), so it decays per batch, not per epoch; for a
// rate set per epoch use the LearningRateScheduler callback (training/callbacks.hpp). The three
// schedules here are Keras 3's (keras.optimizers.schedules) with their formulas; a schedule of
// your own derives from LearningRateSchedule (such a model can be trained but not saved, since
// load could not rebuild it).
#include <cstddef>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "typenet/config.hpp"

namespace typenet {

class LearningRateSchedule {
 public:
  virtual ~LearningRateSchedule() = default;
  // The rate for the step that follows `step` completed steps.
  virtual double operator()(std::size_t step) const = 0;
  // Keras's class name; the saved-model files know the three below by it.
  virtual std::string_view name() const = 0;
};

struct ExponentialDecayOptions {
  double initial_learning_rate = 0.01;
  double decay_steps = 1000;
  double decay_rate = 0.96;
  bool staircase = false;  // decay in whole multiples of decay_steps
};

// initial_learning_rate * decay_rate ^ (step / decay_steps), the exponent floored with staircase.
class ExponentialDecay : public LearningRateSchedule {
 public:
  using Options = ExponentialDecayOptions;
  explicit ExponentialDecay(Options options);
  double operator()(std::size_t step) const override;
  std::string_view name() const override { return "ExponentialDecay"; }
  const Options& options() const { return options_; }

 private:
  Options options_;
};

struct PiecewiseConstantDecayOptions {
  std::vector<double> boundaries;  // increasing step counts
  std::vector<double> values;      // one more than boundaries
};

// values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <= boundaries[i],
// values.back() after the last boundary.
class PiecewiseConstantDecay : public LearningRateSchedule {
 public:
  using Options = PiecewiseConstantDecayOptions;
  explicit PiecewiseConstantDecay(Options options);
  double operator()(std::size_t step) const override;
  std::string_view name() const override { return "PiecewiseConstantDecay"; }
  const Options& options() const { return options_; }

 private:
  Options options_;
};

struct CosineDecayOptions {
  double initial_learning_rate = 0.001;
  double decay_steps = 1000;
  double alpha = 0.0;          // the floor, as a fraction of the rate decayed from
  double warmup_target = -1;   // negative: no warm-up (Keras's None)
  double warmup_steps = 0;     // linear from initial_learning_rate to warmup_target first
};

// Without warm-up, initial_learning_rate * ((1 - alpha) * (1 + cos(pi * s / decay_steps)) / 2 + alpha)
// with s = min(step, decay_steps); with it, a linear ramp to warmup_target over warmup_steps, then
// the same decay from warmup_target.
class CosineDecay : public LearningRateSchedule {
 public:
  using Options = CosineDecayOptions;
  explicit CosineDecay(Options options);
  double operator()(std::size_t step) const override;
  std::string_view name() const override { return "CosineDecay"; }
  const Options& options() const { return options_; }

 private:
  Options options_;
};

// What an optimizer's `learning_rate` holds: a number or a shared schedule. It converts from
// either, so `.learning_rate = 0.01` reads as it always has.
class LearningRate {
 public:
  LearningRate(double value) : value_(value) {}  // NOLINT(google-explicit-constructor): as Keras's float
  template <class Schedule>
    requires std::is_base_of_v<LearningRateSchedule, Schedule>
  LearningRate(Schedule schedule)  // NOLINT(google-explicit-constructor)
      : schedule_(std::make_shared<const Schedule>(std::move(schedule))) {}
  LearningRate(std::shared_ptr<const LearningRateSchedule> schedule);  // NOLINT(google-explicit-constructor)

  // The rate of the step after `step` completed ones.
  double at(std::size_t step) const { return schedule_ ? (*schedule_)(step) : value_; }
  const LearningRateSchedule* schedule() const { return schedule_.get(); }
  // The number, for code that reads the rate as a double; a schedule has no single number and
  // throws std::logic_error (read at(step), or OptimizerState::learning_rate()).
  operator double() const;  // NOLINT(google-explicit-constructor)

 private:
  double value_ = 0.0;
  std::shared_ptr<const LearningRateSchedule> schedule_;
};

}  // namespace typenet

#ifdef TYPENET_HEADER_ONLY
#include "typenet/training/learning_rate-inl.hpp"
#endif
