#pragma once
// Loss, accuracy and the loss's gradient over a batch of output rows. It depends on the loss and
// the output width, not on the network, so it is one function for every Model in a program rather
// than a copy per network type (a copy is a std::visit over every loss: large, and slow to compile).
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <variant>

#include "typenet/losses.hpp"

namespace typenet::detail {

struct BatchScore {
  double loss_sum = 0.0;  // sum of weighted per-sample losses
  std::size_t correct = 0;

  BatchScore& operator+=(const BatchScore& other) {
    loss_sum += other.loss_sum;
    correct += other.correct;
    return *this;
  }
};

// `rows` output rows of `outputs` values and their targets (rows of `width`), each weighted by
// weights[i] (all 1 when null). With `gradient`, also writes dLoss/doutput for a loss averaged over
// `batch_rows` rows (the batch the rows belong to), or dLoss/d(pre-activation) when the loss fuses
// with the output activation, and says which in *preactivation.
inline BatchScore score_rows(const Loss& loss, std::string_view output_activation, const float* output,
                             std::size_t outputs, const float* targets, std::size_t width, const float* weights,
                             std::size_t rows, float* gradient = nullptr, std::size_t batch_rows = 1,
                             bool* preactivation = nullptr) {
  return std::visit(
      [&](const auto& l) {
        using L = std::remove_cvref_t<decltype(l)>;
        const bool fused = fuses_with<L>(output_activation);
        if (preactivation) *preactivation = fused;
        BatchScore r;
        const BatchScale scale{weights, 1.0f / static_cast<float>(batch_rows)};
        for (std::size_t i = 0; i < rows; ++i) {
          const float* p = output + i * outputs;
          const float* t = targets + i * width;
          r.loss_sum += (weights ? weights[i] : 1.0f) * L::sample_loss(p, t, outputs);
          r.correct += L::correct(p, t, outputs);
          if (gradient) L::gradient(p, t, gradient + i * outputs, outputs, scale(i), fused);
        }
        return r;
      },
      loss);
}

}  // namespace typenet::detail
