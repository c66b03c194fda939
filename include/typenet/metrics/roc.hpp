#pragma once
// Ranking metrics of a binary classifier's scores (the predicted probability of class 1):
// the ROC curve, its area (exact, from ranks, ties counted half as the trapezoid does), the
// precision-recall curve, and a decision threshold chosen on held-out data. Curves follow
// scikit-learn's roc_curve(drop_intermediate=False) and precision_recall_curve: one point per
// distinct score, "positive" meaning score >= threshold.
//
// A curve needs both classes among the labels; without them the metric is undefined and the
// call throws (as scikit-learn does) rather than returning NaN. NaN scores are refused too.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace typenet::metrics {

struct RocCurve {
  std::vector<double> fpr, tpr;    // from (0, 0) to (1, 1)
  std::vector<double> thresholds;  // decreasing; the first is +infinity (nothing positive)
};

struct PrecisionRecallCurve {
  std::vector<double> precision, recall;  // one more point than thresholds: (precision 1, recall 0)
  std::vector<double> thresholds;         // increasing
};

namespace detail {

struct Scored {
  std::vector<double> score;
  std::vector<bool> positive;
  std::size_t positives = 0, negatives = 0;
  std::vector<std::size_t> by_score;  // indices, highest score first
};

template <class Labels, class Scores>
Scored scored(const Labels& y_true, const Scores& scores, const char* who, bool need_negatives = true) {
  Scored s;
  for (const auto& v : scores) s.score.push_back(static_cast<double>(v));
  for (const auto& v : y_true) {
    const double label = static_cast<double>(v);
    if (label != 0.0 && label != 1.0)
      throw std::invalid_argument(std::string(who) + ": label at position " + std::to_string(s.positive.size()) +
                                  " is " + std::to_string(label) + "; binary labels must be 0 or 1");
    s.positive.push_back(label == 1.0);
  }
  if (s.positive.size() != s.score.size())
    throw std::invalid_argument(std::string(who) + ": " + std::to_string(s.positive.size()) + " labels but " +
                                std::to_string(s.score.size()) + " scores");
  for (std::size_t i = 0; i < s.score.size(); ++i)
    if (!std::isfinite(s.score[i]))
      throw std::invalid_argument(std::string(who) + ": score at position " + std::to_string(i) + " is not finite");
  s.positives = static_cast<std::size_t>(std::count(s.positive.begin(), s.positive.end(), true));
  s.negatives = s.positive.size() - s.positives;
  if (s.positives == 0)
    throw std::invalid_argument(std::string(who) + ": no positive samples (label 1), so the metric is undefined");
  if (need_negatives && s.negatives == 0)
    throw std::invalid_argument(std::string(who) + ": no negative samples (label 0), so the metric is undefined");
  s.by_score.resize(s.score.size());
  std::iota(s.by_score.begin(), s.by_score.end(), std::size_t{0});
  // Ties keep the samples' order. (std::sort with the index as tie-break, not std::stable_sort,
  // whose libstdc++ 12 implementation clang 19 warns about: get_temporary_buffer is deprecated.)
  std::sort(s.by_score.begin(), s.by_score.end(), [&](std::size_t a, std::size_t b) {
    return s.score[a] > s.score[b] || (s.score[a] == s.score[b] && a < b);
  });
  return s;
}

// Cumulative true and false positives at each distinct score, highest first.
template <class F>
void for_each_threshold(const Scored& s, F&& f) {
  std::size_t tp = 0, fp = 0;
  for (std::size_t i = 0; i < s.by_score.size(); ++i) {
    const std::size_t k = s.by_score[i];
    (s.positive[k] ? tp : fp) += 1;
    if (i + 1 == s.by_score.size() || s.score[s.by_score[i + 1]] != s.score[k]) f(s.score[k], tp, fp);
  }
}

}  // namespace detail

template <class Labels, class Scores>
RocCurve roc_curve(const Labels& y_true, const Scores& scores) {
  const auto s = detail::scored(y_true, scores, "roc_curve");
  RocCurve c{{0.0}, {0.0}, {std::numeric_limits<double>::infinity()}};
  detail::for_each_threshold(s, [&](double threshold, std::size_t tp, std::size_t fp) {
    c.fpr.push_back(static_cast<double>(fp) / static_cast<double>(s.negatives));
    c.tpr.push_back(static_cast<double>(tp) / static_cast<double>(s.positives));
    c.thresholds.push_back(threshold);
  });
  return c;
}

// The probability that a random positive scores above a random negative, a tie counting 1/2
// (the Mann-Whitney U statistic over P * N), computed from average ranks in O(n log n).
template <class Labels, class Scores>
double roc_auc(const Labels& y_true, const Scores& scores) {
  const auto s = detail::scored(y_true, scores, "roc_auc");
  const std::size_t n = s.by_score.size();
  double positive_rank_sum = 0.0;  // ranks 1..n from the lowest score
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    std::size_t positives_in_tie = 0;
    while (j < n && s.score[s.by_score[j]] == s.score[s.by_score[i]]) positives_in_tie += s.positive[s.by_score[j++]];
    // Positions i..j-1 (highest first) are ranks n-i down to n-j+1; the tie shares their mean.
    const double mean_rank = static_cast<double>(n - i + n - j + 1) / 2.0;
    positive_rank_sum += mean_rank * static_cast<double>(positives_in_tie);
    i = j;
  }
  const double p = static_cast<double>(s.positives), q = static_cast<double>(s.negatives);
  return (positive_rank_sum - p * (p + 1.0) / 2.0) / (p * q);
}

template <class Labels, class Scores>
PrecisionRecallCurve precision_recall_curve(const Labels& y_true, const Scores& scores) {
  const auto s = detail::scored(y_true, scores, "precision_recall_curve", /*need_negatives=*/false);
  PrecisionRecallCurve c;
  detail::for_each_threshold(s, [&](double threshold, std::size_t tp, std::size_t fp) {
    c.precision.push_back(static_cast<double>(tp) / static_cast<double>(tp + fp));
    c.recall.push_back(static_cast<double>(tp) / static_cast<double>(s.positives));
    c.thresholds.push_back(threshold);
  });
  std::reverse(c.precision.begin(), c.precision.end());
  std::reverse(c.recall.begin(), c.recall.end());
  std::reverse(c.thresholds.begin(), c.thresholds.end());
  c.precision.push_back(1.0);
  c.recall.push_back(0.0);
  return c;
}

// The threshold maximising Youden's J = sensitivity + specificity - 1 = tpr - fpr, the usual
// choice when a missed case and a false alarm are weighed alike; choose it on validation data,
// never on the test split. Among equal J the higher threshold wins (fewer false alarms).
template <class Labels, class Scores>
double youden_threshold(const Labels& y_true, const Scores& scores) {
  const RocCurve c = roc_curve(y_true, scores);
  std::size_t best = 1;
  for (std::size_t i = 1; i < c.thresholds.size(); ++i)
    if (c.tpr[i] - c.fpr[i] > c.tpr[best] - c.fpr[best]) best = i;
  return c.thresholds[best];
}

}  // namespace typenet::metrics
