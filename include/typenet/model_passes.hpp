#pragma once
// The passes of Model<Net> (declared in model.hpp): forward and backward through a worker's
// slice of a batch, a training step split across the workers and how their gradients and
// moving statistics are combined, and scoring in inference mode.
#include <algorithm>
#include <array>
#include <cstddef>
#include <vector>

namespace typenet {

template <class Spec>
template <std::size_t First, std::size_t End>
const float* Model<Spec>::forward(std::size_t k, const float* x, std::size_t batch, bool training) {
  Worker& w = workers_[k];
  // Training updates moving statistics (each worker its own copy); inference only reads them.
  float* statistics = training ? non_trainable_of(k) : non_trainable_.data();
  const float* in = x;
  Net::for_each_layer([&]<std::size_t I>() {
    if constexpr (I < First || I >= End) return;
    using L = layer<I>;
    float* out = L::aliases_input ? const_cast<float*>(in) : w.own_output[I];  // views never write
    w.inputs[I] = in;
    w.outputs[I] = out;
    ForwardPass pass{params_.data() + Net::param_offset[I], in, out,
                     w.scratch + w.capacity * Net::scratch_offset[I], batch, training, rng_of(k),
                     statistics + Net::non_trainable_offset[I]};
    // A fused pair runs fused only when both of its layers run here.
    if constexpr (I + 1 < End && fused_with_next[I]) pass.defer_bias_and_relu = true;
    if constexpr (I > First) {
      if constexpr (fused_with_next[I - 1])
        pass.pending_bias = params_.data() + Net::param_offset[I - 1] + layer<I - 1>::bias_offset;
    }
    L::forward(pass);
    in = out;
  });
  return in;
}

template <class Spec>
template <std::size_t First>
void Model<Spec>::backward(std::size_t k, std::size_t batch, bool preactivation) {
  Worker& w = workers_[k];
  float* grads = grads_of(k);
  Net::for_each_layer_reversed([&]<std::size_t I>() {
    if constexpr (I < First) return;
    using L = layer<I>;
    BackwardPass pass{params_.data() + Net::param_offset[I], grads + Net::param_offset[I], w.inputs[I],
                      w.outputs[I], w.delta[I + 1], needs_input_gradient[I] ? w.delta[I] : nullptr,
                      w.scratch + w.capacity * Net::scratch_offset[I], batch,
                      preactivation && I == layer_count - 1};
    // The fused pooling after this layer already routed dLoss/d(pre-activation) (layer.hpp).
    if constexpr (fused_with_next[I]) pass.dout_is_preactivation = true;
    if constexpr (I > First) {
      if constexpr (fused_with_next[I - 1]) pass.rectified = true;
    }
    L::backward(pass);
  });
}

template <class Spec>
template <std::size_t First>
auto Model<Spec>::forward_backward(const float* x, const float* targets, std::size_t width, const float* weights,
                                   std::size_t batch, bool sum_gradients) -> BatchResult {
  constexpr std::size_t row = row_size<First>();
  const std::size_t parts = workers_for(batch);
  ready_workers(parts, (batch + parts - 1) / parts);
  // Each split step draws its workers' dropout streams from the model's, so the model's stream
  // alone (saved with the model) decides every mask.
  for (std::size_t k = 1; k < parts; ++k) {
    workers_[k].own_rng.reseed(dropout_rng_.next());
    std::copy(non_trainable_.begin(), non_trainable_.end(), workers_[k].own_non_trainable.begin());
  }
  std::array<BatchResult, detail::ThreadTeam::max_threads> results{};
  split_rows(batch, [&](std::size_t k, std::size_t begin, std::size_t end) {
    const std::size_t rows = end - begin;
    const float* output = forward<First>(k, x + begin * row, rows, /*training=*/true);
    bool preactivation = false;
    results[k] = score(k, output, targets + begin * width, width, weights ? weights + begin : nullptr, rows,
                       /*gradient=*/true, batch, &preactivation);
    backward<First>(k, rows, preactivation);
  });
  if (parts > 1) {
    if (sum_gradients) add_worker_gradients(1, parts, grads_.data());
    average_worker_statistics(parts);
  }
  BatchResult total;
  for (std::size_t k = 0; k < parts; ++k) total += results[k];
  return total;
}

template <class Spec>
void Model<Spec>::apply_worker_gradients(std::size_t batch) {
  const std::size_t parts = workers_for(batch);
  if (parts == 1) return apply_gradients();
  if (parts > 2) add_worker_gradients(2, parts, workers_[1].own_grads.data());
  optimizer_.apply(params_.data(), grads_.data(), workers_[1].own_grads.data(), param_count);
}

template <class Spec>
void Model<Spec>::add_worker_gradients(std::size_t first, std::size_t parts, float* sum) {
  parallel_for(param_count, 1 << 14, [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = first; k < parts; ++k) {
      const float* g = workers_[k].own_grads.data();
      for (std::size_t i = begin; i < end; ++i) sum[i] += g[i];
    }
  });
}

template <class Spec>
void Model<Spec>::average_worker_statistics(std::size_t parts) {
  if constexpr (non_trainable_count > 0) {
    for (std::size_t k = 1; k < parts; ++k)
      for (std::size_t i = 0; i < non_trainable_count; ++i) non_trainable_[i] += workers_[k].own_non_trainable[i];
    for (float& v : non_trainable_) v /= static_cast<float>(parts);
  }
}

template <class Spec>
template <std::size_t First, class Team>
Evaluation Model<Spec>::evaluate_rows(const float* x, const Targets& targets, std::size_t begin, std::size_t end,
                                      std::size_t batch_size, const Team& team) {
  const auto [first, last] = team.share(begin, end);
  reserve(std::min(batch_size, last - first));
  BatchResult total;
  for (std::size_t start = first; start < last; start += batch_size) {
    const std::size_t batch = std::min(batch_size, last - start);
    std::array<BatchResult, detail::ThreadTeam::max_threads> results{};
    const std::size_t parts = split_rows(batch, [&](std::size_t k, std::size_t b, std::size_t e) {
      const float* output = forward<First>(k, x + (start + b) * row_size<First>(), e - b, /*training=*/false);
      results[k] = score(k, output, targets.row(start + b), targets.width, nullptr, e - b, /*gradient=*/false, e - b);
    });
    for (std::size_t k = 0; k < parts; ++k) total += results[k];
  }
  double sums[] = {total.loss_sum, static_cast<double>(total.correct)};
  team.sum(sums);
  const double n = static_cast<double>(end - begin);
  return {sums[0] / n, sums[1] / n};
}

template <class Spec>
std::vector<float> Model<Spec>::fixed_prefix_output(const float* x, std::size_t rows) {
  constexpr std::size_t width = row_size<fixed_prefix>();
  std::vector<float> rows_out(rows * width);
  for (std::size_t start = 0; start < rows; start += capacity_) {
    const std::size_t batch = std::min(capacity_, rows - start);
    split_rows(batch, [&](std::size_t k, std::size_t b, std::size_t e) {
      const float* out = forward<0, fixed_prefix>(k, x + (start + b) * input_size, e - b, /*training=*/false);
      std::copy(out, out + (e - b) * width, rows_out.data() + (start + b) * width);
    });
  }
  return rows_out;
}

}  // namespace typenet
