#pragma once
// The training and inference loops of Model<Net> (declared in model.hpp).
#include <algorithm>
#include <cmath>
#include <cstring>

namespace typenet {

template <class Spec>
std::vector<float> Model<Spec>::sample_weights(const Targets& targets, const std::vector<double>& class_weight) const {
  if (class_weight.empty()) return {};
  std::vector<float> weights(targets.rows());
  std::visit(
      [&](const auto& loss) {
        for (std::size_t i = 0; i < weights.size(); ++i) {
          const std::size_t k = loss.class_of(targets.row(i), targets.width);
          if (k >= class_weight.size())
            throw std::invalid_argument("fit: class_weight has " + std::to_string(class_weight.size()) +
                                        " entries but sample " + std::to_string(i) + " is of class " + std::to_string(k));
          weights[i] = static_cast<float>(class_weight[k]);
        }
      },
      loss_);
  return weights;
}

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

  const std::vector<float> weights = sample_weights(targets, options.class_weight);
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
  std::vector<std::size_t> order(train_end);
  const std::size_t steps = (train_end + batch_size - 1) / batch_size;
  const std::size_t width = targets.width;
  std::ostream& out = *options.out;
  const bool interactive = options.verbose == 1 && options.out == &std::cout && stdout_is_terminal();
  team.share_stream(shuffle_rng_);  // processes sharing a batch shuffle alike...
  team.split_stream(dropout_rng_);  // ...but must not share dropout masks

  History history;
  for (std::size_t epoch = 0; epoch < options.epochs; ++epoch) {
    if (options.verbose) out << "Epoch " << epoch + 1 << '/' << options.epochs << '\n';
    // Each epoch's order depends only on the generator's state, not on the epochs before it, so
    // fit(2) then fit(2) (or a save and load in between) shuffles exactly as fit(4) does.
    std::iota(order.begin(), order.end(), std::size_t{0});
    if (options.shuffle)
      for (std::size_t i = train_end; i > 1; --i) std::swap(order[i - 1], order[shuffle_rng_.below(i)]);

    ProgressBar bar(out, steps, interactive);
    BatchResult total;
    std::size_t seen = 0;
    for (std::size_t step = 0; step < steps; ++step) {
      const std::size_t start = step * batch_size, batch = std::min(batch_size, train_end - start);
      // Every process shuffled alike; each trains on its share of the batch (alone: all of it).
      const auto [first, last] = team.share(start, start + batch);
      const std::size_t rows = last - first;
      for (std::size_t j = 0; j < rows; ++j) {
        const std::size_t sample = order[first + j];
        std::memcpy(batch_input_ + j * row, x_rows + sample * row, row * sizeof(float));
        std::memcpy(batch_targets_ + j * width, targets.row(sample), width * sizeof(float));
        if (!weights.empty()) batch_weights_[j] = weights[sample];
      }
      BatchResult r;
      if (rows > 0)
        r = forward_backward<fixed_prefix>(batch_input_, batch_targets_, width,
                                           weights.empty() ? nullptr : batch_weights_, rows);
      else  // a last batch smaller than the team: this process adds nothing to the sum
        std::fill(grads_.begin(), grads_.end(), 0.0f);
      team.average_gradients(grads_, rows, batch);
      apply_gradients();
      total.loss_sum += r.loss_sum;
      total.correct += r.correct;
      seen += rows;
      if (interactive) {
        const MetricValue running[] = {{"loss", total.loss_sum / static_cast<double>(seen)},
                                       {"accuracy", static_cast<double>(total.correct) / static_cast<double>(seen)}};
        bar.update(step + 1, running);
      }
    }
    // The epoch's figures are over every process's rows (alone: unchanged).
    double sums[] = {total.loss_sum, static_cast<double>(total.correct), static_cast<double>(seen)};
    team.sum(sums);
    if (!std::isfinite(sums[0]))
      throw std::runtime_error("fit: the loss became " + std::to_string(sums[0]) + " in epoch " +
                               std::to_string(epoch + 1) + "; lower the learning rate or check the data for NaN");

    history.append("loss", sums[0] / sums[2]);
    history.append("accuracy", sums[1] / sums[2]);
    if (val_x) {
      const Evaluation v = evaluate_rows<fixed_prefix>(val_x, *val_targets, val_begin, val_end, val_batch, team);
      history.append("val_loss", v.loss);
      history.append("val_accuracy", v.accuracy);
    }
    for (const auto& metric : history.metrics()) history_.append(metric, history[metric].back());
    if (options.verbose) {
      MetricValue shown[4];
      std::size_t n = 0;
      for (const char* name : {"loss", "accuracy", "val_loss", "val_accuracy"})
        if (history.contains(name)) shown[n++] = {name, history[name].back()};
      bar.finish(std::span<const MetricValue>(shown, n));
    }
    if (options.on_epoch_end) options.on_epoch_end(epoch + 1);
  }
  return history;
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
