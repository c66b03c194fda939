#pragma once
// The definitions of metrics/metric.hpp (typenet/config.hpp says where they are compiled).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "typenet/metrics/metric.hpp"

namespace typenet {

TYPENET_INLINE Metric::Metric(std::string_view name) : name_(name) {
  if (name == "accuracy" || name == "acc")
    kind_ = detail::LossAccuracy{};
  else if (name == "binary_accuracy")
    kind_ = metrics::BinaryAccuracy{};
  else if (name == "categorical_accuracy")
    kind_ = metrics::CategoricalAccuracy{};
  else if (name == "sparse_categorical_accuracy")
    kind_ = metrics::SparseCategoricalAccuracy{};
  else if (name == "mae" || name == "mean_absolute_error")
    kind_ = metrics::MeanAbsoluteError{};
  else if (name == "mse" || name == "mean_squared_error")
    kind_ = metrics::MeanSquaredError{};
  else if (name == "auc")
    kind_ = metrics::AUC{};
  else if (name == "precision")
    kind_ = metrics::Precision{};
  else if (name == "recall")
    kind_ = metrics::Recall{};
  else
    throw std::invalid_argument("unknown metric \"" + std::string(name) +
                                "\" (typenet has accuracy, acc, binary_accuracy, categorical_accuracy, "
                                "sparse_categorical_accuracy, mae, mean_absolute_error, mse, mean_squared_error, auc, "
                                "precision, recall)");
}

TYPENET_INLINE Metric::Metric(Kind kind, std::string name) : kind_(std::move(kind)), name_(std::move(name)) {}

TYPENET_INLINE Metric::Metric(const Metric&) = default;
TYPENET_INLINE Metric::Metric(Metric&&) noexcept = default;
TYPENET_INLINE Metric& Metric::operator=(const Metric&) = default;
TYPENET_INLINE Metric& Metric::operator=(Metric&&) noexcept = default;
TYPENET_INLINE Metric::~Metric() = default;

namespace detail {

TYPENET_INLINE MetricList::MetricList() = default;
TYPENET_INLINE MetricList::MetricList(MetricList&&) noexcept = default;
TYPENET_INLINE MetricList& MetricList::operator=(MetricList&&) noexcept = default;
TYPENET_INLINE MetricList::~MetricList() = default;

namespace {
// How many sums each metric keeps.
struct StateSize {
  // Positives and negatives per bucket: bucket b holds the values above exactly b thresholds.
  std::size_t operator()(const metrics::AUC& m) const { return 2 * (m.num_thresholds + 1); }
  std::size_t operator()(const metrics::Precision&) const { return 2; }                // tp, predicted positive
  std::size_t operator()(const metrics::Recall&) const { return 2; }                   // tp, actual positive
  template <class M>
  std::size_t operator()(const M&) const { return 1; }  // the sum of per-row figures
};

// Element c of a target row: the value itself, or one-hot from a class index (width 1, several outputs).
inline float target_at(const float* t, std::size_t width, std::size_t outputs, std::size_t c) {
  if (width == outputs) return t[c];
  return static_cast<std::size_t>(t[0]) == c ? 1.0f : 0.0f;  // a class index
}
}  // namespace

TYPENET_INLINE std::vector<Metric> MetricList::defaults(const Loss& loss) {
  if (std::holds_alternative<MeanSquaredError>(loss)) return {};
  if (const auto* custom = std::get_if<CustomLoss>(&loss); custom && !custom->has_accuracy()) return {};
  return {Metric("accuracy")};
}

TYPENET_INLINE void MetricList::check_fits(const Loss& loss, const std::vector<Metric>& metrics) {
  const auto* custom = std::get_if<CustomLoss>(&loss);
  if (!custom || custom->has_accuracy()) return;
  for (const Metric& metric : metrics)
    if (std::holds_alternative<LossAccuracy>(metric.kind()))
      throw std::invalid_argument("compile: \"" + metric.name() + "\" is the loss's own accuracy, and the loss " + custom->name +
                                  " has no correct(p, t, n); ask for a metric such as tn::metrics::CategoricalAccuracy{}");
}

TYPENET_INLINE MetricList::MetricList(std::vector<Metric> metrics) : metrics_(std::move(metrics)) {
  for (std::size_t i = 0; i < metrics_.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j)
      if (metrics_[j].name() == metrics_[i].name())
        throw std::invalid_argument("compile: the metric \"" + metrics_[i].name() + "\" is asked for twice");
    offsets_.push_back(state_size_);
    state_size_ += std::visit(StateSize{}, metrics_[i].kind());
    std::vector<float> thresholds;
    if (const auto* auc = std::get_if<metrics::AUC>(&metrics_[i].kind())) {
      const std::size_t n = auc->num_thresholds;
      if (n < 2) throw std::invalid_argument("compile: AUC needs num_thresholds >= 2");
      // Keras's: just below 0, (i+1)/(n-1) for i < n-2, just above 1 (float32, as Keras compares).
      thresholds.push_back(0.0f - 1e-7f);
      for (std::size_t k = 1; k + 1 < n; ++k) thresholds.push_back(static_cast<float>(k) / static_cast<float>(n - 1));
      thresholds.push_back(1.0f + 1e-7f);
    }
    thresholds_.push_back(std::move(thresholds));
  }
}

TYPENET_INLINE void MetricList::accumulate(const Loss& loss, double* state, const float* output, std::size_t outputs,
                                           const float* targets, std::size_t width, std::size_t rows) const {
  for (std::size_t m = 0; m < metrics_.size(); ++m) {
    double* s = state + offsets_[m];
    const std::vector<float>& thresholds = thresholds_[m];
    std::visit(
        [&](const auto& metric) {
          using M = std::decay_t<decltype(metric)>;
          if constexpr (std::is_same_v<M, LossAccuracy>) {  // one visit of the loss for all the rows
            std::visit(
                [&](const auto& l) {
                  for (std::size_t i = 0; i < rows; ++i) s[0] += l.correct(output + i * outputs, targets + i * width, outputs);
                },
                loss);
            return;
          }
          for (std::size_t i = 0; i < rows; ++i) {
            const float* p = output + i * outputs;
            const float* t = targets + i * width;
            if constexpr (std::is_same_v<M, metrics::CategoricalAccuracy>) {
              std::size_t best = 0;
              for (std::size_t c = 1; c < outputs; ++c)
                if (target_at(t, width, outputs, c) > target_at(t, width, outputs, best)) best = c;
              s[0] += argmax(p, outputs) == best ? 1.0 : 0.0;
            } else if constexpr (std::is_same_v<M, metrics::SparseCategoricalAccuracy>) {
              s[0] += argmax(p, outputs) == static_cast<std::size_t>(t[0]) ? 1.0 : 0.0;
            } else if constexpr (std::is_same_v<M, metrics::BinaryAccuracy>) {
              double right = 0;
              for (std::size_t c = 0; c < outputs; ++c)
                right += (p[c] > metric.threshold) == (target_at(t, width, outputs, c) > 0.5f) ? 1.0 : 0.0;
              s[0] += right / static_cast<double>(outputs);
            } else if constexpr (std::is_same_v<M, metrics::MeanAbsoluteError> ||
                                 std::is_same_v<M, metrics::MeanSquaredError>) {
              double sum = 0;
              for (std::size_t c = 0; c < outputs; ++c) {
                const double d = static_cast<double>(p[c]) - target_at(t, width, outputs, c);
                sum += std::is_same_v<M, metrics::MeanAbsoluteError> ? std::abs(d) : d * d;
              }
              s[0] += sum / static_cast<double>(outputs);
            } else if constexpr (std::is_same_v<M, metrics::AUC>) {
              // A value passes threshold k (p > t_k) when more than k thresholds are below it.
              const std::size_t buckets = thresholds.size() + 1;
              for (std::size_t c = 0; c < outputs; ++c) {
                const auto below = std::lower_bound(thresholds.begin(), thresholds.end(), p[c]) - thresholds.begin();
                s[(target_at(t, width, outputs, c) > 0.5f ? 0 : buckets) + static_cast<std::size_t>(below)] += 1.0;
              }
            } else if constexpr (std::is_same_v<M, metrics::Precision> || std::is_same_v<M, metrics::Recall>) {
              for (std::size_t c = 0; c < outputs; ++c) {
                const bool predicted = p[c] > metric.threshold, actual = target_at(t, width, outputs, c) > 0.5f;
                s[0] += predicted && actual ? 1.0 : 0.0;
                if constexpr (std::is_same_v<M, metrics::Precision>)
                  s[1] += predicted ? 1.0 : 0.0;
                else
                  s[1] += actual ? 1.0 : 0.0;
              }
            }
          }
        },
        metrics_[m].kind());
  }
}

TYPENET_INLINE void MetricList::results(const double* state, double rows, double* values) const {
  for (std::size_t m = 0; m < metrics_.size(); ++m) {
    const double* s = state + offsets_[m];
    values[m] = std::visit(
        [&](const auto& metric) -> double {
          using M = std::decay_t<decltype(metric)>;
          if constexpr (std::is_same_v<M, metrics::AUC>) {
            // tp and fp at threshold k: the values in the buckets above k. The rates at the
            // thresholds in increasing order, joined by trapezoids (Keras's "interpolation").
            const std::size_t n = thresholds_[m].size(), buckets = n + 1;
            double positives = 0, negatives = 0;
            for (std::size_t b = 0; b < buckets; ++b) positives += s[b], negatives += s[buckets + b];
            if (positives == 0 || negatives == 0) return 0.0;  // Keras's divide_no_nan
            double tp = positives - s[0], fp = negatives - s[buckets], auc = 0;
            double tpr = tp / positives, fpr = fp / negatives;
            for (std::size_t k = 1; k < n; ++k) {
              tp -= s[k];
              fp -= s[buckets + k];
              const double next_tpr = tp / positives, next_fpr = fp / negatives;
              auc += (fpr - next_fpr) * (tpr + next_tpr) / 2;
              tpr = next_tpr;
              fpr = next_fpr;
            }
            return auc;
          } else if constexpr (std::is_same_v<M, metrics::Precision> || std::is_same_v<M, metrics::Recall>) {
            return s[1] > 0 ? s[0] / s[1] : 0.0;
          } else {
            return rows > 0 ? s[0] / rows : 0.0;
          }
        },
        metrics_[m].kind());
  }
}

}  // namespace detail
}  // namespace typenet
