#pragma once
// The definitions of training/learning_rate.hpp (typenet/config.hpp says where they are compiled).
#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "typenet/training/learning_rate.hpp"

namespace typenet {

namespace detail {
inline void require_schedule(bool ok, std::string_view schedule, const std::string& what) {
  if (!ok) throw std::invalid_argument(std::string(schedule) + ": " + what);
}
}  // namespace detail

TYPENET_INLINE ExponentialDecay::ExponentialDecay(Options options) : options_(options) {
  detail::require_schedule(options_.decay_steps > 0, name(), "decay_steps must be > 0");
  detail::require_schedule(options_.decay_rate > 0, name(), "decay_rate must be > 0");
}

TYPENET_INLINE double ExponentialDecay::operator()(std::size_t step) const {
  double p = static_cast<double>(step) / options_.decay_steps;
  if (options_.staircase) p = std::floor(p);
  return options_.initial_learning_rate * std::pow(options_.decay_rate, p);
}

TYPENET_INLINE PiecewiseConstantDecay::PiecewiseConstantDecay(Options options) : options_(std::move(options)) {
  detail::require_schedule(options_.values.size() == options_.boundaries.size() + 1, name(),
                           "values must have one more element than boundaries (" +
                               std::to_string(options_.values.size()) + " values, " +
                               std::to_string(options_.boundaries.size()) + " boundaries)");
  detail::require_schedule(std::is_sorted(options_.boundaries.begin(), options_.boundaries.end()), name(),
                           "boundaries must increase");
}

TYPENET_INLINE double PiecewiseConstantDecay::operator()(std::size_t step) const {
  // The first boundary the step has not passed; a step equal to a boundary still has its value.
  const auto past = std::lower_bound(options_.boundaries.begin(), options_.boundaries.end(), static_cast<double>(step));
  return options_.values[static_cast<std::size_t>(past - options_.boundaries.begin())];
}

TYPENET_INLINE CosineDecay::CosineDecay(Options options) : options_(options) {
  detail::require_schedule(options_.decay_steps > 0, name(), "decay_steps must be > 0");
  detail::require_schedule(options_.warmup_steps >= 0, name(), "warmup_steps must be >= 0");
  detail::require_schedule(options_.warmup_target < 0 || options_.warmup_steps > 0, name(),
                           "a warmup_target needs warmup_steps > 0");
}

TYPENET_INLINE double CosineDecay::operator()(std::size_t step) const {
  const Options& o = options_;
  auto decay = [&](double s, double from) {
    const double cosine = 0.5 * (1.0 + std::cos(std::numbers::pi * s / o.decay_steps));
    return from * ((1.0 - o.alpha) * cosine + o.alpha);
  };
  const double s = static_cast<double>(step);
  if (o.warmup_target < 0) return decay(std::min(s, o.decay_steps), o.initial_learning_rate);
  const double t = std::min(s, o.decay_steps + o.warmup_steps);
  if (t < o.warmup_steps)
    return o.initial_learning_rate + (o.warmup_target - o.initial_learning_rate) * t / o.warmup_steps;
  return decay(t - o.warmup_steps, o.warmup_target);
}

TYPENET_INLINE LearningRate::LearningRate(std::shared_ptr<const LearningRateSchedule> schedule)
    : schedule_(std::move(schedule)) {
  if (!schedule_) throw std::invalid_argument("LearningRate: the schedule is a null pointer");
}

TYPENET_INLINE LearningRate::operator double() const {
  if (schedule_)
    throw std::logic_error("the learning rate is a " + std::string(schedule_->name()) +
                           " schedule, not one number: read it at a step (at(step), or the optimizer's learning_rate())");
  return value_;
}

}  // namespace typenet
