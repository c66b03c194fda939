#pragma once
// The definitions of training/optimizers.hpp that need not be inline (typenet/config.hpp says
// where they are compiled): a std::visit over the optimizers is costly to compile in every file.
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "typenet/training/optimizers.hpp"

namespace typenet {

TYPENET_INLINE OptimizerState::OptimizerState(Optimizer config, std::size_t parameter_count)
    : config_(std::move(config)) {
  slots_.assign(slots(), std::vector<float>(parameter_count, 0.0f));
}

TYPENET_INLINE OptimizerState::OptimizerState() = default;

TYPENET_INLINE std::size_t OptimizerState::slots() const {
  return std::visit([](const auto& o) { return slot_count(o); }, config_);
}

TYPENET_INLINE std::span<float> OptimizerState::slot(std::size_t k) { return slots_.at(k); }
TYPENET_INLINE std::span<const float> OptimizerState::slot(std::size_t k) const { return slots_.at(k); }

TYPENET_INLINE double OptimizerState::learning_rate() const {
  return std::visit([&](const auto& o) { return o.learning_rate.at(iterations_); }, config_);
}

TYPENET_INLINE void OptimizerState::set_learning_rate(double rate) {
  std::visit(
      [&](auto& o) {
        if (const LearningRateSchedule* schedule = o.learning_rate.schedule())
          throw std::logic_error("set_learning_rate: this optimizer's learning rate is a " +
                                 std::string(schedule->name()) + " schedule, which is not settable");
        o.learning_rate = rate;
      },
      config_);
}

}  // namespace typenet
