#pragma once
// Model<Net>: a typed network with its weights and the Keras workflow around it:
// compile, fit, evaluate, predict, summary.
//
// Memory: all parameters live in one buffer and all gradients in another (an optimizer step is
// one pass; a distributed run can sum gradients in one call). Activations, their gradients,
// dropout masks and the gathered batch live in one arena sized for the largest batch seen, so
// a training step allocates nothing.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iostream>
#include <numeric>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "typenet/array_ref.hpp"
#include "typenet/detail/fixed_prefix.hpp"
#include "typenet/detail/gemm.hpp"
#include "typenet/detail/parallel.hpp"
#include "typenet/detail/random.hpp"
#include "typenet/detail/score.hpp"
#include "typenet/detail/workspace.hpp"
#include "typenet/history.hpp"
#include "typenet/losses.hpp"
#include "typenet/optimizers.hpp"
#include "typenet/progress.hpp"
#include "typenet/sequential.hpp"
#include "typenet/summary.hpp"
#include "typenet/targets.hpp"
#include "typenet/team.hpp"

namespace typenet {

struct ValidationData {
  Features x;
  Labels y;
};

struct FitOptions {
  std::size_t batch_size = 32;
  std::size_t epochs = 1;
  int verbose = 1;                 // 0 silent, 1 progress bar, 2 one line per epoch
  double validation_split = 0.0;   // the last fraction of x/y, taken before shuffling (as Keras)
  std::optional<ValidationData> validation_data;
  bool shuffle = true;             // reshuffle the training samples every epoch
  std::vector<double> class_weight;  // weight of class k at [k]; empty: every class 1
  std::ostream* out = &std::cout;
  // Called after every epoch with its number (from 1), the model's history() updated: say, to
  // save a checkpoint (typenet/distributed.hpp does).
  std::function<void(std::size_t epoch)> on_epoch_end;
};

struct Evaluation {
  double loss = 0.0;
  double accuracy = 0.0;
};

namespace detail {
// Only a Sequential that starts with Input<...> has its shapes known. For anything else the
// Model's static_assert speaks, and a stand-in network keeps the rest of the class well formed
// so that no follow-on errors bury the message.
template <class Spec>
using trainable_t = std::conditional_t<Spec::has_input, Spec, Sequential<Input<1>>>;
}  // namespace detail

template <class Spec>
class Model {
  static_assert(Spec::has_input, "typenet::Model needs a Sequential that starts with typenet::Input<...>");
  using Net = detail::trainable_t<Spec>;

 public:
  using network = Spec;
  using input_shape = typename Net::input_shape;
  using output_shape = typename Net::output_shape;
  static constexpr std::size_t input_size = input_shape::size;
  static constexpr std::size_t output_size = output_shape::size;
  static constexpr std::size_t param_count = Net::param_count;  // trainable
  static constexpr std::size_t non_trainable_count = Net::non_trainable_count;
  static constexpr std::size_t layer_count = Net::layer_count;
  // Layers [0, fixed_prefix) are a fixed function of the sample (detail/fixed_prefix.hpp): fit
  // computes their output once per data set and trains the layers after them on it.
  static constexpr std::size_t fixed_prefix = detail::fixed_prefix_length<Net>();

  explicit Model(std::uint64_t seed = 0)
      : params_(param_count),
        grads_(param_count),
        non_trainable_(non_trainable_count),
        dropout_rng_(seed ^ 0xd50f),
        shuffle_rng_(seed ^ 0x5aff1e) {
    detail::Rng init(seed);
    Net::for_each_layer([&]<std::size_t I>() {
      layer<I>::initialize(params_.data() + Net::param_offset[I], init);
      if constexpr (detail::non_trainable_count_of<layer<I>>() > 0)
        layer<I>::initialize_non_trainable(non_trainable_.data() + Net::non_trainable_offset[I]);
    });
  }

  // The workspace keeps pointers into buffers the model owns: a move carries the buffers along
  // with them, a copy would point into the original's. (save and load copy a model.)
  Model(Model&&) noexcept = default;
  Model& operator=(Model&&) noexcept = default;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  void compile(Optimizer optimizer, Loss loss) {
    optimizer_ = OptimizerState(optimizer, param_count);
    loss_ = loss;
    compiled_ = true;
  }

  // With a team (typenet/distributed.hpp), each process trains and scores its share of every
  // batch and the processes combine their gradients and figures; alone by default.
  template <class Team = Solo>
  History fit(Features x, Labels y, const FitOptions& options = {}, const Team& team = {});
  template <class Team = Solo>
  Evaluation evaluate(Features x, Labels y, std::size_t batch_size = 256, const Team& team = {});
  xt::xtensor<float, 2> predict(Features x, std::size_t batch_size = 256);

  // One step of gradient descent on (x, y) as one batch; returns the batch loss.
  double train_on_batch(Features x, Labels y);

  // Forward and backward on (x, y) in training mode, leaving dLoss/dparameters in gradients()
  // without updating anything; returns the batch loss. (Gradient checks; summing gradients
  // across processes before apply_gradients.)
  double compute_gradients(Features x, Labels y);
  void apply_gradients() { optimizer_.apply(params_.data(), grads_.data(), param_count); }

  // Restarts the dropout masks' random stream, so that two passes can see the same masks.
  void seed_dropout(std::uint64_t seed) { dropout_rng_.reseed(seed); }

  void summary(std::ostream& os = std::cout) const { print_summary<Net>(os); }

  std::span<float> parameters() { return params_; }
  std::span<const float> parameters() const { return params_; }
  std::span<const float> gradients() const { return grads_; }
  // What layers keep but the optimizer does not update: BatchNormalization's moving statistics.
  std::span<float> non_trainable_parameters() { return non_trainable_; }
  std::span<const float> non_trainable_parameters() const { return non_trainable_; }
  template <std::size_t I>
  std::span<float> layer_parameters() {
    return std::span<float>(params_).subspan(Net::param_offset[I], layer<I>::param_count);
  }
  const OptimizerState& optimizer() const { return optimizer_; }

  // Every epoch this model was trained for, across fit calls and across save and load
  // (each fit returns the History of its own epochs only, as Keras does).
  const History& history() const { return history_; }

  // Saved model files (model_save.hpp): the weights, the compile() settings, the optimizer's
  // moments, the History and the random streams, so that fit on a loaded model continues the
  // run as if it had never stopped. load refuses a file saved from another network.
  void save(const std::filesystem::path& path) const;
  static Model load(const std::filesystem::path& path);
  // Only the weights, from a file saved from the same network; the rest of the model is kept.
  void load_weights(const std::filesystem::path& path);
  // The architecture alone, as Keras's model.to_json() writes it.
  std::string to_json() const;
  void export_json(const std::filesystem::path& path) const;

 private:
  template <std::size_t I>
  using layer = typename Net::template layer<I>;
  using last_layer = layer<layer_count - 1>;

  static constexpr std::string_view output_activation() {
    if constexpr (requires { last_layer::activation::name; })
      return last_layer::activation::name;
    else
      return "linear";
  }

  // The width of a row entering layer First: a sample, or the output of the layer before.
  template <std::size_t First>
  static constexpr std::size_t row_size() {
    if constexpr (First == 0)
      return input_size;
    else
      return layer<First - 1>::output_shape::size;
  }

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

  void require_compiled(const char* where) const {
    if (!compiled_) throw std::logic_error(std::string(where) + ": call compile(optimizer, loss) first");
  }

  // A batch is split into row slices that typenet's threads run through the network at once, each
  // on a worker of its own: its activations, their gradients and its per-sample scratch. This
  // beats threading each pass: GEMMs on a slice run single-threaded at full speed, and every
  // pass between them (im2col, pooling, activations) is parallel without a barrier per layer.
  // Worker 0 writes the model's gradients and moving statistics; the others write their own
  // copies, which are summed (gradients; in fit alone, by the optimizer as it steps) or averaged
  // (statistics) into the model's after the step.
  using Worker = detail::Workspace<Net>;

  // Rows per worker below which a slice costs more in GEMM efficiency than its thread gains.
  static constexpr std::size_t min_rows_per_worker = 32;

  static std::size_t workers_for(std::size_t rows) {
    return std::clamp<std::size_t>(rows / min_rows_per_worker, 1, thread_count());
  }

  float* grads_of(std::size_t k) { return k == 0 ? grads_.data() : workers_[k].own_grads.data(); }
  float* non_trainable_of(std::size_t k) {
    return k == 0 ? non_trainable_.data() : workers_[k].own_non_trainable.data();
  }
  detail::Rng* rng_of(std::size_t k) { return k == 0 ? &dropout_rng_ : &workers_[k].own_rng; }

  // Readies workers [0, parts) for slices of up to `rows` rows. fit and evaluate call it (through
  // reserve) before their loops, so inside them it finds everything in place and allocates nothing.
  void ready_workers(std::size_t parts, std::size_t rows) {
    if (workers_.size() < parts) workers_.resize(parts);
    for (std::size_t k = 0; k < parts; ++k) {
      workers_[k].reserve(rows);
      if (k == 0) continue;
      workers_[k].own_grads.resize(param_count);
      workers_[k].own_non_trainable.resize(non_trainable_count);
    }
  }

  // Sizes the gathered batch and the workers for batches of up to `batch` rows; reallocates only
  // when it grows.
  void reserve(std::size_t batch) {
    const std::size_t parts = workers_for(batch);
    ready_workers(1, batch);  // worker 0 also runs whole batches alone (compute_gradients, small batches)
    ready_workers(parts, (batch + parts - 1) / parts);
    if (batch <= capacity_) return;
    capacity_ = batch;
    // The gathered batch holds samples, or rows of the fixed prefix's output in fit.
    constexpr std::size_t batch_row = std::max(input_size, row_size<fixed_prefix>());
    gathered_.assign(batch * (batch_row + output_size + 1), 0.0f);
    batch_input_ = gathered_.data();
    batch_targets_ = batch_input_ + batch * batch_row;
    batch_weights_ = batch_targets_ + batch * output_size;
  }

  // Calls f(k, begin, end) for the slices [begin, end) of `rows` rows that workers k run, at once
  // when there is more than one; returns the number of workers.
  template <class F>
  std::size_t split_rows(std::size_t rows, F&& f) {
    const std::size_t parts = workers_for(rows);
    ready_workers(parts, (rows + parts - 1) / parts);
    if (parts == 1) {
      f(std::size_t{0}, std::size_t{0}, rows);
      return 1;
    }
    detail::SingleThreadedGemm one_thread_per_gemm;
    parallel_for(parts, 1, [&](std::size_t k0, std::size_t k1) {
      for (std::size_t k = k0; k < k1; ++k) f(k, rows * k / parts, rows * (k + 1) / parts);
    });
    return parts;
  }

  // Runs layers [First, End) on worker k's `batch` rows at x (inputs of layer First); returns
  // their output rows.
  template <std::size_t First = 0, std::size_t End = layer_count>
  const float* forward(std::size_t k, const float* x, std::size_t batch, bool training);

  // Back-propagates worker k's delta[layer_count] (set by the loss) through layers
  // [First, layer_count) and leaves the gradients in grads_of(k) (layers before First have none:
  // see fixed_prefix).
  template <std::size_t First = 0>
  void backward(std::size_t k, std::size_t batch, bool preactivation);

  using BatchResult = detail::BatchScore;

  // Loss and accuracy of worker k's output rows; with `gradient`, also dLoss/doutput into its
  // delta, for a loss averaged over `batch_rows` rows (the whole batch the slice belongs to).
  BatchResult score(std::size_t k, const float* output, const float* targets, std::size_t width,
                    const float* weights, std::size_t rows, bool gradient, std::size_t batch_rows,
                    bool* preactivation = nullptr) {
    return detail::score_rows(loss_, output_activation(), output, output_size, targets, width, weights, rows,
                              gradient ? workers_[k].delta[layer_count] : nullptr, batch_rows, preactivation);
  }

  // Forward and backward over `batch` rows in training mode, split across the workers; leaves
  // dLoss/dparameters, averaged over the batch, in grads_. Without `sum_gradients`, worker k's
  // share stays in grads_of(k) for apply_worker_gradients to sum as it steps.
  template <std::size_t First = 0>
  BatchResult forward_backward(const float* x, const float* targets, std::size_t width, const float* weights,
                               std::size_t batch, bool sum_gradients = true);

  // The optimizer's step on the gradient that forward_backward(..., sum_gradients = false) left
  // in the shares of the workers of a `batch`-row batch.
  void apply_worker_gradients(std::size_t batch);

  // Adds the gradients of workers [first, parts) into `sum`.
  void add_worker_gradients(std::size_t first, std::size_t parts, float* sum);

  // Averages the workers' moving statistics into non_trainable_.
  void average_worker_statistics(std::size_t parts);

  // Targets of a batch given as the user's y, checked and written to the batch buffer.
  const float* batch_targets_from(const Labels& y, std::size_t batch, const char* where) {
    detail::fill_targets(loss_, y, batch, output_size, where, batch_targets_);
    return batch_targets_;
  }

  // Loss and accuracy over rows [begin, end) of x (inputs of layer First), in inference mode;
  // each process of the team scores its share of the rows and the sums are combined.
  template <std::size_t First = 0, class Team = Solo>
  Evaluation evaluate_rows(const float* x, const Targets& targets, std::size_t begin, std::size_t end,
                           std::size_t batch_size, const Team& team = {});

  // The fixed prefix's output for `rows` samples at x, computed once, a batch of the arena's size
  // at a time (reserve first).
  std::vector<float> fixed_prefix_output(const float* x, std::size_t rows);

  std::vector<float> params_, grads_, non_trainable_;
  OptimizerState optimizer_;
  Loss loss_;
  bool compiled_ = false;
  detail::Rng dropout_rng_, shuffle_rng_;
  History history_;

  std::size_t capacity_ = 0;
  std::vector<float> gathered_;  // the batch fit gathers: inputs, targets, sample weights
  float* batch_input_ = nullptr;
  float* batch_targets_ = nullptr;
  float* batch_weights_ = nullptr;
  std::vector<Worker> workers_;
};

}  // namespace typenet

#include "typenet/model_passes.hpp"
#include "typenet/model_fit.hpp"
#include "typenet/model_save.hpp"
