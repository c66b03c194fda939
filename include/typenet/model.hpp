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
#include "typenet/detail/random.hpp"
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

  // Sizes the arena for batches of up to `batch` samples; reallocates only when it grows.
  void reserve(std::size_t batch) {
    if (batch <= capacity_) return;
    capacity_ = batch;
    // The gathered batch holds samples, or rows of the fixed prefix's output in fit.
    constexpr std::size_t batch_row = std::max(input_size, row_size<fixed_prefix>());
    std::size_t total = batch * (input_size + batch_row + output_size + 1 + Net::scratch_offset.back());
    Net::for_each_layer([&]<std::size_t I>() {
      if constexpr (!layer<I>::aliases_input) total += 2 * batch * layer<I>::output_shape::size;
    });
    arena_.assign(total, 0.0f);
    float* next = arena_.data();
    auto take = [&](std::size_t n) { return std::exchange(next, next + n); };
    batch_input_ = take(batch * batch_row);
    batch_targets_ = take(batch * output_size);
    batch_weights_ = take(batch);
    scratch_ = take(batch * Net::scratch_offset.back());
    delta_[0] = take(batch * input_size);
    Net::for_each_layer([&]<std::size_t I>() {
      if constexpr (layer<I>::aliases_input) {
        own_output_[I] = nullptr;
        delta_[I + 1] = delta_[I];
      } else {
        own_output_[I] = take(batch * layer<I>::output_shape::size);
        delta_[I + 1] = take(batch * layer<I>::output_shape::size);
      }
    });
  }

  // Runs layers [First, End) on `batch` rows at x (inputs of layer First); returns their output rows.
  template <std::size_t First = 0, std::size_t End = layer_count>
  const float* forward(const float* x, std::size_t batch, bool training) {
    const float* in = x;
    Net::for_each_layer([&]<std::size_t I>() {
      if constexpr (I < First || I >= End) return;
      using L = layer<I>;
      float* out = L::aliases_input ? const_cast<float*>(in) : own_output_[I];  // views never write
      inputs_[I] = in;
      outputs_[I] = out;
      ForwardPass pass{params_.data() + Net::param_offset[I], in, out,
                       scratch_ + capacity_ * Net::scratch_offset[I], batch, training, &dropout_rng_,
                       non_trainable_.data() + Net::non_trainable_offset[I]};
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

  // Back-propagates delta_[layer_count] (set by the loss) through layers [First, layer_count) and
  // leaves the gradients in grads_ (layers before First have none: see fixed_prefix).
  template <std::size_t First = 0>
  void backward(std::size_t batch, bool preactivation) {
    Net::for_each_layer_reversed([&]<std::size_t I>() {
      if constexpr (I < First) return;
      using L = layer<I>;
      BackwardPass pass{params_.data() + Net::param_offset[I], grads_.data() + Net::param_offset[I], inputs_[I],
                        outputs_[I], delta_[I + 1], needs_input_gradient[I] ? delta_[I] : nullptr,
                        scratch_ + capacity_ * Net::scratch_offset[I], batch,
                        preactivation && I == layer_count - 1};
      // The fused pooling after this layer already routed dLoss/d(pre-activation) (layer.hpp).
      if constexpr (fused_with_next[I]) pass.dout_is_preactivation = true;
      if constexpr (I > First) {
        if constexpr (fused_with_next[I - 1]) pass.rectified = true;
      }
      L::backward(pass);
    });
  }

  struct BatchResult {
    double loss_sum = 0.0;  // sum of weighted per-sample losses
    std::size_t correct = 0;
  };

  // Loss and accuracy of the output rows; with `gradient`, also dLoss/doutput into delta.
  BatchResult score(const float* output, const float* targets, std::size_t width, const float* weights,
                    std::size_t batch, bool gradient, bool* preactivation = nullptr) {
    return std::visit(
        [&](const auto& loss) {
          using L = std::remove_cvref_t<decltype(loss)>;
          const bool fused = fuses_with<L>(output_activation());
          if (preactivation) *preactivation = fused;
          BatchResult r;
          const detail::BatchScale scale{weights, 1.0f / static_cast<float>(batch)};
          for (std::size_t i = 0; i < batch; ++i) {
            const float* p = output + i * output_size;
            const float* t = targets + i * width;
            r.loss_sum += (weights ? weights[i] : 1.0f) * L::sample_loss(p, t, output_size);
            r.correct += L::correct(p, t, output_size);
            if (gradient) L::gradient(p, t, delta_[layer_count] + i * output_size, output_size, scale(i), fused);
          }
          return r;
        },
        loss_);
  }

  template <std::size_t First = 0>
  BatchResult forward_backward(const float* x, const float* targets, std::size_t width, const float* weights,
                               std::size_t batch) {
    const float* output = forward<First>(x, batch, /*training=*/true);
    bool preactivation = false;
    BatchResult r = score(output, targets, width, weights, batch, /*gradient=*/true, &preactivation);
    backward<First>(batch, preactivation);
    return r;
  }

  // Targets of a batch given as the user's y, checked and written to the batch buffer.
  const float* batch_targets_from(const Labels& y, std::size_t batch, const char* where) {
    detail::fill_targets(loss_, y, batch, output_size, where, batch_targets_);
    return batch_targets_;
  }

  // Loss and accuracy over rows [begin, end) of x (inputs of layer First), in inference mode;
  // each process of the team scores its share of the rows and the sums are combined.
  template <std::size_t First = 0, class Team = Solo>
  Evaluation evaluate_rows(const float* x, const Targets& targets, std::size_t begin, std::size_t end,
                           std::size_t batch_size, const Team& team = {}) {
    const auto [first, last] = team.share(begin, end);
    reserve(std::min(batch_size, last - first));
    BatchResult total;
    for (std::size_t start = first; start < last; start += batch_size) {
      const std::size_t batch = std::min(batch_size, last - start);
      const float* output = forward<First>(x + start * row_size<First>(), batch, /*training=*/false);
      BatchResult r = score(output, targets.row(start), targets.width, nullptr, batch, /*gradient=*/false);
      total.loss_sum += r.loss_sum;
      total.correct += r.correct;
    }
    double sums[] = {total.loss_sum, static_cast<double>(total.correct)};
    team.sum(sums);
    const double n = static_cast<double>(end - begin);
    return {sums[0] / n, sums[1] / n};
  }

  // The fixed prefix's output for `rows` samples at x, computed once, a batch of the arena's size
  // at a time (reserve first).
  std::vector<float> fixed_prefix_output(const float* x, std::size_t rows) {
    constexpr std::size_t width = row_size<fixed_prefix>();
    std::vector<float> rows_out(rows * width);
    for (std::size_t start = 0; start < rows; start += capacity_) {
      const std::size_t batch = std::min(capacity_, rows - start);
      const float* out = forward<0, fixed_prefix>(x + start * input_size, batch, /*training=*/false);
      std::copy(out, out + batch * width, rows_out.data() + start * width);
    }
    return rows_out;
  }

  std::vector<float> sample_weights(const Targets& targets, const std::vector<double>& class_weight) const;

  std::vector<float> params_, grads_, non_trainable_;
  OptimizerState optimizer_;
  Loss loss_;
  bool compiled_ = false;
  detail::Rng dropout_rng_, shuffle_rng_;
  History history_;

  std::size_t capacity_ = 0;
  std::vector<float> arena_;
  float* batch_input_ = nullptr;
  float* batch_targets_ = nullptr;
  float* batch_weights_ = nullptr;
  float* scratch_ = nullptr;
  std::array<float*, layer_count> own_output_{};
  std::array<float*, layer_count + 1> delta_{};
  std::array<const float*, layer_count> inputs_{};
  std::array<float*, layer_count> outputs_{};
};

}  // namespace typenet

#include "typenet/model_fit.hpp"
#include "typenet/model_save.hpp"
