#pragma once
// The definition of detail/score.hpp (typenet/config.hpp says where it is compiled).
#include "typenet/detail/score.hpp"

namespace typenet::detail {

TYPENET_INLINE BatchScore score_rows(const Loss& loss, std::string_view output_activation, const float* output,
                                     std::size_t outputs, const float* targets, std::size_t width,
                                     const float* weights, std::size_t rows, float* gradient, std::size_t batch_rows,
                                     bool* preactivation) {
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
          r.loss_sum += (weights ? weights[i] : 1.0f) * l.sample_loss(p, t, outputs);
          r.correct += l.correct(p, t, outputs);
          if (gradient) l.gradient(p, t, gradient + i * outputs, outputs, scale(i), fused);
        }
        return r;
      },
      loss);
}

}  // namespace typenet::detail
