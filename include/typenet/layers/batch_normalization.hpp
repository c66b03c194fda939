#pragma once
// BatchNormalization: normalises each channel (the last axis) as keras.layers.BatchNormalization
// with its defaults, momentum 0.99 and epsilon 1e-3:
//   training:   y = gamma * (x - mean_B) / sqrt(var_B + eps) + beta, with the batch's mean and
//               biased variance, and moving = momentum * moving + (1 - momentum) * batch stat;
//   inference:  the same with the moving mean and variance (evaluate, predict).
// gamma and beta are trainable parameters; the moving statistics are the model's non-trainable
// parameters (their own buffer, so the optimizer never sees them), counted by summary() as Keras
// counts them. BatchNormalizationWith<momentum, epsilon> takes other constants.
#include "typenet/detail/parallel.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string_view>

#include "typenet/layers/layer.hpp"

namespace typenet {

template <double Momentum, double Epsilon>
struct BatchNormalizationWith {
  template <std::size_t LayerIndex, class In>
  struct at_layer {
    static_assert(In::rank >= 1, "typenet::BatchNormalization needs an input with a channel axis");
    static_assert(Momentum >= 0.0 && Momentum <= 1.0 && Epsilon > 0.0,
                  "typenet::BatchNormalization: momentum must be in [0, 1] and epsilon > 0");
  };

  template <class In>
  struct bind {
    using layer = BatchNormalizationWith;
    using input_shape = In;
    using output_shape = In;
    static constexpr std::size_t channels = In::rank >= 1 ? In::dims[In::rank >= 1 ? In::rank - 1 : 0] : 1;
    static constexpr std::size_t param_count = 2 * channels;           // gamma, beta
    static constexpr std::size_t non_trainable_count = 2 * channels;   // moving mean, moving variance
    static constexpr WeightShape weights[] = {{"gamma", 1, {channels}},
                                              {"beta", 1, {channels}},
                                              {"moving_mean", 1, {channels}, false},
                                              {"moving_variance", 1, {channels}, false}};
    // The batch's 1/sqrt(var + eps) per channel, then the normalised input x-hat, for backward.
    static constexpr std::size_t scratch_per_sample = In::size + channels;
    static constexpr bool fits = In::rank >= 1 && Momentum >= 0.0 && Momentum <= 1.0 && Epsilon > 0.0;
    static constexpr bool aliases_input = false;
    static constexpr bool shown_in_summary = true;
    static constexpr std::string_view keras_class = "BatchNormalization";
    static constexpr std::string_view keras_name = "batch_normalization";

    static LayerConfig config() {
      return {"BatchNormalization",
              {{"axis", -1}, {"momentum", Momentum}, {"epsilon", Epsilon}, {"center", true}, {"scale", true}}};
    }

    static void initialize(float* params, detail::Rng&) {
      for (std::size_t c = 0; c < channels; ++c) params[c] = 1.0f, params[channels + c] = 0.0f;
    }
    static void initialize_non_trainable(float* moving) {
      for (std::size_t c = 0; c < channels; ++c) moving[c] = 0.0f, moving[channels + c] = 1.0f;
    }

    static void forward(const ForwardPass& p) {
      const float* gamma = p.params;
      const float* beta = p.params + channels;
      float* moving_mean = p.non_trainable;
      float* moving_variance = p.non_trainable + channels;
      const std::size_t rows = p.batch * In::size / channels;
      constexpr float eps = static_cast<float>(Epsilon);
      if (!p.training) {
        std::array<float, channels> scale, shift;
        for (std::size_t c = 0; c < channels; ++c) {
          scale[c] = gamma[c] / std::sqrt(moving_variance[c] + eps);
          shift[c] = beta[c] - moving_mean[c] * scale[c];
        }
        detail::parallel_for(rows, grain_rows, [&](std::size_t r0, std::size_t r1) {
          for (std::size_t r = r0; r < r1; ++r)
            for (std::size_t c = 0; c < channels; ++c) p.out[r * channels + c] = p.in[r * channels + c] * scale[c] + shift[c];
        });
        return;
      }
      // Sums of x and x^2 per channel in one pass (in double: no cancellation at these sizes).
      std::array<double, channels> sum{}, squares{};
      for_row_blocks(rows, sum, squares, [&](std::size_t r0, std::size_t r1, double* s, double* q) {
        for (std::size_t r = r0; r < r1; ++r)
          for (std::size_t c = 0; c < channels; ++c) {
            const double x = p.in[r * channels + c];
            s[c] += x;
            q[c] += x * x;
          }
      });
      float* inv_std = p.scratch;
      float* normalized = p.scratch + channels;
      std::array<float, channels> mean;
      constexpr float momentum = static_cast<float>(Momentum);
      for (std::size_t c = 0; c < channels; ++c) {
        const double m = sum[c] / static_cast<double>(rows);
        const float variance = static_cast<float>(std::max(squares[c] / static_cast<double>(rows) - m * m, 0.0));
        mean[c] = static_cast<float>(m);
        inv_std[c] = 1.0f / std::sqrt(variance + eps);
        moving_mean[c] = moving_mean[c] * momentum + mean[c] * (1.0f - momentum);
        moving_variance[c] = moving_variance[c] * momentum + variance * (1.0f - momentum);
      }
      detail::parallel_for(rows, grain_rows, [&](std::size_t r0, std::size_t r1) {
        for (std::size_t r = r0; r < r1; ++r)
          for (std::size_t c = 0; c < channels; ++c) {
            const float xhat = (p.in[r * channels + c] - mean[c]) * inv_std[c];
            normalized[r * channels + c] = xhat;
            p.out[r * channels + c] = gamma[c] * xhat + beta[c];
          }
      });
    }

    // With batch statistics: dx = gamma * inv_std / N * (N * dy - sum(dy) - xhat * sum(dy * xhat)).
    static void backward(const BackwardPass& p) {
      const float* gamma = p.params;
      float* gamma_grad = p.grads;
      float* beta_grad = p.grads + channels;
      const float* inv_std = p.scratch;
      const float* normalized = p.scratch + channels;
      const std::size_t rows = p.batch * In::size / channels;
      std::array<double, channels> dbeta{}, dgamma{};
      for_row_blocks(rows, dbeta, dgamma, [&](std::size_t r0, std::size_t r1, double* db, double* dg) {
        for (std::size_t r = r0; r < r1; ++r)
          for (std::size_t c = 0; c < channels; ++c) {
            const double dy = p.dout[r * channels + c];
            db[c] += dy;
            dg[c] += dy * normalized[r * channels + c];
          }
      });
      std::array<float, channels> scale;
      const float n = static_cast<float>(rows);
      for (std::size_t c = 0; c < channels; ++c) {
        beta_grad[c] = static_cast<float>(dbeta[c]);
        gamma_grad[c] = static_cast<float>(dgamma[c]);
        scale[c] = gamma[c] * inv_std[c] / n;
      }
      if (!p.din) return;
      detail::parallel_for(rows, grain_rows, [&](std::size_t r0, std::size_t r1) {
        for (std::size_t r = r0; r < r1; ++r)
          for (std::size_t c = 0; c < channels; ++c) {
            const std::size_t i = r * channels + c;
            p.din[i] = scale[c] * (n * p.dout[i] - beta_grad[c] - normalized[i] * gamma_grad[c]);
          }
      });
    }

   private:
    static constexpr std::size_t grain_rows = detail::grain_for(channels);

    // Two per-channel sums over all rows: each thread sums a block of rows into its own arrays
    // (vector loops over the channels), then the blocks are added here.
    template <class F>
    static void for_row_blocks(std::size_t rows, std::array<double, channels>& first, std::array<double, channels>& second, F f) {
      constexpr std::size_t max_blocks = detail::max_threads;
      std::array<std::array<double, channels>, max_blocks> a{}, b{};
      const std::size_t blocks = rows >= 2 * grain_rows ? std::min(detail::thread_count(), max_blocks) : 1;
      detail::parallel_for(blocks, 1, [&](std::size_t k0, std::size_t k1) {
        for (std::size_t k = k0; k < k1; ++k) f(rows * k / blocks, rows * (k + 1) / blocks, a[k].data(), b[k].data());
      });
      for (std::size_t k = 0; k < blocks; ++k)
        for (std::size_t c = 0; c < channels; ++c) first[c] += a[k][c], second[c] += b[k][c];
    }
  };
};

// Keras's defaults.
using BatchNormalization = BatchNormalizationWith<0.99, 1e-3>;

}  // namespace typenet
