#pragma once
// Losses as Keras computes them, reduced as Keras's "sum_over_batch_size": the batch loss is
// sum_i(w_i * l_i) / batch, where w_i is the sample's class weight (1 without class_weight).
// Each loss gives the gradient with respect to the model's output; when the output activation
// is the loss's natural partner (softmax for categorical, sigmoid for binary cross-entropy) it
// gives the gradient with respect to the pre-activation instead, p - t, which is both cheaper
// and exact where the probabilities saturate (Keras does the same through from_logits).
#include <algorithm>
#include <cmath>
#include <cstddef>
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
  static void gradient(const float* p, const float* t, float* g, std::size_t n, float scale, bool preactivation) {
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
  static void gradient(const float* p, const float* t, float* g, std::size_t n, float scale, bool preactivation) {
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
  static void gradient(const float* p, const float* t, float* g, std::size_t n, float scale, bool preactivation) {
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
  static void gradient(const float* p, const float* t, float* g, std::size_t n, float scale, bool) {
    for (std::size_t c = 0; c < n; ++c) g[c] = 2.0f * scale * (p[c] - t[c]) / static_cast<float>(n);
  }
  static bool correct(const float* p, const float* t, std::size_t n) {
    return n == 1 ? BinaryCrossentropy::correct(p, t, 1) : CategoricalCrossentropy::correct(p, t, n);
  }
};

using Loss = std::variant<CategoricalCrossentropy, SparseCategoricalCrossentropy, BinaryCrossentropy, MeanSquaredError>;

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
