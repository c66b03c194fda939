#pragma once
// Scores read off a confusion matrix, as scikit-learn defines them: per class precision, recall
// (sensitivity), F1 and support; their macro (plain mean) and weighted (by support) averages;
// the clinical view of a binary problem (sensitivity, specificity, PPV, NPV); and
// classification_report, which prints like sklearn.metrics.classification_report.
//
// A ratio whose denominator is zero (precision of a class never predicted, recall of a class
// with no samples) is undefined. Like scikit-learn's zero_division argument it becomes the
// value given (0 by default), never NaN; `undefined` in the result lists which ones it was.
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "typenet/metrics/confusion.hpp"

namespace typenet::metrics {

struct ClassScores {
  double precision = 0.0, recall = 0.0, f1 = 0.0;
  std::size_t support = 0;  // samples truly of this class
};

struct ClassificationScores {
  std::vector<ClassScores> per_class;
  ClassScores macro, weighted;  // support: all samples
  double accuracy = 0.0;
  std::vector<std::string> undefined;  // e.g. "precision of class 1 (never predicted)"
};

namespace detail {
inline double ratio(std::size_t num, std::size_t den, double zero_division, std::vector<std::string>& undefined,
                    const std::string& what) {
  if (den == 0) {
    undefined.push_back(what);
    return zero_division;
  }
  return static_cast<double>(num) / static_cast<double>(den);
}
}  // namespace detail

inline ClassificationScores classification_scores(const ConfusionMatrix& m, double zero_division = 0.0) {
  const std::size_t k = m.classes(), total = m.total();
  if (total == 0) throw std::invalid_argument("classification_scores: the confusion matrix is empty");
  ClassificationScores s;
  s.per_class.resize(k);
  for (std::size_t c = 0; c < k; ++c) {
    std::size_t predicted = 0, actual = 0;
    for (std::size_t o = 0; o < k; ++o) {
      predicted += m(o, c);
      actual += m(c, o);
    }
    const std::size_t tp = m(c, c);
    const std::string cls = "class " + std::to_string(c);
    auto& r = s.per_class[c];
    r.precision = detail::ratio(tp, predicted, zero_division, s.undefined, "precision of " + cls + " (never predicted)");
    r.recall = detail::ratio(tp, actual, zero_division, s.undefined, "recall of " + cls + " (no samples)");
    // 2TP / (2TP + FP + FN): the harmonic mean of precision and recall where both exist.
    r.f1 = detail::ratio(2 * tp, predicted + actual, zero_division, s.undefined, "F1 of " + cls + " (neither predicted nor present)");
    r.support = actual;
    s.macro.precision += r.precision / static_cast<double>(k);
    s.macro.recall += r.recall / static_cast<double>(k);
    s.macro.f1 += r.f1 / static_cast<double>(k);
    const double share = static_cast<double>(actual) / static_cast<double>(total);
    s.weighted.precision += r.precision * share;
    s.weighted.recall += r.recall * share;
    s.weighted.f1 += r.f1 * share;
  }
  s.macro.support = s.weighted.support = total;
  s.accuracy = static_cast<double>(m.correct()) / static_cast<double>(total);
  return s;
}

// A two-class problem as a clinician reads it; `positive` is the class of the condition.
struct BinaryScores {
  std::size_t tp = 0, fp = 0, tn = 0, fn = 0;
  double sensitivity = 0.0;  // recall of the positive class, true-positive rate
  double specificity = 0.0;  // recall of the negative class, true-negative rate
  double precision = 0.0;    // positive predictive value (PPV)
  double npv = 0.0;          // negative predictive value
  double f1 = 0.0;           // of the positive class
  double accuracy = 0.0;
  std::vector<std::string> undefined;
};

inline BinaryScores binary_scores(const ConfusionMatrix& m, std::size_t positive = 1, double zero_division = 0.0) {
  if (m.classes() != 2) throw std::invalid_argument("binary_scores: needs a 2-class confusion matrix, got " + std::to_string(m.classes()) + " classes");
  if (positive > 1) throw std::invalid_argument("binary_scores: positive class must be 0 or 1");
  if (m.total() == 0) throw std::invalid_argument("binary_scores: the confusion matrix is empty");
  const std::size_t negative = 1 - positive;
  BinaryScores b;
  b.tp = m(positive, positive);
  b.fn = m(positive, negative);
  b.fp = m(negative, positive);
  b.tn = m(negative, negative);
  b.sensitivity = detail::ratio(b.tp, b.tp + b.fn, zero_division, b.undefined, "sensitivity (no positive samples)");
  b.specificity = detail::ratio(b.tn, b.tn + b.fp, zero_division, b.undefined, "specificity (no negative samples)");
  b.precision = detail::ratio(b.tp, b.tp + b.fp, zero_division, b.undefined, "precision (nothing predicted positive)");
  b.npv = detail::ratio(b.tn, b.tn + b.fn, zero_division, b.undefined, "NPV (nothing predicted negative)");
  b.f1 = detail::ratio(2 * b.tp, 2 * b.tp + b.fp + b.fn, zero_division, b.undefined, "F1 (no positives at all)");
  b.accuracy = static_cast<double>(b.tp + b.tn) / static_cast<double>(m.total());
  return b;
}

// sklearn.metrics.classification_report's text: one row per class, then accuracy, macro avg
// and weighted avg; `names` label the rows (default "0", "1", ...).
inline std::string classification_report(const ConfusionMatrix& m, std::vector<std::string> names = {}, int digits = 2,
                                         double zero_division = 0.0) {
  const ClassificationScores s = classification_scores(m, zero_division);
  if (names.empty())
    for (std::size_t c = 0; c < m.classes(); ++c) names.push_back(std::to_string(c));
  if (names.size() != m.classes())
    throw std::invalid_argument("classification_report: " + std::to_string(names.size()) + " names for " +
                                std::to_string(m.classes()) + " classes");
  int width = static_cast<int>(std::string("weighted avg").size());
  for (const auto& n : names) width = std::max(width, static_cast<int>(n.size()));
  width = std::max(width, digits);
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%*s  %9s %9s %9s %9s\n\n", width, "", "precision", "recall", "f1-score", "support");
  out += line;
  auto row = [&](const std::string& name, const ClassScores& r) {
    std::snprintf(line, sizeof line, "%*s  %9.*f %9.*f %9.*f %9zu\n", width, name.c_str(), digits, r.precision, digits,
                  r.recall, digits, r.f1, r.support);
    out += line;
  };
  for (std::size_t c = 0; c < names.size(); ++c) row(names[c], s.per_class[c]);
  out += "\n";
  std::snprintf(line, sizeof line, "%*s  %9s %9s %9.*f %9zu\n", width, "accuracy", "", "", digits, s.accuracy, m.total());
  out += line;
  row("macro avg", s.macro);
  row("weighted avg", s.weighted);
  return out;
}

}  // namespace typenet::metrics
