// tn::metrics and balanced_class_weight: small fixtures worked out by hand (the arithmetic is in
// the comments), and scikit-learn 1.2.1's figures for larger ones (tests/data/metrics/make_golden.py
// prints them; its output is tests/data/metrics/golden.txt).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "typenet/metrics/class_weight.hpp"
#include "typenet/metrics/confusion.hpp"
#include "typenet/metrics/classification.hpp"
#include "typenet/metrics/roc.hpp"

namespace test_classification {

namespace tnm = typenet::metrics;
using doctest::Approx;

namespace {
// The binary fixture of make_golden.py: ties at 0.4 and 0.35 span both classes.
const std::vector<int> y_ties = {0, 0, 1, 1, 0, 1, 1, 0, 1, 1};
const std::vector<double> s_ties = {0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.4, 0.2, 0.6, 0.35};

void check_all(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i] == Approx(want[i]).epsilon(1e-12));
  }
}
}  // namespace

TEST_CASE("balanced_class_weight is n_samples / (n_classes * count_c)") {
  // 10 labels, 4 of class 0 and 6 of class 1: 10 / (2*4) = 1.25, 10 / (2*6) = 0.8333...
  const auto w = typenet::balanced_class_weight(y_ties);
  check_all(w, {1.25, 10.0 / 12.0});
  // PneumoniaMNIST's training split, 1214 normal and 3494 pneumonia; sklearn: 1.9390444810543657, 0.6737263880938752.
  std::vector<std::uint8_t> train(1214, 0);
  train.resize(1214 + 3494, 1);
  check_all(typenet::balanced_class_weight(train), {1.9390444810543657, 0.6737263880938752});
  // Float labels (as a (n, 1) target column holds them) work the same.
  check_all(typenet::balanced_class_weight(std::vector<float>{0.0f, 1.0f, 1.0f}), {1.5, 0.75});

  CHECK_THROWS_WITH_AS(typenet::balanced_class_weight(std::vector<int>{0, 0, 2}),
                       "balanced_class_weight: class 1 has no samples, so it has no balanced weight", std::invalid_argument);
  CHECK_THROWS_WITH_AS(typenet::balanced_class_weight(std::vector<int>{0, 3}, 2),
                       "balanced_class_weight: label 3 at position 1 is outside [0, 2)", std::invalid_argument);
  CHECK_THROWS_WITH_AS(typenet::balanced_class_weight(std::vector<int>{0, -1}),
                       "balanced_class_weight: label -1 at position 1 is negative", std::invalid_argument);
  CHECK_THROWS_WITH_AS(typenet::balanced_class_weight(std::vector<float>{0.5f}),
                       "balanced_class_weight: label at position 0 is not a whole number", std::invalid_argument);
  CHECK_THROWS_AS(typenet::balanced_class_weight(std::vector<int>{}), std::invalid_argument);
}

TEST_CASE("binary_scores: the clinical figures of a 2x2 confusion matrix, by hand") {
  // truth 1 1 1 0 0, predicted 1 1 0 1 0: TP 2, FN 1, FP 1, TN 1.
  const auto m = typenet::confusion_matrix(std::vector<int>{1, 1, 1, 0, 0}, std::vector<int>{1, 1, 0, 1, 0});
  const auto b = tnm::binary_scores(m);
  CHECK(b.tp == 2);
  CHECK(b.fn == 1);
  CHECK(b.fp == 1);
  CHECK(b.tn == 1);
  CHECK(b.sensitivity == Approx(2.0 / 3.0));  // TP / (TP + FN)
  CHECK(b.specificity == Approx(0.5));        // TN / (TN + FP)
  CHECK(b.precision == Approx(2.0 / 3.0));    // TP / (TP + FP)
  CHECK(b.npv == Approx(0.5));                // TN / (TN + FN)
  CHECK(b.f1 == Approx(2.0 / 3.0));           // 2TP / (2TP + FP + FN) = 4 / 6
  CHECK(b.accuracy == Approx(0.6));
  CHECK(b.undefined.empty());

  // With class 0 as the positive one the roles swap: sensitivity 1/2, specificity 2/3.
  const auto swapped = tnm::binary_scores(m, 0);
  CHECK(swapped.sensitivity == Approx(0.5));
  CHECK(swapped.specificity == Approx(2.0 / 3.0));

  // No positive samples and nothing predicted positive: sensitivity, precision and F1 are
  // undefined; they become zero_division and are listed, never NaN.
  const auto none = tnm::binary_scores(typenet::confusion_matrix(std::vector<int>{0, 0}, std::vector<int>{0, 0}, 2));
  CHECK(none.sensitivity == 0.0);
  CHECK(none.precision == 0.0);
  CHECK(none.f1 == 0.0);
  CHECK(none.specificity == 1.0);
  CHECK(none.undefined == std::vector<std::string>{"sensitivity (no positive samples)", "precision (nothing predicted positive)",
                                                   "F1 (no positives at all)"});
  const auto one = tnm::binary_scores(typenet::confusion_matrix(std::vector<int>{0, 0}, std::vector<int>{0, 0}, 2), 1, 1.0);
  CHECK(one.sensitivity == 1.0);
  CHECK_THROWS_AS(tnm::binary_scores(typenet::ConfusionMatrix(3)), std::invalid_argument);
}

TEST_CASE("classification_scores and classification_report match scikit-learn") {
  // truth 0 0 1 1 1 2 0 1, predicted 0 1 1 1 0 0 0 2, as 4 classes (class 3 absent, class 2 never right).
  const std::vector<int> truth = {0, 0, 1, 1, 1, 2, 0, 1}, predicted = {0, 1, 1, 1, 0, 0, 0, 2};
  const auto s = tnm::classification_scores(typenet::confusion_matrix(truth, predicted, 4));
  // By hand, class 0: TP 2 of 4 predicted, 3 present: precision 1/2, recall 2/3, F1 4/7.
  CHECK(s.per_class[0].precision == Approx(0.5));
  CHECK(s.per_class[0].recall == Approx(2.0 / 3.0));
  CHECK(s.per_class[0].f1 == Approx(4.0 / 7.0));
  // sklearn precision_recall_fscore_support(labels=[0, 1, 2, 3], zero_division=0):
  const double precision[] = {0.5, 0.6666666666666666, 0.0, 0.0}, recall[] = {0.6666666666666666, 0.5, 0.0, 0.0},
               f1[] = {0.5714285714285715, 0.5714285714285715, 0.0, 0.0};
  const std::size_t support[] = {3, 4, 1, 0};
  for (std::size_t c = 0; c < 4; ++c) {
    CAPTURE(c);
    CHECK(s.per_class[c].precision == Approx(precision[c]));
    CHECK(s.per_class[c].recall == Approx(recall[c]));
    CHECK(s.per_class[c].f1 == Approx(f1[c]));
    CHECK(s.per_class[c].support == support[c]);
  }
  CHECK(s.macro.precision == Approx(0.29166666666666663));
  CHECK(s.macro.recall == Approx(0.29166666666666663));
  CHECK(s.macro.f1 == Approx(0.28571428571428575));
  CHECK(s.weighted.precision == Approx(0.5208333333333333));
  CHECK(s.weighted.recall == Approx(0.5));
  CHECK(s.weighted.f1 == Approx(0.5));
  CHECK(s.accuracy == Approx(0.5));
  CHECK(s.undefined == std::vector<std::string>{"precision of class 3 (never predicted)",
                                                "recall of class 3 (no samples)", "F1 of class 3 (neither predicted nor present)"});

  // classification_report(yt, yp, zero_division=0, digits=3), copied from golden.txt.
  CHECK(tnm::classification_report(typenet::confusion_matrix(truth, predicted), {}, 3) ==
        "              precision    recall  f1-score   support\n"
        "\n"
        "           0      0.500     0.667     0.571         3\n"
        "           1      0.667     0.500     0.571         4\n"
        "           2      0.000     0.000     0.000         1\n"
        "\n"
        "    accuracy                          0.500         8\n"
        "   macro avg      0.389     0.389     0.381         8\n"
        "weighted avg      0.521     0.500     0.500         8\n");
  // The binary fixture at threshold 0.5 with class names.
  std::vector<int> at_half;
  for (double v : s_ties) at_half.push_back(v >= 0.5);
  CHECK(tnm::classification_report(typenet::confusion_matrix(y_ties, at_half), {"normal", "pneumonia"}) ==
        "              precision    recall  f1-score   support\n"
        "\n"
        "      normal       0.57      1.00      0.73         4\n"
        "   pneumonia       1.00      0.50      0.67         6\n"
        "\n"
        "    accuracy                           0.70        10\n"
        "   macro avg       0.79      0.75      0.70        10\n"
        "weighted avg       0.83      0.70      0.69        10\n");
}

TEST_CASE("roc_auc by ranking, with ties, by hand and against scikit-learn") {
  // No ties: 3 of the 4 (positive, negative) pairs are ordered right.
  CHECK(tnm::roc_auc(std::vector<int>{0, 0, 1, 1}, std::vector<double>{0.1, 0.4, 0.35, 0.8}) == Approx(0.75));
  // Pairs (0.2 vs 0.2) 1/2, (0.2 vs 0.1) 1, (0.9 vs 0.2) 1, (0.9 vs 0.1) 1: 3.5 / 4.
  CHECK(tnm::roc_auc(std::vector<int>{0, 1, 1, 0}, std::vector<float>{0.2f, 0.2f, 0.9f, 0.1f}) == Approx(0.875));
  CHECK(tnm::roc_auc(std::vector<int>{0, 1}, std::vector<double>{0.5, 0.5}) == Approx(0.5));
  CHECK(tnm::roc_auc(std::vector<int>{1, 0}, std::vector<double>{0.5, 0.7}) == 0.0);
  CHECK(tnm::roc_auc(y_ties, s_ties) == Approx(0.7916666666666666).epsilon(1e-12));
}

TEST_CASE("roc_curve and precision_recall_curve match scikit-learn, one point per distinct score") {
  const auto roc = tnm::roc_curve(y_ties, s_ties);
  check_all(roc.fpr, {0.0, 0.0, 0.0, 0.0, 0.5, 0.5, 0.75, 1.0});
  check_all(roc.tpr, {0.0, 0.16666666666666666, 0.3333333333333333, 0.5, 0.6666666666666666, 1.0, 1.0, 1.0});
  // sklearn 1.2 puts max + 1 (1.9) first; typenet puts +inf there, as sklearn does from 1.3 on.
  CHECK(roc.thresholds[0] == std::numeric_limits<double>::infinity());
  check_all(std::vector<double>(roc.thresholds.begin() + 1, roc.thresholds.end()), {0.9, 0.8, 0.6, 0.4, 0.35, 0.2, 0.1});

  const auto pr = tnm::precision_recall_curve(y_ties, s_ties);
  check_all(pr.precision, {0.6, 0.6666666666666666, 0.75, 0.6666666666666666, 1.0, 1.0, 1.0, 1.0});
  check_all(pr.recall, {1.0, 1.0, 1.0, 0.6666666666666666, 0.5, 0.3333333333333333, 0.16666666666666666, 0.0});
  check_all(pr.thresholds, {0.1, 0.2, 0.35, 0.4, 0.6, 0.8, 0.9});
}

TEST_CASE("roc_auc equals the trapezoidal area under roc_curve, ties included") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<int> y(200);
    std::vector<float> s(200);
    for (std::size_t i = 0; i < y.size(); ++i) {
      y[i] = rng() % 3 == 0;
      s[i] = static_cast<float>(rng() % 25) / 25.0f + 0.1f * static_cast<float>(y[i]);  // many ties
    }
    const auto c = tnm::roc_curve(y, s);
    double area = 0.0;
    for (std::size_t i = 1; i < c.fpr.size(); ++i) area += (c.fpr[i] - c.fpr[i - 1]) * (c.tpr[i] + c.tpr[i - 1]) / 2.0;
    CHECK(tnm::roc_auc(y, s) == Approx(area).epsilon(1e-12));
  }
}

TEST_CASE("youden_threshold maximises sensitivity + specificity - 1") {
  // The fixture's ROC points (fpr, tpr) give J = tpr - fpr: 0.9 → 1/6, 0.8 → 1/3, 0.6 → 1/2,
  // 0.4 → 1/6, 0.35 → 1/2, 0.2 → 1/4, 0.1 → 0. The tie between 0.6 and 0.35 goes to 0.6.
  CHECK(tnm::youden_threshold(y_ties, s_ties) == 0.6);
}

TEST_CASE("ranking metrics refuse undefined inputs instead of returning NaN") {
  const std::vector<double> s = {0.1, 0.2};
  CHECK_THROWS_WITH_AS(tnm::roc_auc(std::vector<int>{0, 0}, s), "roc_auc: no positive samples (label 1), so the metric is undefined",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(tnm::roc_curve(std::vector<int>{1, 1}, s), "roc_curve: no negative samples (label 0), so the metric is undefined",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(tnm::roc_auc(std::vector<int>{0, 2}, s), "roc_auc: label at position 1 is 2.000000; binary labels must be 0 or 1",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(tnm::roc_auc(std::vector<int>{0, 1}, std::vector<double>{0.1, std::nan("")}),
                       "roc_auc: score at position 1 is not finite", std::invalid_argument);
  CHECK_THROWS_WITH_AS(tnm::roc_auc(std::vector<int>{0, 1, 1}, s), "roc_auc: 3 labels but 2 scores", std::invalid_argument);
  // Precision-recall needs positives only.
  CHECK(tnm::precision_recall_curve(std::vector<int>{1, 1}, s).precision.front() == 1.0);
}

}  // namespace test_classification
