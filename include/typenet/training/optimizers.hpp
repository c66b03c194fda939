#pragma once
// Optimizers with Keras 3's defaults and update rules. Every parameter of a model lives in one
// contiguous buffer and every gradient in another, so a step is one fused pass over each.
// `learning_rate` is a number or a schedule of the step count (training/learning_rate.hpp).
#include "typenet/training/learning_rate.hpp"

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/detail/parallel.hpp"

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

// What compile() requires of a user's optimizer: a name, a learning rate (a number or a schedule,
// which typenet evaluates before each step, as for its own), the number of per-parameter slots it
// keeps (moments; zero at compile, saved with the model), and its update of n parameters:
//   struct Lion {
//     static constexpr std::string_view name = "Lion";
//     tn::LearningRate learning_rate = 1e-4;
//     double beta_1 = 0.9, beta_2 = 0.99;
//     std::size_t slot_count() const { return 1; }
//     void update(float* w, const float* g, std::span<float* const> slots, std::size_t n,
//                 double learning_rate, std::size_t step) const;   // step: 1 for the first, as Adam's t
//   };
// update is called on consecutive ranges of the parameters, from several threads at once: it must
// treat each index on its own, as every elementwise optimizer does.
template <class O>
concept OptimizerRule = requires(const O& o, float* w, const float* g, std::span<float* const> slots, std::size_t n,
                                 double learning_rate, std::size_t step) {
  { O::name } -> std::convertible_to<std::string_view>;
  { o.learning_rate } -> std::convertible_to<LearningRate>;
  { o.slot_count() } -> std::convertible_to<std::size_t>;
  o.update(w, g, slots, n, learning_rate, step);
};

// A user's optimizer (OptimizerRule), held so that `Optimizer` can carry it next to typenet's:
// `model.compile(Lion{}, tn::CategoricalCrossentropy{})` converts it. Its learning_rate lives
// here, where OptimizerState reads and sets it.
class CustomOptimizer {
 public:
  template <OptimizerRule O>
    requires(!std::same_as<O, CustomOptimizer>)
  CustomOptimizer(O optimizer)  // NOLINT: implicit, so that a user's optimizer converts to Optimizer
      : learning_rate(optimizer.learning_rate),
        name(O::name),
        slot_count(optimizer.slot_count()),
        held_(std::make_shared<const Held<O>>(std::move(optimizer))) {
    if (slot_count > max_slots)
      throw std::invalid_argument("compile: the optimizer " + name + " asks for " + std::to_string(slot_count) +
                                  " slots; typenet keeps at most " + std::to_string(max_slots));
  }
  static constexpr std::size_t max_slots = 8;

  LearningRate learning_rate;
  std::string name;
  std::size_t slot_count;

  void update(float* w, const float* g, std::span<float* const> slots, std::size_t n, double rate, std::size_t step) const {
    held_->update(w, g, slots, n, rate, step);
  }

 private:
  struct Interface {
    virtual ~Interface() = default;
    virtual void update(float*, const float*, std::span<float* const>, std::size_t, double, std::size_t) const = 0;
  };
  template <class O>
  struct Held final : Interface {
    explicit Held(O o) : optimizer(std::move(o)) {}
    O optimizer;
    void update(float* w, const float* g, std::span<float* const> slots, std::size_t n, double rate,
                std::size_t step) const override {
      optimizer.update(w, g, slots, n, rate, step);
    }
  };
  std::shared_ptr<const Interface> held_;
};

// An optimizer as compile() takes it: one of typenet's, or a user's as CustomOptimizer.
using Optimizer = std::variant<RMSprop, Adam, SGD, CustomOptimizer>;

// An optimizer with its slots (one buffer per slot, each the size of the model's parameters).
class OptimizerState {
 public:
  OptimizerState();
  OptimizerState(Optimizer config, std::size_t parameter_count);

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
  // square, 1 = the momentum; SGD with momentum 0 = the velocity; a CustomOptimizer its own.
  std::size_t slots() const;
  std::span<float> slot(std::size_t k);
  std::span<const float> slot(std::size_t k) const;
  // Adam's bias correction depends on the step count, so it is restored with the slots.
  void set_iterations(std::size_t n) { iterations_ = n; }

  // The gradient g + g2 of two workers' shares of one batch, summed as apply reads it: one pass
  // over the buffers instead of a pass to add them and another to step.
  struct GradientSum {
    const float* a;
    const float* b;
    float operator[](std::size_t i) const { return a[i] + b[i]; }
  };

  // One step on the n parameters w, with the gradient g read as g[i]: a pointer or a GradientSum.
  // A template so that its visit over the optimizers, each a loop on typenet's threads, is
  // compiled where a model trains, not in every file that includes this header.
  template <class Gradient>
  void apply(float* w, Gradient g, std::size_t n) {
    const double lr = learning_rate();  // at the step count before this step, as Keras
    ++iterations_;
    // Element-independent, so the buffers are split across typenet's threads.
    std::visit([&](const auto& o) {
      detail::parallel_for(n, 1 << 14, [&](std::size_t begin, std::size_t end) { step(o, lr, w, g, begin, end); });
    }, config_);
  }
  // The same on g + g2 (on g alone if g2 is null).
  template <class Pointer>
    requires std::convertible_to<Pointer, const float*>
  void apply(float* w, const float* g, Pointer g2, std::size_t n) {
    if (g2 == nullptr) return apply(w, g, n);
    apply(w, GradientSum{g, g2}, n);
  }

 private:
  static std::size_t slot_count(const SGD& o) { return o.momentum != 0.0 ? 1 : 0; }
  static std::size_t slot_count(const RMSprop& o) { return o.momentum != 0.0 ? 2 : 1; }
  static std::size_t slot_count(const Adam&) { return 2; }
  static std::size_t slot_count(const CustomOptimizer& o) { return o.slot_count; }

  template <class G>
  void step(const SGD& o, double rate, float* w, G g, std::size_t begin, std::size_t end) {
    const float lr = static_cast<float>(rate), mu = static_cast<float>(o.momentum);
    if (o.momentum == 0.0) {
      for (std::size_t i = begin; i < end; ++i) w[i] -= lr * g[i];
      return;
    }
    float* m = slots_[0].data();
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
    float* v = slots_[0].data();
    if (o.momentum == 0.0) {
      for (std::size_t i = begin; i < end; ++i) {
        const float gi = g[i];
        v[i] = rho * v[i] + (1.0f - rho) * gi * gi;
        w[i] -= lr * gi / std::sqrt(v[i] + eps);
      }
      return;
    }
    float* m = slots_[1].data();
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
    float* m = slots_[0].data();
    float* v = slots_[1].data();
    for (std::size_t i = begin; i < end; ++i) {
      const float gi = g[i];
      m[i] += (gi - m[i]) * one_minus_b1;
      v[i] += (gi * gi - v[i]) * one_minus_b2;
      w[i] -= alpha * m[i] / (std::sqrt(v[i]) + eps);
    }
  }

  // A user's update takes plain pointers: the sum of two gradients is formed a block at a time.
  template <class G>
  void step(const CustomOptimizer& o, double rate, float* w, G g, std::size_t begin, std::size_t end) {
    constexpr std::size_t block = 1024;
    float* slots[CustomOptimizer::max_slots];
    const std::size_t k = slots_.size();
    float summed[block];
    for (std::size_t start = begin; start < end; start += block) {
      const std::size_t n = std::min(block, end - start);
      for (std::size_t j = 0; j < k; ++j) slots[j] = slots_[j].data() + start;
      const float* gradient;
      if constexpr (std::is_pointer_v<G>) {
        gradient = g + start;
      } else {
        for (std::size_t i = 0; i < n; ++i) summed[i] = g[start + i];
        gradient = summed;
      }
      o.update(w + start, gradient, std::span<float* const>(slots, k), n, rate, iterations_);
    }
  }

  Optimizer config_;
  std::vector<std::vector<float>> slots_;
  std::size_t iterations_ = 0;
};

}  // namespace typenet

#ifdef TYPENET_HEADER_ONLY
#include "typenet/training/optimizers-inl.hpp"
#endif
