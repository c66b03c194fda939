#pragma once
// Losses as Keras computes them, reduced as Keras's "sum_over_batch_size": the batch loss is
// sum_i(w_i * l_i) / batch, where w_i is the sample's class weight (1 without class_weight).
// Each loss gives the gradient with respect to the model's output; when the output activation
// is the loss's natural partner (softmax for categorical, sigmoid for binary cross-entropy) it
// gives the gradient with respect to the pre-activation instead, p - t, which is both cheaper
// and exact where the probabilities saturate (Keras does the same through from_logits).
#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace typenet {

inline constexpr float probability_epsilon = 1e-7f;  // Keras's backend epsilon, used for clipping

namespace detail {
inline std::size_t argmax(const float* v, std::size_t n) { return static_cast<std::size_t>(std::max_element(v, v + n) - v); }
inline float clip_probability(float p) { return std::clamp(p, probability_epsilon, 1.0f - probability_epsilon); }

// Per-sample share of the batch gradient.
struct BatchScale {
  const float* sample_weight;  // nullptr: all ones
  float inverse_batch;
  float operator()(std::size_t i) const { return (sample_weight ? sample_weight[i] : 1.0f) * inverse_batch; }
};
}  // namespace detail

// Targets are one-hot rows (to_categorical). l = -sum(t * log(clip(p / sum(p)))).
struct CategoricalCrossentropy {
  static constexpr std::string_view name = "categorical_crossentropy";
  static std::size_t target_width(std::size_t outputs) { return outputs; }
  static std::size_t class_of(const float* t, std::size_t width) { return detail::argmax(t, width); }

  static double sample_loss(const float* p, const float* t, std::size_t n) {
    float total = 0.0f;
    for (std::size_t c = 0; c < n; ++c) total += p[c];
    double loss = 0.0;
    for (std::size_t c = 0; c < n; ++c)
      if (t[c] != 0.0f) loss -= t[c] * std::log(detail::clip_probability(p[c] / total));
    return loss;
  }
  static void gradient(const float* p, const float* t, float* g, std::size_t n, float scale, bool preactivation = false) {
    for (std::size_t c = 0; c < n; ++c)
      g[c] = preactivation ? scale * (p[c] - t[c]) : -scale * t[c] / detail::clip_probability(p[c]);
  }
  static bool correct(const float* p, const float* t, std::size_t n) { return detail::argmax(p, n) == detail::argmax(t, n); }
};

// Targets are class indices, one per sample.
struct SparseCategoricalCrossentropy {
  static constexpr std::string_view name = "sparse_categorical_crossentropy";
  static std::size_t target_width(std::size_t) { return 1; }
  static std::size_t class_of(const float* t, std::size_t) { return static_cast<std::size_t>(t[0]); }

  static double sample_loss(const float* p, const float* t, std::size_t n) {
    float total = 0.0f;
    for (std::size_t c = 0; c < n; ++c) total += p[c];
    return -std::log(detail::clip_probability(p[class_of(t, 1)] / total));
  }
  static void gradient(const float* p, const float* t, float* g, std::size_t n, float scale, bool preactivation = false) {
    const std::size_t k = class_of(t, 1);
    for (std::size_t c = 0; c < n; ++c) {
      const float target = c == k ? 1.0f : 0.0f;
      g[c] = preactivation ? scale * (p[c] - target) : -scale * target / detail::clip_probability(p[c]);
    }
  }
  static bool correct(const float* p, const float* t, std::size_t n) { return detail::argmax(p, n) == class_of(t, 1); }
};

// Targets in [0, 1], one per output unit; the loss is the mean over the units.
struct BinaryCrossentropy {
  static constexpr std::string_view name = "binary_crossentropy";
  static std::size_t target_width(std::size_t outputs) { return outputs; }
  static std::size_t class_of(const float* t, std::size_t) { return t[0] >= 0.5f ? 1 : 0; }

  static double sample_loss(const float* p, const float* t, std::size_t n) {
    double loss = 0.0;
    for (std::size_t c = 0; c < n; ++c) {
      const float q = detail::clip_probability(p[c]);
      loss -= t[c] * std::log(q) + (1.0f - t[c]) * std::log(1.0f - q);
    }
    return loss / static_cast<double>(n);
  }
  static void gradient(const float* p, const float* t, float* g, std::size_t n, float scale, bool preactivation = false) {
    const float s = scale / static_cast<float>(n);
    for (std::size_t c = 0; c < n; ++c) {
      const float q = detail::clip_probability(p[c]);
      g[c] = preactivation ? s * (p[c] - t[c]) : s * (q - t[c]) / (q * (1.0f - q));
    }
  }
  // Keras's binary accuracy at threshold 0.5, all units of the sample right.
  static bool correct(const float* p, const float* t, std::size_t n) {
    for (std::size_t c = 0; c < n; ++c)
      if ((p[c] > 0.5f) != (t[c] > 0.5f)) return false;
    return true;
  }
};

// l = mean((p - t)^2) over the units.
struct MeanSquaredError {
  static constexpr std::string_view name = "mean_squared_error";
  static std::size_t target_width(std::size_t outputs) { return outputs; }
  static std::size_t class_of(const float* t, std::size_t width) {
    return width == 1 ? BinaryCrossentropy::class_of(t, 1) : detail::argmax(t, width);
  }

  static double sample_loss(const float* p, const float* t, std::size_t n) {
    double loss = 0.0;
    for (std::size_t c = 0; c < n; ++c) loss += double(p[c] - t[c]) * double(p[c] - t[c]);
    return loss / static_cast<double>(n);
  }
  static void gradient(const float* p, const float* t, float* g, std::size_t n, float scale, bool = false) {
    for (std::size_t c = 0; c < n; ++c) g[c] = 2.0f * scale * (p[c] - t[c]) / static_cast<float>(n);
  }
  static bool correct(const float* p, const float* t, std::size_t n) {
    return n == 1 ? BinaryCrossentropy::correct(p, t, 1) : CategoricalCrossentropy::correct(p, t, n);
  }
};

// What compile() requires of a loss, typenet's and a user's: a name (saved files, CustomObjects
// at load), the loss of one sample l(p, t) over its n outputs, and its gradient times `scale`:
//   struct Huber {
//     static constexpr std::string_view name = "huber";
//     double sample_loss(const float* p, const float* t, std::size_t n) const;
//     void gradient(const float* p, const float* t, float* g, std::size_t n, float scale) const;  // g = scale * dl/dp
//   };
// The batch's loss is the mean of the samples' (weighted by class_weight), as the built-in ones.
// Optional members: target_width(outputs) (the floats of one target row; outputs by default),
// correct(p, t, n) (the "accuracy" metric; a loss without it reports none by default), and
// class_of(t, width) (fit's class_weight; by default the largest target, or t >= 0.5 for one).
template <class L>
concept LossFunction = requires(const L& l, const float* p, const float* t, float* g, std::size_t n, float scale) {
  { L::name } -> std::convertible_to<std::string_view>;
  { l.sample_loss(p, t, n) } -> std::convertible_to<double>;
  l.gradient(p, t, g, n, scale);
};

// A user's loss (LossFunction), held so that `Loss` can carry it next to the built-in ones:
// `model.compile(tn::Adam{}, Huber{})` converts it. Its targets are taken as given (finite, of
// target_width floats per row); it never fuses with the output activation.
class CustomLoss {
 public:
  template <LossFunction L>
    requires(!std::same_as<L, CustomLoss>)
  CustomLoss(L loss)  // NOLINT: implicit, so that a user's loss converts to Loss
      : name(L::name), held_(std::make_shared<const Held<L>>(std::move(loss))) {}

  std::string name;

  double sample_loss(const float* p, const float* t, std::size_t n) const { return held_->sample_loss(p, t, n); }
  void gradient(const float* p, const float* t, float* g, std::size_t n, float scale, bool = false) const {
    held_->gradient(p, t, g, n, scale);
  }
  bool has_accuracy() const { return held_->has_accuracy(); }
  bool correct(const float* p, const float* t, std::size_t n) const { return held_->correct(p, t, n); }
  std::size_t class_of(const float* t, std::size_t width) const { return held_->class_of(t, width); }
  std::size_t target_width(std::size_t outputs) const { return held_->target_width(outputs); }

 private:
  struct Interface {
    virtual ~Interface() = default;
    virtual double sample_loss(const float* p, const float* t, std::size_t n) const = 0;
    virtual void gradient(const float* p, const float* t, float* g, std::size_t n, float scale) const = 0;
    virtual bool has_accuracy() const = 0;
    virtual bool correct(const float* p, const float* t, std::size_t n) const = 0;
    virtual std::size_t class_of(const float* t, std::size_t width) const = 0;
    virtual std::size_t target_width(std::size_t outputs) const = 0;
  };

  template <class L>
  struct Held final : Interface {
    explicit Held(L l) : loss(std::move(l)) {}
    L loss;
    double sample_loss(const float* p, const float* t, std::size_t n) const override { return loss.sample_loss(p, t, n); }
    void gradient(const float* p, const float* t, float* g, std::size_t n, float scale) const override {
      loss.gradient(p, t, g, n, scale);
    }
    bool has_accuracy() const override { return requires { loss.correct(p_, p_, 0); }; }
    bool correct(const float* p, const float* t, std::size_t n) const override {
      if constexpr (requires { loss.correct(p, t, n); })
        return loss.correct(p, t, n);
      else
        return false;
    }
    std::size_t class_of(const float* t, std::size_t width) const override {
      if constexpr (requires { loss.class_of(t, width); })
        return loss.class_of(t, width);
      else
        return width == 1 ? (t[0] >= 0.5f ? 1 : 0) : detail::argmax(t, width);
    }
    std::size_t target_width(std::size_t outputs) const override {
      if constexpr (requires { loss.target_width(outputs); })
        return loss.target_width(outputs);
      else
        return outputs;
    }
    static constexpr const float* p_ = nullptr;
  };

  std::shared_ptr<const Interface> held_;
};

// A loss as compile() takes it: one of typenet's, or a user's as CustomLoss.
using Loss = std::variant<CategoricalCrossentropy, SparseCategoricalCrossentropy, BinaryCrossentropy, MeanSquaredError,
                          CustomLoss>;

// True when the loss can take the gradient straight to the pre-activation of that activation.
template <class L>
constexpr bool fuses_with(std::string_view activation_name) {
  if constexpr (std::is_same_v<L, CategoricalCrossentropy> || std::is_same_v<L, SparseCategoricalCrossentropy>)
    return activation_name == "softmax";
  else if constexpr (std::is_same_v<L, BinaryCrossentropy>)
    return activation_name == "sigmoid";
  else
    return false;
}

}  // namespace typenet
