#pragma once
// The training and inference loops of Model<Net> (declared in model.hpp).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <span>
#include <utility>

#include "typenet/detail/fit_loop.hpp"

namespace typenet {

template <class Spec>
template <class Team>
History Model<Spec>::fit(Features x, Labels y, const FitOptions& options, const Team& team) {
  require_compiled("fit");
  detail::check_features(x, input_shape::dims, "fit");
  if (options.batch_size == 0) throw std::invalid_argument("fit: batch_size must be > 0");
  if (options.validation_split < 0.0 || options.validation_split >= 1.0)
    throw std::invalid_argument("fit: validation_split must be in [0, 1), got " + std::to_string(options.validation_split));

  const std::size_t samples = x.shape.rows();
  const Targets targets = detail::prepare_targets(loss_, y, samples, output_size, "fit");

  // Validation rows: given, or the last fraction of x (Keras splits before shuffling).
  std::size_t train_end = samples;
  const float* val_x = nullptr;
  Targets val_targets_given;
  const Targets* val_targets = nullptr;
  std::size_t val_begin = 0, val_end = 0;
  if (options.validation_data) {
    const auto& v = *options.validation_data;
    detail::check_features(v.x, input_shape::dims, "fit (validation_data)");
    val_targets_given = detail::prepare_targets(loss_, v.y, v.x.shape.rows(), output_size, "fit (validation_data)");
    val_x = v.x.data;
    val_targets = &val_targets_given;
    val_end = v.x.shape.rows();
  } else if (options.validation_split > 0.0) {
    train_end = static_cast<std::size_t>(std::floor(static_cast<double>(samples) * (1.0 - options.validation_split)));
    if (train_end == 0 || train_end == samples)
      throw std::invalid_argument("fit: validation_split " + std::to_string(options.validation_split) + " of " +
                                  std::to_string(samples) + " samples leaves an empty training or validation set");
    val_x = x.data;
    val_targets = &targets;
    val_begin = train_end;
    val_end = samples;
  }

  const std::vector<float> weights = detail::class_sample_weights(loss_, targets, options.class_weight);
  const std::size_t batch_size = std::min(options.batch_size, train_end);
  // Validation runs in inference mode, so it can take larger batches; reserving for both now keeps
  // the end of the first epoch from growing the workspace.
  const std::size_t val_batch = std::max<std::size_t>(batch_size, 256);
  reserve(val_x ? std::max(batch_size, std::min(val_batch, val_end - val_begin)) : batch_size);
  // The fixed prefix (say, HOG features) runs once over every sample here, not every epoch; the
  // epochs train the layers after it on its output rows.
  constexpr std::size_t row = row_size<fixed_prefix>();
  std::vector<float> x_fixed, val_fixed;
  const float* x_rows = x.data;
  if constexpr (fixed_prefix > 0) {
    x_fixed = fixed_prefix_output(x.data, samples);
    x_rows = x_fixed.data();
    if (options.validation_data) {
      val_fixed = fixed_prefix_output(val_x, val_end);
      val_x = val_fixed.data();
    } else if (val_x) {
      val_x = x_rows;
    }
  }
  const std::size_t width = targets.width;
  team.share_stream(shuffle_rng_);  // processes sharing a batch shuffle alike...
  team.split_stream(dropout_rng_);  // ...but must not share dropout masks

  // One step on the batch of samples [samples, samples + batch): every process shuffled alike, and
  // each trains on its share of the batch (alone: all of it).
  auto train_step = [&](const std::size_t* samples, std::size_t batch) {
    const auto [first, last] = team.share(0, batch);
    const std::size_t rows = last - first;
    parallel_for(rows, 32, [&](std::size_t begin, std::size_t end) {
      for (std::size_t j = begin; j < end; ++j) {
        const std::size_t sample = samples[first + j];
        std::memcpy(batch_input_ + j * row, x_rows + sample * row, row * sizeof(float));
        std::memcpy(batch_targets_ + j * width, targets.row(sample), width * sizeof(float));
        if (!weights.empty()) batch_weights_[j] = weights[sample];
      }
    });
    // Alone, the optimizer sums the workers' gradient shares as it steps; a team first sums
    // them to average across its processes.
    const bool optimizer_sums = rows > 0 && !detail::averages_gradients(team);
    BatchResult r;
    if (rows > 0)
      r = forward_backward<fixed_prefix>(batch_input_, batch_targets_, width, weights.empty() ? nullptr : batch_weights_,
                                         rows, /*sum_gradients=*/!optimizer_sums);
    else  // a last batch smaller than the team: this process adds nothing to the sum
      std::fill(grads_.begin(), grads_.end(), 0.0f);
    if (optimizer_sums) {
      apply_worker_gradients(rows);
    } else {
      team.average_gradients(grads_, rows, batch);
      apply_gradients();
    }
    return std::pair{r, rows};
  };
  auto validate = [&] {
    const Evaluation v = evaluate_rows<fixed_prefix>(val_x, *val_targets, val_begin, val_end, val_batch, team);
    return std::pair{v.loss, v.accuracy};
  };
  auto team_sum = [&](std::span<double> values) { team.sum(values); };
  const detail::EpochLoop loop{options.epochs, batch_size, train_end, options.verbose, options.shuffle, options.out,
                               options.verbose == 1 && options.out == &std::cout && stdout_is_terminal(),
                               val_x != nullptr, &options.on_epoch_end};
  return detail::run_epochs(loop, shuffle_rng_, train_step, team_sum, validate, history_);
}

template <class Spec>
template <class Team>
Evaluation Model<Spec>::evaluate(Features x, Labels y, std::size_t batch_size, const Team& team) {
  require_compiled("evaluate");
  detail::check_features(x, input_shape::dims, "evaluate");
  if (batch_size == 0) throw std::invalid_argument("evaluate: batch_size must be > 0");
  const Targets targets = detail::prepare_targets(loss_, y, x.shape.rows(), output_size, "evaluate");
  return evaluate_rows(x.data, targets, 0, x.shape.rows(), batch_size, team);
}

template <class Spec>
xt::xtensor<float, 2> Model<Spec>::predict(Features x, std::size_t batch_size) {
  detail::check_features(x, input_shape::dims, "predict");
  if (batch_size == 0) throw std::invalid_argument("predict: batch_size must be > 0");
  const std::size_t samples = x.shape.rows();
  auto result = xt::xtensor<float, 2>::from_shape({samples, output_size});
  reserve(std::min(batch_size, samples));
  for (std::size_t start = 0; start < samples; start += batch_size) {
    const std::size_t batch = std::min(batch_size, samples - start);
    split_rows(batch, [&](std::size_t k, std::size_t b, std::size_t e) {
      const float* output = forward(k, x.data + (start + b) * input_size, e - b, /*training=*/false);
      std::copy(output, output + (e - b) * output_size, result.data() + (start + b) * output_size);
    });
  }
  return result;
}

template <class Spec>
double Model<Spec>::compute_gradients(Features x, Labels y) {
  require_compiled("compute_gradients");
  detail::check_features(x, input_shape::dims, "compute_gradients");
  const std::size_t batch = x.shape.rows();
  reserve(batch);
  const float* targets = batch_targets_from(y, batch, "compute_gradients");
  const BatchResult r = forward_backward(x.data, targets, detail::target_width(loss_, output_size), nullptr, batch);
  return r.loss_sum / static_cast<double>(batch);
}

template <class Spec>
double Model<Spec>::train_on_batch(Features x, Labels y) {
  const double loss = compute_gradients(x, y);
  apply_gradients();
  return loss;
}

}  // namespace typenet
