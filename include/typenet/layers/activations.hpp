#pragma once
// Activations as small structs with two fused passes over a batch-major (rows x cols) buffer:
//   forward:  y = f(z + bias)                       (bias add and activation in one pass)
//   backward: dz = dy * f'(y), bias_grad = sum(dz)  (derivative and bias gradient in one pass)
// typenet's derivatives are written in terms of the output y, so the pre-activation z is never
// stored. An activation whose derivative needs its input (GELU, Swish) declares
// `derivative_from_input` instead, and the layer keeps z + bias for it in its scratch
// (KeepsInput below). A user's activation is a struct deriving from ElementwiseActivation:
//   struct Swish : tn::ElementwiseActivation<Swish> {
//     static constexpr std::string_view name = "swish";
//     static float value(float z) { return z / (1.0f + std::exp(-z)); }
//     static float derivative_from_input(float z) { ... }   // or derivative_from_output(float y)
//   };
// The loops are plain on purpose: they are the innermost hot path, g++ vectorises them, and
// they keep xtensor's heavy expression machinery out of every layer definition. Exponentials use
// detail::fast_exp rather than std::exp, which g++ only vectorises under -ffast-math.
#include "typenet/detail/fast_exp.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string_view>

#include "typenet/detail/parallel.hpp"

namespace typenet {

namespace detail {

// Elements per thread below which splitting work costs more than it saves.
inline constexpr std::size_t parallel_grain = 1 << 14;

// Bias gradient alone, for when dz is already known (softmax/sigmoid + cross-entropy, or a
// convolution whose max pooling applied its ReLU). Split by columns like Elementwise::backward:
// each column is still summed in row order by one thread, so the result does not depend on the
// number of threads.
inline void sum_rows(const float* dz, float* out, std::size_t rows, std::size_t cols) {
  detail::parallel_for(cols, parallel_grain / std::max<std::size_t>(rows, 1) + 1, [&](std::size_t c0, std::size_t c1) {
    std::fill(out + c0, out + c1, 0.0f);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = c0; c < c1; ++c) out[c] += dz[r * cols + c];
  });
}

}  // namespace detail

// The driver of activations that act on each element independently, from the element's value
// and derivative. Large batches are split across typenet's threads: by rows going forward, by
// columns going back (so that each thread owns its slice of the bias gradient and nothing needs
// reducing).
template <class F>
struct ElementwiseActivation {
  static void forward(float* z, const float* bias, std::size_t rows, std::size_t cols)
    requires requires(float y) { F::derivative_from_output(y); }
  {
    detail::parallel_for(rows, detail::parallel_grain / std::max<std::size_t>(cols, 1) + 1, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t r = r0; r < r1; ++r) {
        float* row = z + r * cols;
        if (bias)
          for (std::size_t c = 0; c < cols; ++c) row[c] = F::value(row[c] + bias[c]);
        else
          for (std::size_t c = 0; c < cols; ++c) row[c] = F::value(row[c]);
      }
    });
  }

  static void backward(const float* y, float* dy, float* bias_grad, std::size_t rows, std::size_t cols)
    requires requires(float v) { F::derivative_from_output(v); }
  {
    backward_with<&F::derivative_from_output>(y, dy, bias_grad, rows, cols);
  }

  // The input form: `kept` receives z + bias, which backward then reads in place of y.
  static void forward(float* z, const float* bias, std::size_t rows, std::size_t cols, float* kept)
    requires requires(float x) { F::derivative_from_input(x); }
  {
    detail::parallel_for(rows, detail::parallel_grain / std::max<std::size_t>(cols, 1) + 1, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t r = r0; r < r1; ++r) {
        float* row = z + r * cols;
        float* keep = kept + r * cols;
        for (std::size_t c = 0; c < cols; ++c) keep[c] = bias ? row[c] + bias[c] : row[c];
        for (std::size_t c = 0; c < cols; ++c) row[c] = F::value(keep[c]);
      }
    });
  }

  static void backward(const float* kept, float* dy, float* bias_grad, std::size_t rows, std::size_t cols)
    requires requires(float x) { F::derivative_from_input(x); }
  {
    backward_with<&F::derivative_from_input>(kept, dy, bias_grad, rows, cols);
  }

 private:
  template <auto Derivative>
  static void backward_with(const float* y, float* dy, float* bias_grad, std::size_t rows, std::size_t cols) {
    detail::parallel_for(cols, detail::parallel_grain / std::max<std::size_t>(rows, 1) + 1, [&](std::size_t c0, std::size_t c1) {
      if (bias_grad) std::fill(bias_grad + c0, bias_grad + c1, 0.0f);
      for (std::size_t r = 0; r < rows; ++r) {
        const float* yr = y + r * cols;
        float* dr = dy + r * cols;
        for (std::size_t c = c0; c < c1; ++c) dr[c] *= Derivative(yr[c]);
        if (bias_grad)
          for (std::size_t c = c0; c < c1; ++c) bias_grad[c] += dr[c];
      }
    });
  }
};

namespace detail {
template <class F>
using Elementwise = ElementwiseActivation<F>;  // its name before it was public
}  // namespace detail

struct Linear : detail::Elementwise<Linear> {
  static constexpr std::string_view name = "linear";
  static float value(float z) { return z; }
  static float derivative_from_output(float) { return 1.0f; }
};

struct Sigmoid : detail::Elementwise<Sigmoid> {
  static constexpr std::string_view name = "sigmoid";
  // Large |z| saturates cleanly: e^-z is 0 or +inf, never inf/inf.
  static float value(float z) { return 1.0f / (1.0f + detail::fast_exp(-z)); }
  static float derivative_from_output(float y) { return y * (1.0f - y); }
};

struct ReLU : detail::Elementwise<ReLU> {
  static constexpr std::string_view name = "relu";
  // NaN passes through, as in Keras and PyTorch: a NaN input must show in the loss, not become 0
  // and let the network train on silently. (g++ compiles both forms to the same compare and blend.)
  static float value(float z) { return z < 0.0f ? 0.0f : z; }
  static float derivative_from_output(float y) { return y > 0.0f ? 1.0f : 0.0f; }
};

struct Tanh : detail::Elementwise<Tanh> {
  static constexpr std::string_view name = "tanh";
  // tanh|z| = 1 - 2 / (e^2|z| + 1), except below 0.625 where that would cancel: there Cephes's
  // odd polynomial z + z^3 P(z^2). Both are computed and one is selected, so the loop vectorises.
  // Relative error below 1.5e-7 over all floats (tests/unit/detail/test_fast_exp.cpp), like std::tanh.
  static float value(float z) {
    const float a = std::fabs(z);
    const float s = a * a;
    float p = -5.70498872745e-3f;
    p = detail::multiply_add(p, s, 2.06390887954e-2f);
    p = detail::multiply_add(p, s, -5.37397155531e-2f);
    p = detail::multiply_add(p, s, 1.33314422036e-1f);
    p = detail::multiply_add(p, s, -3.33332819422e-1f);
    const float small = detail::multiply_add(p * s, a, a);
    const float large = 1.0f - 2.0f / (detail::fast_exp(2.0f * a) + 1.0f);
    return std::copysign(a < 0.625f ? small : large, z);
  }
  static float derivative_from_output(float y) { return 1.0f - y * y; }
};

// Softmax over the last axis (each row). Its backward is the Jacobian-vector product
// dz = y * (dy - sum(dy * y)); with cross-entropy the model skips it and uses y - t directly.
struct Softmax {
  static constexpr std::string_view name = "softmax";

  static void forward(float* z, const float* bias, std::size_t rows, std::size_t cols) {
    for (std::size_t r = 0; r < rows; ++r) {
      float* row = z + r * cols;
      if (bias)
        for (std::size_t c = 0; c < cols; ++c) row[c] += bias[c];
      const float peak = *std::max_element(row, row + cols);
      // Two loops: the exponentials vectorise; the sum keeps its order (no -ffast-math).
      for (std::size_t c = 0; c < cols; ++c) row[c] = detail::fast_exp(row[c] - peak);
      float total = 0.0f;
      for (std::size_t c = 0; c < cols; ++c) total += row[c];
      const float inverse = 1.0f / total;
      for (std::size_t c = 0; c < cols; ++c) row[c] *= inverse;
    }
  }

  static void backward(const float* y, float* dy, float* bias_grad, std::size_t rows, std::size_t cols) {
    if (bias_grad) std::fill(bias_grad, bias_grad + cols, 0.0f);
    for (std::size_t r = 0; r < rows; ++r) {
      const float* yr = y + r * cols;
      float* dr = dy + r * cols;
      float dot = 0.0f;
      for (std::size_t c = 0; c < cols; ++c) dot += dr[c] * yr[c];
      for (std::size_t c = 0; c < cols; ++c) dr[c] = yr[c] * (dr[c] - dot);
      if (bias_grad)
        for (std::size_t c = 0; c < cols; ++c) bias_grad[c] += dr[c];
    }
  }
};

// An activation whose backward pass reads its input z + bias, which the layer keeps for it.
template <class A>
concept KeepsInput = requires(float* p, const float* q, std::size_t n) { A::forward(p, q, n, n, p); };

// What a layer requires of an activation: a name (saved files, Keras's "activation" argument)
// and the two passes, in the output form or in the input form (KeepsInput).
template <class A>
concept ActivationFunction = requires(float* p, const float* q, std::size_t n) {
  { A::name } -> std::convertible_to<std::string_view>;
  A::backward(q, p, p, n, n);
} && (KeepsInput<A> || requires(float* p, const float* q, std::size_t n) { A::forward(p, q, n, n); });

// Floats per output element that a layer keeps for its activation (KeepsInput): add
// kept_per_element<Act> * outputs to the layer's scratch_per_sample.
template <class A>
inline constexpr std::size_t kept_per_element = KeepsInput<A> ? 1 : 0;

namespace detail {
// The two passes as a layer calls them; `kept` is the layer's scratch for KeepsInput activations.
template <class A>
void activate(float* z, const float* bias, std::size_t rows, std::size_t cols, float* kept) {
  if constexpr (KeepsInput<A>)
    A::forward(z, bias, rows, cols, kept);
  else
    A::forward(z, bias, rows, cols);
}
template <class A>
void activation_backward(const float* y, const float* kept, float* dy, float* bias_grad, std::size_t rows, std::size_t cols) {
  A::backward(KeepsInput<A> ? kept : y, dy, bias_grad, rows, cols);
}
}  // namespace detail

}  // namespace typenet
