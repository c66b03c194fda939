#pragma once
// The time an epoch's sgemm calls take alone: the floor a network's training can approach
// without a faster GEMM. Each workload lists the GEMMs of one training step at batch size b
// (forward, weight gradient, input gradient per layer; a convolution's are the im2col ones).
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <vector>

#include "typenet/detail/gemm.hpp"

namespace bench {

using typenet::detail::Transpose;

struct Gemm {
  std::size_t m, n, k;
  Transpose a = Transpose::no, b = Transpose::no;
};

// The three GEMMs of a dense layer (or of a convolution over `rows` = batch * output pixels,
// with `inputs` = kh * kw * channels); the first layer of a network needs no input gradient.
inline void add_layer_gemms(std::vector<Gemm>& step, std::size_t rows, std::size_t inputs, std::size_t units, bool first) {
  step.push_back({rows, units, inputs});
  step.push_back({inputs, units, rows, Transpose::yes, Transpose::no});
  if (!first) step.push_back({rows, inputs, units, Transpose::no, Transpose::yes});
}

struct DenseShape {
  std::size_t inputs, units;
};

inline std::vector<Gemm> dense_step(const std::vector<DenseShape>& layers, std::size_t batch) {
  std::vector<Gemm> step;
  for (std::size_t i = 0; i < layers.size(); ++i) add_layer_gemms(step, batch, layers[i].inputs, layers[i].units, i == 0);
  return step;
}

// Runs step(b) for every batch of an epoch of `samples`; returns the seconds.
template <class Step>
double gemm_epoch_seconds(Step step, std::size_t samples, std::size_t batch) {
  std::size_t largest = 0;
  for (const Gemm& g : step(batch)) largest = std::max({largest, g.m * g.k, g.k * g.n, g.m * g.n});
  std::vector<float> a(largest, 0.5f), b(largest, 0.25f), c(largest);
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t done = 0; done < samples; done += batch)
    for (const Gemm& g : step(std::min(batch, samples - done))) typenet::detail::gemm(g.a, g.b, g.m, g.n, g.k, a.data(), b.data(), c.data());
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

inline double dense_gemm_epoch_seconds(const std::vector<DenseShape>& layers, std::size_t samples, std::size_t batch) {
  return gemm_epoch_seconds([&](std::size_t b) { return dense_step(layers, b); }, samples, batch);
}

// GFLOP/s of one m x n x k sgemm, best of `repeats`.
inline double sgemm_gflops(std::size_t m, std::size_t n, std::size_t k, int repeats = 5) {
  std::vector<float> a(m * k, 0.5f), b(k * n, 0.25f), c(m * n);
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    typenet::detail::gemm(Transpose::no, Transpose::no, m, n, k, a.data(), b.data(), c.data());
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) / best / 1e9;
}

}  // namespace bench
