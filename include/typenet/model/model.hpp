#pragma once
// Model<Net>: a typed network with its weights and the Keras workflow around it: compile, fit,
// evaluate, predict, summary, save and load.
//
// Who does what. Engine<Net> (model/engine.hpp) runs the network over a batch: forward, loss,
// backward, the optimizer's step, and the one inference loop. The non-template rest lives in
// model/fit_support.hpp (checking and preparing the data, shuffling, FitLog: progress bar,
// History, callbacks) and io/model_file.hpp (saved files); both are compiled once. What is left
// here is what a reader wants to see: fit's loop, one training step in five lines.
#include "typenet/model/fit_support.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "typenet/detail/float_xtensor.hpp"
#include "typenet/detail/parallel.hpp"
#include "typenet/detail/random.hpp"
#include "typenet/detail/score.hpp"
#include "typenet/io/file_path.hpp"
#include "typenet/io/model_file.hpp"
#include "typenet/io/network_description.hpp"
#include "typenet/model/array_ref.hpp"
#include "typenet/model/engine.hpp"
#include "typenet/model/fit_options.hpp"
#include "typenet/model/layer_weights.hpp"
#include "typenet/model/summary.hpp"
#include "typenet/model/targets.hpp"
#include "typenet/model/team.hpp"
#include "typenet/network/sequential.hpp"
#include "typenet/training/callbacks.hpp"
#include "typenet/training/history.hpp"
#include "typenet/training/losses.hpp"
#include "typenet/training/optimizers.hpp"

namespace typenet {

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
  using Engine = typenet::Engine<Net>;

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
  static constexpr std::size_t fixed_prefix = Engine::fixed_prefix;

  explicit Model(std::uint64_t seed = 0) : engine_(seed), dropout_rng_(seed ^ 0xd50f), shuffle_rng_(seed ^ 0x5aff1e) {}

  Model(Model&&) noexcept = default;
  Model& operator=(Model&&) noexcept = default;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // Sets the optimizer, the loss and the metrics fit and evaluate report (metrics/metric.hpp;
  // without a list, "accuracy" for the classification losses and none for MeanSquaredError).
  // A loss or optimizer of the user's own is passed the same way (LossFunction, OptimizerRule).
  // Called again, it starts the optimizer afresh: its moments and its iteration count go back to
  // zero (the weights stay).
  void compile(Optimizer optimizer, Loss loss) { compiled_.compile(std::move(optimizer), loss, param_count); }
  void compile(Optimizer optimizer, Loss loss, std::vector<Metric> metrics) {
    compiled_.compile(std::move(optimizer), loss, std::move(metrics), param_count);
  }
  // The metrics compile set, by the names the logs give them.
  const std::vector<Metric>& metrics() const { return compiled_.metrics.metrics(); }

  // With a team (typenet/distributed.hpp), each process trains and scores its share of every
  // batch and the processes combine their gradients and figures; alone by default.
  template <class Team = Solo>
  History fit(Features x, Labels y, const FitOptions& options = {}, const Team& team = {});
  template <class Team = Solo>
  Evaluation evaluate(Features x, Labels y, std::size_t batch_size = 256, const Team& team = {});
  // An xt::xtensor<float, 2>, one row per sample. typenet.hpp declares xtensor's containers
  // without parsing them (detail/float_xtensor.hpp): a program that calls predict includes
  // <xtensor/xtensor.hpp> (typenet/data.hpp does).
  auto predict(Features x, std::size_t batch_size = 256);
  // The fixed prefix's output for x, one row per sample (a HOG network's HOG features): what the
  // layers after the prefix take, and what an ONNX export of them (onnx::after_fixed_prefix) takes.
  auto predict_fixed_prefix(Features x, std::size_t batch_size = 256);

  // One step of gradient descent on (x, y) as one batch; returns the batch loss.
  double train_on_batch(Features x, Labels y) {
    const double loss = compute_gradients(x, y);
    apply_gradients();
    return loss;
  }

  // Forward and backward on (x, y) in training mode, leaving dLoss/dparameters in gradients()
  // without updating anything; returns the batch loss. (Gradient checks; summing gradients
  // across processes before apply_gradients.)
  double compute_gradients(Features x, Labels y);
  void apply_gradients() { compiled_.optimizer.apply(engine_.params.data(), engine_.grads.data(), param_count); }

  // Restarts the dropout masks' random stream, so that two passes can see the same masks.
  void seed_dropout(std::uint64_t seed) { dropout_rng_.reseed(seed); }

  void summary(std::ostream& os = std::cout) const { print_summary<Net>(os); }

  std::span<float> parameters() { return engine_.params; }
  std::span<const float> parameters() const { return engine_.params; }
  // After fit, the last batch's gradient as worker 0 computed it (its share of a split batch);
  // compute_gradients leaves the whole batch's.
  std::span<const float> gradients() const { return engine_.grads; }
  // What layers keep but the optimizer does not update: BatchNormalization's moving statistics.
  std::span<float> non_trainable_parameters() { return engine_.non_trainable; }
  std::span<const float> non_trainable_parameters() const { return engine_.non_trainable; }
  template <std::size_t I>
  std::span<float> layer_parameters() {
    return std::span<float>(engine_.params).subspan(Net::param_offset[I], Net::template layer<I>::param_count);
  }
  // Layer I's weights, typed, in Keras's shapes (model/layer_weights.hpp): get_weights(),
  // set_weights(arrays...), weight<K>() (a view into the model's buffers).
  template <std::size_t I>
  LayerWeights<Net, I> layer() {
    static_assert(I < layer_count, "typenet: Model::layer<I> needs I < layer_count (Input is layer 0)");
    return {engine_.params.data() + Net::param_offset[I], engine_.non_trainable.data() + Net::non_trainable_offset[I]};
  }
  // Keras's model.get_weights() / set_weights(): every layer's arrays in order, each with its
  // layer, name and shape; set_weights checks the count and every shape before writing any.
  std::vector<Weights> get_weights() const {
    return detail::gather_weights(detail::weight_entries<Net>(), engine_.params, engine_.non_trainable);
  }
  void set_weights(std::span<const Weights> weights) {
    detail::scatter_weights(detail::weight_entries<Net>(), weights, engine_.params, engine_.non_trainable);
  }

  // The optimizer as compile() set it: learning_rate(), set_learning_rate() (Keras's
  // model.optimizer.learning_rate), its step count and moments.
  const OptimizerState& optimizer() const { return compiled_.optimizer; }
  OptimizerState& optimizer() { return compiled_.optimizer; }

  // Every epoch this model was trained for, across fit calls and across save and load
  // (each fit returns the History of its own epochs only, as Keras does).
  const History& history() const { return history_; }

  // Saved model files (io/saved_model.hpp has their contents): the weights, the compile()
  // settings, the optimizer's moments, the History and the random streams, so that fit on a
  // loaded model continues the run as if it had never stopped. load refuses a file saved from
  // another network, showing both architectures.
  void save(const FilePath& path) const {
    io::save_model_file(path, io::describe_network<Net>(), engine_.params, engine_.non_trainable,
                        compiled_.done ? &compiled_.optimizer : nullptr, compiled_.loss, compiled_.metrics.metrics(),
                        history_, dropout_rng_, shuffle_rng_);
  }
  // The weights alone (Keras's save_weights): a model file without the optimizer's state or the
  // History, which load_weights (or load, as an uncompiled model) reads.
  void save_weights(const FilePath& path) const {
    io::save_model_file(path, io::describe_network<Net>(), engine_.params, engine_.non_trainable, nullptr,
                        compiled_.loss, {}, History{}, dropout_rng_, shuffle_rng_);
  }
  // A model compiled with a loss or optimizer of the user's own needs it back by name, as
  // Keras's custom_objects: `load(path, {.losses = {Huber{}}})` (io/custom_objects.hpp).
  static Model load(const FilePath& path, const CustomObjects& custom = {});
  // Only the weights, from a file saved from the same network; the rest of the model is kept.
  void load_weights(const FilePath& path) {
    const io::SavedWeights saved = io::load_weights_file(path, io::describe_network<Net>());
    std::copy(saved.trainable.begin(), saved.trainable.end(), engine_.params.begin());
    std::copy(saved.non_trainable.begin(), saved.non_trainable.end(), engine_.non_trainable.begin());
  }
  // The architecture alone, as Keras's model.to_json() writes it; export_json indents it, to be
  // read and diffed (Keras's model_from_json reads either).
  std::string to_json() const { return io::keras_model_json_text(io::describe_network<Net>()); }
  void export_json(const FilePath& path) const { io::export_keras_model_json(path, io::describe_network<Net>()); }

 private:
  // A row of the fixed prefix's output, what the layers after it take per sample (the sample
  // itself when there is no prefix): what fit trains on and predict_fixed_prefix returns.
  static constexpr std::size_t fixed_prefix_width = Engine::template row_size<fixed_prefix>();

  void require_compiled(const char* where) const {
    if (!compiled_.done) throw std::logic_error(std::string(where) + ": call compile(optimizer, loss) first");
  }

  // Sizes the engine's workers and the gathered batch for batches of up to `rows` rows: a loop
  // that calls it first allocates nothing.
  void reserve(std::size_t rows) {
    engine_.reserve(rows);
    // The gathered batch holds samples, or rows of the fixed prefix's output in fit.
    constexpr std::size_t row = std::max(input_size, fixed_prefix_width);
    const std::size_t needed = rows * (row + output_size + 1);
    if (gathered_.size() < needed) gathered_.assign(needed, 0.0f);
  }

  // The next batch: the rows `samples` of the training rows, gathered side by side with their
  // targets and weights, on typenet's threads.
  Batch gather(const std::size_t* samples, std::size_t rows, const float* x_rows, const detail::FitData& data) {
    constexpr std::size_t row = fixed_prefix_width;
    const std::size_t width = data.targets.width;
    float* inputs = gathered_.data();
    float* targets = inputs + rows * row;
    float* weights = targets + rows * width;
    detail::parallel_for(rows, 32, [&](std::size_t begin, std::size_t end) {
      for (std::size_t j = begin; j < end; ++j) {
        std::memcpy(inputs + j * row, x_rows + samples[j] * row, row * sizeof(float));
        std::memcpy(targets + j * width, data.targets.row(samples[j]), width * sizeof(float));
        if (!data.weights.empty()) weights[j] = data.weights[samples[j]];
      }
    });
    return {inputs, targets, width, data.weights.empty() ? nullptr : weights, rows};
  }

  // Forward, loss and backward on a training batch. Each worker's gradient is written, not added
  // to, so there is nothing to zero first; with `optimizer_sums` the workers' shares are left for
  // update() to sum as it steps.
  detail::BatchScore forward_backward(const Batch& batch, bool optimizer_sums) {
    if (batch.rows == 0) {  // a last batch smaller than a team: this process has no share
      const auto state_size = static_cast<std::ptrdiff_t>(compiled_.metrics.state_size());
      std::fill(compiled_.metric_states.begin(), compiled_.metric_states.begin() + state_size, 0.0);
      return {};
    }
    return engine_.template forward_backward<fixed_prefix>(batch, compiled_.loss, dropout_rng_, !optimizer_sums,
                                                           &compiled_.metrics, compiled_.metric_states.data());
  }

  // The optimizer's step after forward_backward on this process's `rows` of a batch of
  // `batch_rows`: alone, straight from the workers' shares; in a team, on the gradient averaged
  // over every process's rows.
  template <class Team>
  void update(const Team& team, std::size_t rows, std::size_t batch_rows, bool optimizer_sums) {
    if (optimizer_sums) return engine_.step(compiled_.optimizer, rows);
    if (rows == 0) std::fill(engine_.grads.begin(), engine_.grads.end(), 0.0f);  // adds nothing to the sum
    team.average_gradients(engine_.grads, rows, batch_rows);
    apply_gradients();
  }

  // Loss, accuracy and metrics over rows [begin, end) of x (inputs of layer First), in inference
  // mode; each process of the team scores its share of the rows and the sums are combined.
  template <std::size_t First = 0, class Team = Solo>
  Evaluation evaluate_rows(const float* x, const Targets& targets, std::size_t begin, std::size_t end,
                           std::size_t batch_size, const Team& team = {}) {
    const auto [first, last] = team.share(begin, end);
    std::array<detail::BatchScore, detail::max_threads> per_worker{};
    detail::BatchScore total;
    const std::size_t state_size = compiled_.metrics.state_size();
    std::fill(compiled_.metric_states.begin(), compiled_.metric_states.end(), 0.0);
    engine_.template infer<First, layer_count>(
        x + first * Engine::template row_size<First>(), last - first, batch_size,
        [&](std::size_t k, std::size_t row0, std::size_t rows, const float* output) {
          const float* t = targets.row(first + row0);
          per_worker[k] = detail::score_rows(compiled_.loss, Engine::output_activation(), output, output_size, t,
                                             targets.width, nullptr, rows);
          compiled_.metrics.accumulate(compiled_.loss, compiled_.metric_states.data() + k * state_size, output,
                                       output_size, t, targets.width, rows);
        },
        [&] {
          for (auto& score : per_worker) total += std::exchange(score, {});
        });
    std::vector<double> sums = detail::evaluation_sums(compiled_.metrics, compiled_.metric_states, total);
    team.sum(sums);
    return detail::evaluation_from_sums(compiled_.metrics, sums, static_cast<double>(end - begin));
  }

  // Writes the fixed prefix's output rows for `rows` samples at x to `out` (fit's, once per data
  // set, and predict_fixed_prefix's).
  void fixed_prefix_output(const float* x, std::size_t rows, std::size_t batch_size, float* out) {
    engine_.template infer<0, fixed_prefix>(
        x, rows, batch_size, [&](std::size_t, std::size_t row0, std::size_t n, const float* output) {
          std::copy(output, output + n * fixed_prefix_width, out + row0 * fixed_prefix_width);
        });
  }

  Engine engine_;
  detail::Compiled compiled_;  // what compile() set: optimizer, loss, metrics
  detail::Rng dropout_rng_, shuffle_rng_;
  History history_;
  std::vector<float> gathered_;  // the batch fit gathers: inputs, targets, sample weights
};

template <class Spec>
template <class Team>
History Model<Spec>::fit(Features x, Labels y, const FitOptions& options, const Team& team) {
  require_compiled("fit");
  const detail::FitData data = detail::prepare_fit(compiled_.loss, x, y, options, input_shape::dims, output_size);
  const std::size_t batch_size = data.batch_size;
  // Validation runs in inference mode and can take larger batches; reserving for both now keeps
  // the end of the first epoch from growing anything.
  const std::size_t val_batch = std::max<std::size_t>(batch_size, 256);
  reserve(data.val_x ? std::max(batch_size, std::min(val_batch, data.val_end - data.val_begin)) : batch_size);

  // The fixed prefix (say, HOG features) runs once over every sample here, not every epoch; the
  // epochs train the layers after it on its output rows.
  const float* x_rows = x.data;
  const float* val_rows = data.val_x;
  std::vector<float> x_fixed, val_fixed;
  if constexpr (fixed_prefix > 0) {
    x_fixed.resize(x.shape.rows() * fixed_prefix_width);
    fixed_prefix_output(x.data, x.shape.rows(), batch_size, x_fixed.data());
    x_rows = x_fixed.data();
    if (data.validation_given) {
      val_fixed.resize(data.val_end * fixed_prefix_width);
      fixed_prefix_output(data.val_x, data.val_end, val_batch, val_fixed.data());
      val_rows = val_fixed.data();
    } else if (data.val_x) {
      val_rows = x_rows;
    }
  }

  team.share_stream(shuffle_rng_);  // processes sharing a batch shuffle alike...
  team.split_stream(dropout_rng_);  // ...but must not share dropout masks
  // Alone, the optimizer sums the workers' gradient shares as it steps; a team first sums them
  // to average across its processes.
  const bool optimizer_sums = !detail::averages_gradients(team);

  const std::size_t steps = (data.train_rows + batch_size - 1) / batch_size;
  TrainingState state{engine_.params, engine_.non_trainable, false, &compiled_.optimizer};
  detail::FitLog log(options, steps, state, history_, compiled_.metrics);
  std::vector<std::size_t> order(data.train_rows);
  log.train_begin();
  for (std::size_t epoch = 0; epoch < options.epochs && !log.stop_training(); ++epoch) {
    log.epoch_begin(epoch);
    detail::shuffle_order(order, shuffle_rng_, options.shuffle);
    for (std::size_t step = 0; step < steps && !log.stop_training(); ++step) {
      // Every process draws the same batch and trains on its share of it (alone: all of it).
      const std::size_t start = step * batch_size, rows = std::min(batch_size, data.train_rows - start);
      const auto [first, last] = team.share(0, rows);
      const Batch batch = gather(order.data() + start + first, last - first, x_rows, data);  // the next batch
      const detail::BatchScore score = forward_backward(batch, optimizer_sums);             // forward, loss, backward
      update(team, batch.rows, rows, optimizer_sums);                                       // the optimizer's step
      log.batch_end(step, score, batch.rows, compiled_.metric_states.data());               // progress, callbacks
      team.sum(log.stop_votes());  // a team stops at the same batch...
    }
    std::vector<double> sums = log.epoch_sums();
    team.sum(sums);  // the epoch's figures are over every process's rows
    std::optional<Evaluation> validation;
    if (data.val_x)
      validation = evaluate_rows<fixed_prefix>(val_rows, data.val_targets(), data.val_begin, data.val_end, val_batch, team);
    log.epoch_end(epoch, sums, validation);
    team.sum(log.stop_votes());  // ...and at the same epoch
  }
  log.train_end();
  return log.history();
}

template <class Spec>
template <class Team>
Evaluation Model<Spec>::evaluate(Features x, Labels y, std::size_t batch_size, const Team& team) {
  require_compiled("evaluate");
  detail::check_features(x, input_shape::dims, "evaluate");
  if (batch_size == 0) throw std::invalid_argument("evaluate: batch_size must be > 0");
  const Targets targets = detail::prepare_targets(compiled_.loss, y, x.shape.rows(), output_size, "evaluate");
  return evaluate_rows(x.data, targets, 0, x.shape.rows(), batch_size, team);
}

template <class Spec>
auto Model<Spec>::predict(Features x, std::size_t batch_size) {
  detail::check_features(x, input_shape::dims, "predict");
  if (batch_size == 0) throw std::invalid_argument("predict: batch_size must be > 0");
  auto result = detail::make_float_xtensor<2, Spec>({x.shape.rows(), output_size});
  engine_.template infer<0, layer_count>(x.data, x.shape.rows(), batch_size,
                                         [&](std::size_t, std::size_t row0, std::size_t rows, const float* output) {
                                           std::copy(output, output + rows * output_size, result.data() + row0 * output_size);
                                         });
  return result;
}

template <class Spec>
auto Model<Spec>::predict_fixed_prefix(Features x, std::size_t batch_size) {
  static_assert(fixed_prefix > 0, "typenet: predict_fixed_prefix needs a network with a fixed prefix (a Hog layer at its start)");
  detail::check_features(x, input_shape::dims, "predict_fixed_prefix");
  if (batch_size == 0) throw std::invalid_argument("predict_fixed_prefix: batch_size must be > 0");
  auto result = detail::make_float_xtensor<2, Spec>({x.shape.rows(), fixed_prefix_width});
  fixed_prefix_output(x.data, x.shape.rows(), batch_size, result.data());
  return result;
}

template <class Spec>
double Model<Spec>::compute_gradients(Features x, Labels y) {
  require_compiled("compute_gradients");
  detail::check_features(x, input_shape::dims, "compute_gradients");
  const std::size_t rows = x.shape.rows();
  reserve(rows);
  float* targets = gathered_.data();
  detail::fill_targets(compiled_.loss, y, rows, output_size, "compute_gradients", targets);
  const Batch batch{x.data, targets, detail::target_width(compiled_.loss, output_size), nullptr, rows};
  return engine_.forward_backward(batch, compiled_.loss, dropout_rng_).loss_sum / static_cast<double>(rows);
}

template <class Spec>
Model<Spec> Model<Spec>::load(const FilePath& path, const CustomObjects& custom) {
  io::SavedModel saved = io::load_model_file(path, io::describe_network<Net>(), custom);
  Model model;
  std::copy(saved.weights.trainable.begin(), saved.weights.trainable.end(), model.engine_.params.begin());
  std::copy(saved.weights.non_trainable.begin(), saved.weights.non_trainable.end(),
            model.engine_.non_trainable.begin());
  if (saved.optimizer) {
    model.compiled_.optimizer = std::move(*saved.optimizer);
    model.compiled_.loss = saved.loss;
    model.compiled_.set_metrics(std::move(saved.metrics));
    model.compiled_.done = true;
  }
  model.history_ = std::move(saved.history);
  model.dropout_rng_.set_state(saved.dropout_rng);
  model.shuffle_rng_.set_state(saved.shuffle_rng);
  return model;
}

}  // namespace typenet
