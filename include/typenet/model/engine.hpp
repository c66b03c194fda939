#pragma once
// Engine<Net>: what runs a typed network over batches. It owns the network's numbers (the
// parameters, their gradients and the moving statistics, each in one buffer, so that an optimizer
// step is one pass and a distributed run sums gradients in one call) and the workers that run the
// slices of a batch side by side. Model (model/model.hpp) calls down into it; it calls nothing
// back.
//
// Workers. A batch is split into row slices that typenet's threads run through the network at
// once, each on a worker of its own: its activations, their gradients and its per-sample scratch.
// This beats threading each pass: GEMMs on a slice run single-threaded at full speed, and every
// pass between them (im2col, pooling, activations) is parallel without a barrier per layer.
// Worker 0 writes the engine's gradients and moving statistics; the others write their own
// copies, which are summed (gradients; by the optimizer as it steps when the caller asks) or
// averaged (statistics) into the engine's after the step. A worker's buffers are laid out once
// for the largest slice seen, so a training step allocates nothing.
#include "typenet/detail/score.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include "typenet/detail/fixed_prefix.hpp"
#include "typenet/detail/gemm.hpp"
#include "typenet/detail/parallel.hpp"
#include "typenet/detail/random.hpp"
#include "typenet/layers/layer.hpp"
#include "typenet/metrics/metric.hpp"
#include "typenet/network/sequential.hpp"
#include "typenet/training/losses.hpp"
#include "typenet/training/optimizers.hpp"

namespace typenet {

// The rows a training step runs on: inputs of the first layer run, their targets (rows of
// `target_width` floats, as the loss wants them) and, optionally, a weight per row.
struct Batch {
  const float* inputs = nullptr;
  const float* targets = nullptr;
  std::size_t target_width = 0;
  const float* weights = nullptr;  // null: every row weighs 1
  std::size_t rows = 0;
};

template <class Net>
class Engine {
 public:
  template <std::size_t I>
  using layer = typename Net::template layer<I>;
  static constexpr std::size_t layer_count = Net::layer_count;
  static constexpr std::size_t input_size = Net::input_shape::size;
  static constexpr std::size_t output_size = Net::output_shape::size;
  static constexpr std::size_t param_count = Net::param_count;
  static constexpr std::size_t non_trainable_count = Net::non_trainable_count;
  // Layers [0, fixed_prefix) are a fixed function of the sample (detail/fixed_prefix.hpp).
  static constexpr std::size_t fixed_prefix = detail::fixed_prefix_length<Net>();

  // The width of a row entering layer First: a sample, or the output of the layer before.
  template <std::size_t First>
  static constexpr std::size_t row_size() {
    if constexpr (First == 0)
      return input_size;
    else
      return layer<First - 1>::output_shape::size;
  }

  explicit Engine(std::uint64_t seed) : params(param_count), grads(param_count), non_trainable(non_trainable_count) {
    detail::Rng init(seed);
    Net::for_each_layer([&]<std::size_t I>() {
      layer<I>::initialize(params.data() + Net::param_offset[I], init);
      if constexpr (detail::non_trainable_count_of<layer<I>>() > 0)
        layer<I>::initialize_non_trainable(non_trainable.data() + Net::non_trainable_offset[I]);
    });
  }

  // Workers keep pointers into their own arenas: a move carries the arenas along, a copy would
  // point into the original's.
  Engine(Engine&&) noexcept = default;
  Engine& operator=(Engine&&) noexcept = default;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  std::vector<float> params, grads, non_trainable;

  // Lays the workers out for batches of up to `rows` rows; reallocates only when they grow.
  // Call it before a loop, and the loop allocates nothing.
  void reserve(std::size_t rows) {
    const std::size_t parts = workers_for(rows);
    ready_workers(1, rows);  // worker 0 also runs whole batches alone (small batches)
    ready_workers(parts, (rows + parts - 1) / parts);
  }

  // Forward, loss and backward over the batch in training mode, split across the workers, with
  // layers [0, First) skipped (their output is the batch: see fixed_prefix). Leaves dLoss/dparams,
  // averaged over the batch, in `grads`; or, with `sum_gradients` false, each worker's share in
  // its own buffer for step() to sum as it steps. Dropout masks come from `dropout`. With
  // `metrics`, their state over the batch is left in metric_states[0, state_size) (each worker
  // uses a slot of state_size there, so it has room for max_threads of them).
  template <std::size_t First = 0>
  detail::BatchScore forward_backward(const Batch& batch, const Loss& loss, detail::Rng& dropout,
                                      bool sum_gradients = true, const detail::MetricList* metrics = nullptr,
                                      double* metric_states = nullptr) {
    constexpr std::size_t row = row_size<First>();
    const std::size_t parts = workers_for(batch.rows);
    ready_workers(parts, (batch.rows + parts - 1) / parts);
    // Each split step draws its workers' dropout streams from the model's, so the model's stream
    // alone (saved with the model) decides every mask.
    workers_[0].rng = &dropout;
    for (std::size_t k = 1; k < parts; ++k) {
      workers_[k].own_rng.reseed(dropout.next());
      workers_[k].rng = &workers_[k].own_rng;
      std::copy(non_trainable.begin(), non_trainable.end(), workers_[k].own_non_trainable.begin());
    }
    std::array<detail::BatchScore, detail::max_threads> scores{};
    if (metrics) std::fill(metric_states, metric_states + parts * metrics->state_size(), 0.0);
    split_rows(batch.rows, [&](std::size_t k, std::size_t begin, std::size_t end) {
      const std::size_t rows = end - begin;
      const float* output = forward<First, layer_count>(k, batch.inputs + begin * row, rows, /*training=*/true);
      bool preactivation = false;
      scores[k] = detail::score_rows(loss, output_activation(), output, output_size,
                                     batch.targets + begin * batch.target_width, batch.target_width,
                                     batch.weights ? batch.weights + begin : nullptr, rows,
                                     workers_[k].delta[layer_count], batch.rows, &preactivation);
      if (metrics)
        metrics->accumulate(loss, metric_states + k * metrics->state_size(), output, output_size,
                            batch.targets + begin * batch.target_width, batch.target_width, rows);
      backward<First>(k, rows, preactivation);
    });
    if (parts > 1) {
      if (sum_gradients) add_worker_gradients(1, parts, grads.data());
      average_worker_statistics(parts);
    }
    detail::BatchScore total;
    for (std::size_t k = 0; k < parts; ++k) total += scores[k];
    if (metrics) detail::add_worker_states(metric_states, metrics->state_size(), parts);
    return total;
  }

  // The optimizer's step on the gradient forward_backward(..., sum_gradients = false) left in the
  // shares of the workers of a `rows`-row batch: the first two shares are summed as they are
  // read, in the step's own pass.
  void step(OptimizerState& optimizer, std::size_t rows) {
    const std::size_t parts = workers_for(rows);
    if (parts == 1) return optimizer.apply(params.data(), grads.data(), param_count);
    if (parts > 2) add_worker_gradients(2, parts, workers_[1].own_grads.data());
    optimizer.apply(params.data(), OptimizerState::GradientSum{grads.data(), workers_[1].own_grads.data()}, param_count);
  }

  // The one inference loop (predict, evaluate, the fixed prefix's features): layers [First, End)
  // in inference mode over `rows` rows at x, `batch_size` rows at a time, each batch split across
  // the workers. Calls sink(k, first_row, rows, output) for every slice, from worker k's thread, at
  // once for the slices of one batch; then batch_done() on the calling thread, so that figures can
  // be added up batch after batch, in the order of the rows, whatever the split.
  template <std::size_t First, std::size_t End, class Sink, class BatchDone = void (*)()>
  void infer(const float* x, std::size_t rows, std::size_t batch_size, Sink&& sink, BatchDone batch_done = [] {}) {
    reserve(std::min(batch_size, rows));
    for (std::size_t start = 0; start < rows; start += batch_size) {
      const std::size_t batch = std::min(batch_size, rows - start);
      split_rows(batch, [&](std::size_t k, std::size_t begin, std::size_t end) {
        const float* output = infer_slice<First, End>(k, x + (start + begin) * row_size<First>(), end - begin);
        sink(k, start + begin, end - begin, output);
      });
      batch_done();
    }
  }

  // The activation of the last layer, which the loss may fuse with (a softmax and its cross-entropy).
  static constexpr std::string_view output_activation() {
    if constexpr (requires { layer<layer_count - 1>::activation::name; })
      return layer<layer_count - 1>::activation::name;
    else
      return "linear";
  }

  // pools_next_in_inference[I]: in inference, layer I also runs the pooling after it (layer.hpp).
  static constexpr auto pools_next_in_inference = [] {
    std::array<bool, layer_count> pools{};
    Net::for_each_layer([&]<std::size_t I>() {
      if constexpr (I + 1 < layer_count) pools[I] = PoolsNextInInference<layer<I>, layer<I + 1>>;
    });
    return pools;
  }();

  // Rows that inference runs through all its layers before the next rows: about 2 MB of the
  // largest output it writes, so that each layer reads its input from cache rather than memory,
  // and rows enough for the dense layers' GEMMs. (Before the convolutions pooled their own
  // outputs, W3's first wrote 86 KB per image: 24 rows at a time rather than 128 took 12% off
  // predict.) Views and the outputs of convolutions that pool them write nothing.
  static constexpr std::size_t inference_chunk_rows = [] {
    std::size_t largest = 1;
    Net::for_each_layer([&]<std::size_t I>() {
      if (!layer<I>::aliases_input && !pools_next_in_inference[I]) largest = std::max(largest, layer<I>::output_shape::size);
    });
    return std::max<std::size_t>(16, (std::size_t{1} << 19) / largest);
  }();

 private:
  struct Worker {
    std::size_t capacity = 0;  // rows
    std::vector<float> arena;
    float* scratch = nullptr;
    std::array<float*, layer_count> own_output{};
    std::array<float*, layer_count + 1> delta{};
    std::array<const float*, layer_count> inputs{};
    std::array<float*, layer_count> outputs{};
    std::vector<float> own_grads, own_non_trainable;  // workers after the first
    detail::Rng own_rng;                              // dropout masks of workers after the first
    detail::Rng* rng = nullptr;                       // the stream this worker draws masks from

    // Lays the arena out for `rows` rows; reallocates only when it grows.
    void reserve(std::size_t rows) {
      if (rows <= capacity) return;
      capacity = rows;
      std::size_t total = rows * (input_size + Net::scratch_offset.back());
      Net::for_each_layer([&]<std::size_t I>() {
        if constexpr (!layer<I>::aliases_input) total += 2 * rows * layer<I>::output_shape::size;
      });
      arena.assign(total, 0.0f);
      float* next = arena.data();
      auto take = [&](std::size_t n) { return std::exchange(next, next + n); };
      scratch = take(rows * Net::scratch_offset.back());
      delta[0] = take(rows * input_size);
      Net::for_each_layer([&]<std::size_t I>() {
        if constexpr (layer<I>::aliases_input) {  // a view: its output is its input
          own_output[I] = nullptr;
          delta[I + 1] = delta[I];
        } else {
          own_output[I] = take(rows * layer<I>::output_shape::size);
          delta[I + 1] = take(rows * layer<I>::output_shape::size);
        }
      });
    }
  };

  // Gradient of no layer's input is needed before the first layer with parameters.
  static constexpr auto needs_input_gradient = [] {
    std::array<bool, layer_count> needs{};
    bool seen_params = false;
    Net::for_each_layer([&]<std::size_t I>() {
      needs[I] = seen_params;
      seen_params = seen_params || layer<I>::param_count > 0;
    });
    return needs;
  }();

  // fused_with_next[I]: layer I leaves its bias and ReLU to layer I + 1 (layers/layer.hpp).
  static constexpr auto fused_with_next = [] {
    std::array<bool, layer_count> fused{};
    Net::for_each_layer([&]<std::size_t I>() {
      if constexpr (I + 1 < layer_count) fused[I] = FusesBiasAndReLU<layer<I>, layer<I + 1>>;
    });
    return fused;
  }();

  // Rows per worker below which a slice costs more in GEMM efficiency than its thread gains.
  static constexpr std::size_t min_rows_per_worker = 32;

  static std::size_t workers_for(std::size_t rows) {
    return std::clamp<std::size_t>(rows / min_rows_per_worker, 1, detail::thread_count());
  }

  float* grads_of(std::size_t k) { return k == 0 ? grads.data() : workers_[k].own_grads.data(); }
  float* statistics_of(std::size_t k) { return k == 0 ? non_trainable.data() : workers_[k].own_non_trainable.data(); }

  void ready_workers(std::size_t parts, std::size_t rows) {
    if (workers_.size() < parts) workers_.resize(parts);
    for (std::size_t k = 0; k < parts; ++k) {
      workers_[k].reserve(rows);
      if (k == 0) continue;
      workers_[k].own_grads.resize(param_count);
      workers_[k].own_non_trainable.resize(non_trainable_count);
    }
  }

  // Calls f(k, begin, end) for the slices [begin, end) of `rows` rows that workers k run, at once
  // when there is more than one.
  template <class F>
  void split_rows(std::size_t rows, F&& f) {
    const std::size_t parts = workers_for(rows);
    ready_workers(parts, (rows + parts - 1) / parts);
    if (parts == 1) return f(std::size_t{0}, std::size_t{0}, rows);
    detail::SingleThreadedGemm one_thread_per_gemm;
    detail::parallel_for(parts, 1, [&](std::size_t k0, std::size_t k1) {
      for (std::size_t k = k0; k < k1; ++k) f(k, rows * k / parts, rows * (k + 1) / parts);
    });
  }

  // Runs layers [First, End) in inference on worker k's `rows` rows at x (inputs of layer First),
  // inference_chunk_rows at a time; returns their output rows.
  template <std::size_t First, std::size_t End>
  const float* infer_slice(std::size_t k, const float* x, std::size_t rows) {
    constexpr std::size_t chunk = inference_chunk_rows;
    const float* output = forward<First, End>(k, x, std::min(rows, chunk), false);
    for (std::size_t row0 = chunk; row0 < rows; row0 += chunk)
      forward<First, End>(k, x, std::min(chunk, rows - row0), false, row0);
    return output;
  }

  // Runs layers [First, End) on rows [row0, row0 + rows) of worker k's slice at x, each layer's
  // output at the same rows of its buffer; returns the last output at row row0.
  template <std::size_t First, std::size_t End>
  const float* forward(std::size_t k, const float* x, std::size_t rows, bool training, std::size_t row0 = 0) {
    Worker& w = workers_[k];
    // Training updates moving statistics (each worker its own copy); inference only reads them.
    float* statistics = training ? statistics_of(k) : non_trainable.data();
    const float* in = x + row0 * row_size<First>();
    Net::for_each_layer([&]<std::size_t I>() {
      if constexpr (I < First || I >= End) return;
      using L = layer<I>;
      float* out = L::aliases_input ? const_cast<float*>(in) : w.own_output[I] + row0 * L::output_shape::size;  // views never write
      w.inputs[I] = in;
      w.outputs[I] = out;
      ForwardPass pass{params.data() + Net::param_offset[I], in, out,
                       w.scratch + w.capacity * Net::scratch_offset[I], rows, training, w.rng,
                       statistics + Net::non_trainable_offset[I]};
      // A fused pair runs fused only when both of its layers run here.
      if constexpr (I + 1 < End && fused_with_next[I]) pass.defer_bias_and_relu = true;
      if constexpr (I + 1 < End && pools_next_in_inference[I]) {
        if (!training) {
          pass.pool_into = w.own_output[I + 1] + row0 * layer<I + 1>::output_shape::size;
          L::forward_pooled(pass);
          in = out;
          return;
        }
      }
      if constexpr (I > First) {
        if constexpr (pools_next_in_inference[I - 1]) {
          if (!training) {  // layer I - 1 wrote this pooling's output
            in = out;
            return;
          }
        }
        if constexpr (fused_with_next[I - 1])
          pass.pending_bias = params.data() + Net::param_offset[I - 1] + layer<I - 1>::bias_offset;
      }
      L::forward(pass);
      in = out;
    });
    return in;
  }

  // Back-propagates worker k's delta[layer_count] (set by the loss) through layers
  // [First, layer_count) into grads_of(k).
  template <std::size_t First>
  void backward(std::size_t k, std::size_t rows, bool preactivation) {
    Worker& w = workers_[k];
    float* g = grads_of(k);
    Net::for_each_layer_reversed([&]<std::size_t I>() {
      if constexpr (I < First) return;
      using L = layer<I>;
      BackwardPass pass{params.data() + Net::param_offset[I], g + Net::param_offset[I], w.inputs[I],
                        w.outputs[I], w.delta[I + 1], needs_input_gradient[I] ? w.delta[I] : nullptr,
                        w.scratch + w.capacity * Net::scratch_offset[I], rows,
                        preactivation && I == layer_count - 1};
      // The fused pooling after this layer already routed dLoss/d(pre-activation) (layer.hpp).
      if constexpr (fused_with_next[I]) pass.dout_is_preactivation = true;
      if constexpr (I > First) {
        if constexpr (fused_with_next[I - 1]) pass.rectified = true;
      }
      L::backward(pass);
    });
  }

  // Adds the gradients of workers [first, parts) into `sum`.
  void add_worker_gradients(std::size_t first, std::size_t parts, float* sum) {
    detail::parallel_for(param_count, 1 << 14, [&](std::size_t begin, std::size_t end) {
      for (std::size_t k = first; k < parts; ++k) {
        const float* g = workers_[k].own_grads.data();
        for (std::size_t i = begin; i < end; ++i) sum[i] += g[i];
      }
    });
  }

  void average_worker_statistics(std::size_t parts) {
    if constexpr (non_trainable_count > 0) {
      for (std::size_t k = 1; k < parts; ++k)
        for (std::size_t i = 0; i < non_trainable_count; ++i) non_trainable[i] += workers_[k].own_non_trainable[i];
      for (float& v : non_trainable) v /= static_cast<float>(parts);
    }
  }

  std::vector<Worker> workers_;
};

}  // namespace typenet
