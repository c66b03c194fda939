#pragma once
// The metrics compile() takes, as Keras's `metrics=[...]`: what fit reports beside the loss for
// the training batches and the validation data, and evaluate for its data.
//
//   model.compile(tn::Adam{}, tn::BinaryCrossentropy{},
//                 {"accuracy", tn::metrics::AUC{}, tn::metrics::Precision{}, tn::metrics::Recall{}});
//   model.compile(tn::SGD{}, tn::MeanSquaredError{}, {"mae"});
//
// Without a list, compile() asks for "accuracy" with the classification losses and for nothing
// with MeanSquaredError. "accuracy" (or "acc") is Keras's: the accuracy that fits the loss (the
// arg-max class, or binary at 0.5 with one sigmoid output). Every metric streams over the batches
// of an epoch (a few sums per metric, added across threads and processes), so the figures are over
// the whole epoch, as Keras's are. Metrics are not weighted by class_weight.
#include "typenet/training/losses.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "typenet/config.hpp"

namespace typenet {

namespace metrics {

// The share of output values on the right side of `threshold` (Keras: binary_accuracy).
struct BinaryAccuracy {
  double threshold = 0.5;
  static constexpr std::string_view name = "binary_accuracy";
};
// The arg-max of the output against the arg-max of a one-hot target.
struct CategoricalAccuracy {
  static constexpr std::string_view name = "categorical_accuracy";
};
// The arg-max of the output against a class-index target.
struct SparseCategoricalAccuracy {
  static constexpr std::string_view name = "sparse_categorical_accuracy";
};
struct MeanAbsoluteError {
  static constexpr std::string_view name = "mean_absolute_error";
};
struct MeanSquaredError {
  static constexpr std::string_view name = "mean_squared_error";
};
// The area under the ROC curve, as Keras computes it: the true and false positive rates at
// `num_thresholds` thresholds spread evenly over [0, 1], joined by the trapezoidal rule. Every
// output value counts (Keras's multi_label=False), the target of a class-index row being one-hot.
struct AUC {
  std::size_t num_thresholds = 200;
  static constexpr std::string_view name = "auc";
};
// tp / (tp + fp) and tp / (tp + fn) over every output value, positive above `threshold`.
struct Precision {
  double threshold = 0.5;
  static constexpr std::string_view name = "precision";
};
struct Recall {
  double threshold = 0.5;
  static constexpr std::string_view name = "recall";
};

}  // namespace metrics

namespace detail {
// "accuracy": the accuracy that fits the loss, as the loss's own `correct` decides it.
struct LossAccuracy {
  static constexpr std::string_view name = "accuracy";
};
}  // namespace detail

// One metric: one of the types above, or its name as Keras takes it ("accuracy", "acc",
// "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy", "mae",
// "mean_absolute_error", "mse", "mean_squared_error", "auc", "precision", "recall").
class Metric {
 public:
  using Kind = std::variant<detail::LossAccuracy, metrics::BinaryAccuracy, metrics::CategoricalAccuracy,
                            metrics::SparseCategoricalAccuracy, metrics::MeanAbsoluteError, metrics::MeanSquaredError,
                            metrics::AUC, metrics::Precision, metrics::Recall>;

  template <class M>
    requires std::is_constructible_v<Kind, M>
  Metric(M metric) : kind_(metric), name_(M::name) {}  // NOLINT(google-explicit-constructor)
  Metric(std::string_view name);                        // NOLINT(google-explicit-constructor)
  Metric(const char* name) : Metric(std::string_view(name)) {}  // NOLINT(google-explicit-constructor)
  // A metric with the name it logs under (a saved model's, read back).
  Metric(Kind kind, std::string name);

  // Defined where the library is compiled: a program that names no metric does not instantiate
  // the variant's copies and destructor.
  Metric(const Metric&);
  Metric(Metric&&) noexcept;
  Metric& operator=(const Metric&);
  Metric& operator=(Metric&&) noexcept;
  ~Metric();

  const Kind& kind() const { return kind_; }
  // The name in the logs and the History: Keras's, or the one it was asked by ("acc", "mae").
  const std::string& name() const { return name_; }

 private:
  Kind kind_;
  std::string name_;
};

namespace detail {

// The metrics of a compiled model, run over output rows. Each metric keeps a few sums (its
// state); states add up across threads, batches and processes, and result() turns them into the
// figures. Non-template, compiled once.
class MetricList {
 public:
  MetricList();
  // Out of line, as Metric's (a Model holds a MetricList).
  MetricList(MetricList&&) noexcept;
  MetricList& operator=(MetricList&&) noexcept;
  ~MetricList();
  // "accuracy" with the classification losses, nothing with MeanSquaredError.
  static std::vector<Metric> defaults(const Loss& loss);
  explicit MetricList(std::vector<Metric> metrics);
  // std::invalid_argument for "accuracy" with a user's loss that has no `correct` to define it.
  static void check_fits(const Loss& loss, const std::vector<Metric>& metrics);

  const std::vector<Metric>& metrics() const { return metrics_; }
  std::size_t size() const { return metrics_.size(); }
  std::size_t state_size() const { return state_size_; }

  // Adds `rows` rows of outputs and targets (as the loss wants them) to `state`.
  void accumulate(const Loss& loss, double* state, const float* output, std::size_t outputs, const float* targets,
                  std::size_t width, std::size_t rows) const;
  // The figures of `state` over `rows` rows, one per metric, into `values`.
  void results(const double* state, double rows, double* values) const;

 private:
  std::vector<Metric> metrics_;
  std::vector<std::size_t> offsets_;  // of each metric's state
  std::vector<std::vector<float>> thresholds_;  // AUC's, per metric (empty for the others)
  std::size_t state_size_ = 0;
};

// Adds the states of workers 1 to parts - 1 (slots of `size` after the first) into worker 0's.
inline void add_worker_states(double* states, std::size_t size, std::size_t parts) {
  for (std::size_t k = 1; k < parts; ++k)
    for (std::size_t i = 0; i < size; ++i) states[i] += states[k * size + i];
}

}  // namespace detail

}  // namespace typenet

#ifdef TYPENET_HEADER_ONLY
#include "typenet/metrics/metric-inl.hpp"
#endif
