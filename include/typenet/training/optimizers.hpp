#pragma once
// Optimizers with Keras 3's defaults and update rules. Every parameter of a model lives in one
// contiguous buffer and every gradient in another, so a step is one fused pass over each.
// `learning_rate` is a number or a schedule of the step count (training/learning_rate.hpp).
#include <cmath>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/detail/parallel.hpp"
#include "typenet/training/learning_rate.hpp"

namespace typenet {

// w <- w - lr*g; with momentum m <- mu*m - lr*g, w <- w + m (Nesterov: w <- w + mu*m - lr*g).
struct SGD {
  LearningRate learning_rate = 0.01;
  double momentum = 0.0;
  bool nesterov = false;
  static constexpr std::string_view name = "SGD";
};

// v <- rho*v + (1-rho)*g^2; w <- w - lr*g / sqrt(v + eps) (eps inside the root, as Keras 3).
struct RMSprop {
  LearningRate learning_rate = 0.001;
  double rho = 0.9;
  double momentum = 0.0;
  double epsilon = 1e-7;
  static constexpr std::string_view name = "RMSprop";
};

// alpha = lr*sqrt(1-b2^t)/(1-b1^t); m += (g-m)(1-b1); v += (g^2-v)(1-b2); w -= alpha*m/(sqrt(v)+eps).
struct Adam {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  static constexpr std::string_view name = "Adam";
};

using Optimizer = std::variant<RMSprop, Adam, SGD>;

// An optimizer with its slots (one buffer per slot, each the size of the model's parameters).
class OptimizerState {
 public:
  OptimizerState() = default;
  OptimizerState(Optimizer config, std::size_t parameter_count) : config_(config) {
    const std::size_t slots = std::visit([](const auto& o) { return slot_count(o); }, config_);
    first_.assign(slots >= 1 ? parameter_count : 0, 0.0f);
    second_.assign(slots >= 2 ? parameter_count : 0, 0.0f);
  }

  const Optimizer& config() const { return config_; }
  std::size_t iterations() const { return iterations_; }

  // The rate the next step will use (a schedule's value at iterations()), as Keras's
  // optimizer.learning_rate reads.
  double learning_rate() const;
  // Sets the rate of the steps to come, keeping the moments and the step count (what compile()
  // would reset). As in Keras, a rate given as a schedule is not settable: std::logic_error.
  void set_learning_rate(double rate);

  // The optimizer's variables, so a saved training run resumes with the same moments. Slot k is
  // one value per parameter, as step() uses them: Adam 0 = m, 1 = v; RMSprop 0 = the mean
  // square, 1 = the momentum; SGD with momentum 0 = the velocity.
  std::size_t slots() const {
    return std::visit([](const auto& o) { return slot_count(o); }, config_);
  }
  std::span<float> slot(std::size_t k) { return k == 0 ? std::span<float>(first_) : std::span<float>(second_); }
  std::span<const float> slot(std::size_t k) const {
    return k == 0 ? std::span<const float>(first_) : std::span<const float>(second_);
  }
  // Adam's bias correction depends on the step count, so it is restored with the slots.
  void set_iterations(std::size_t n) { iterations_ = n; }

  void apply(float* w, const float* g, std::size_t n) { apply(w, g, nullptr, n); }

  // A step on the gradient g + g2 (two workers' shares of one batch), summed as it is read: one
  // pass over the buffers instead of a pass to add them and another to step.
  void apply(float* w, const float* g, const float* g2, std::size_t n) {
    const double lr = learning_rate();  // at the step count before this step, as Keras
    ++iterations_;
    // Element-independent, so the buffers are split across typenet's threads.
    std::visit([&](const auto& o) {
      detail::parallel_for(n, 1 << 14, [&](std::size_t begin, std::size_t end) {
        if (g2)
          step(o, lr, w, Sum{g, g2}, begin, end);
        else
          step(o, lr, w, g, begin, end);
      });
    }, config_);
  }

 private:
  struct Sum {
    const float* a;
    const float* b;
    float operator[](std::size_t i) const { return a[i] + b[i]; }
  };

  static std::size_t slot_count(const SGD& o) { return o.momentum != 0.0 ? 1 : 0; }
  static std::size_t slot_count(const RMSprop& o) { return o.momentum != 0.0 ? 2 : 1; }
  static std::size_t slot_count(const Adam&) { return 2; }

  template <class G>
  void step(const SGD& o, double rate, float* w, G g, std::size_t begin, std::size_t end) {
    const float lr = static_cast<float>(rate), mu = static_cast<float>(o.momentum);
    if (o.momentum == 0.0) {
      for (std::size_t i = begin; i < end; ++i) w[i] -= lr * g[i];
      return;
    }
    float* m = first_.data();
    for (std::size_t i = begin; i < end; ++i) {
      const float gi = g[i];
      m[i] = mu * m[i] - lr * gi;
      w[i] += o.nesterov ? mu * m[i] - lr * gi : m[i];
    }
  }

  template <class G>
  void step(const RMSprop& o, double rate, float* w, G g, std::size_t begin, std::size_t end) {
    const float lr = static_cast<float>(rate), rho = static_cast<float>(o.rho);
    const float eps = static_cast<float>(o.epsilon), mu = static_cast<float>(o.momentum);
    float* v = first_.data();
    if (o.momentum == 0.0) {
      for (std::size_t i = begin; i < end; ++i) {
        const float gi = g[i];
        v[i] = rho * v[i] + (1.0f - rho) * gi * gi;
        w[i] -= lr * gi / std::sqrt(v[i] + eps);
      }
      return;
    }
    float* m = second_.data();
    for (std::size_t i = begin; i < end; ++i) {
      const float gi = g[i];
      v[i] = rho * v[i] + (1.0f - rho) * gi * gi;
      m[i] = mu * m[i] + lr * gi / std::sqrt(v[i] + eps);
      w[i] -= m[i];
    }
  }

  template <class G>
  void step(const Adam& o, double rate, float* w, G g, std::size_t begin, std::size_t end) {
    const double t = static_cast<double>(iterations_);
    const float alpha = static_cast<float>(rate * std::sqrt(1.0 - std::pow(o.beta_2, t)) /
                                           (1.0 - std::pow(o.beta_1, t)));
    const float one_minus_b1 = static_cast<float>(1.0 - o.beta_1), one_minus_b2 = static_cast<float>(1.0 - o.beta_2);
    const float eps = static_cast<float>(o.epsilon);
    float* m = first_.data();
    float* v = second_.data();
    for (std::size_t i = begin; i < end; ++i) {
      const float gi = g[i];
      m[i] += (gi - m[i]) * one_minus_b1;
      v[i] += (gi * gi - v[i]) * one_minus_b2;
      w[i] -= alpha * m[i] / (std::sqrt(v[i]) + eps);
    }
  }

  Optimizer config_{};
  std::vector<float> first_, second_;
  std::size_t iterations_ = 0;
};

}  // namespace typenet

#ifdef TYPENET_HEADER_ONLY
#include "typenet/training/optimizers-inl.hpp"
#endif
