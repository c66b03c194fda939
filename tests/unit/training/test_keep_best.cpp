// Binary classification end to end on a synthetic, imbalanced problem (two overlapping Gaussian
// blobs, 1 negative for 4 positives): Dense<1, Sigmoid> + binary cross-entropy and a 2-unit
// softmax both learn it; balanced class weights raise the minority class's recall; and
// fit_keep_best stops after `patience` epochs and restores the best epoch's weights.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "typenet/training/keep_best.hpp"
#include "typenet/metrics.hpp"
#include "typenet/typenet.hpp"

namespace test_keep_best {

namespace tn = typenet;
namespace tnm = typenet::metrics;

namespace {

struct Blobs {
  xt::xtensor<float, 2> x;
  std::vector<std::uint8_t> labels;
  xt::xtensor<float, 2> y;  // (n, 1) for binary cross-entropy
};

// Class 1 centred at +separation/2 on both axes, class 0 at -separation/2, unit variance.
Blobs blobs(std::size_t n, double separation, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  Blobs b{xt::xtensor<float, 2>::from_shape({n, 2}), std::vector<std::uint8_t>(n), xt::xtensor<float, 2>::from_shape({n, 1})};
  for (std::size_t i = 0; i < n; ++i) {
    const bool positive = i % 5 != 0;
    const float centre = static_cast<float>((positive ? 0.5 : -0.5) * separation);
    b.x(i, 0) = centre + noise(rng);
    b.x(i, 1) = centre + noise(rng);
    b.labels[i] = positive;
    b.y(i, 0) = positive;
  }
  return b;
}

std::vector<std::uint8_t> classes_of(const xt::xtensor<float, 2>& p) {
  std::vector<std::uint8_t> c(p.shape()[0]);
  for (std::size_t i = 0; i < c.size(); ++i)
    c[i] = p.shape()[1] == 1 ? p(i, 0) >= 0.5f : p(i, 1) > p(i, 0);
  return c;
}

using SigmoidHead = tn::Sequential<tn::Input<2>, tn::Dense<8, tn::ReLU>, tn::Dense<1, tn::Sigmoid>>;
using SoftmaxHead = tn::Sequential<tn::Input<2>, tn::Dense<8, tn::ReLU>, tn::Dense<2, tn::Softmax>>;

}  // namespace

TEST_CASE("Dense<1, Sigmoid> + binary cross-entropy and a 2-unit softmax both learn a binary problem") {
  const auto train = blobs(1000, 4.0, 1), test = blobs(1000, 4.0, 2);
  const std::vector<double> weights = tn::balanced_class_weight(train.labels, 2);

  tn::Model<SigmoidHead> sigmoid{3};
  sigmoid.compile(tn::Adam{0.01}, tn::BinaryCrossentropy{});
  sigmoid.fit(train.x, train.y, {.batch_size = 32, .epochs = 20, .verbose = 0, .class_weight = weights});
  const auto p_sigmoid = sigmoid.predict(test.x);

  tn::Model<SoftmaxHead> softmax{3};
  softmax.compile(tn::Adam{0.01}, tn::SparseCategoricalCrossentropy{});
  xt::xtensor<float, 1> indices = xt::xtensor<float, 1>::from_shape({train.labels.size()});
  for (std::size_t i = 0; i < indices.size(); ++i) indices(i) = train.labels[i];
  softmax.fit(train.x, indices, {.batch_size = 32, .epochs = 20, .verbose = 0, .class_weight = weights});
  const auto p_softmax = softmax.predict(test.x);

  // The centres (-2, -2) and (2, 2) lie 2.83 standard deviations from the best boundary
  // x0 + x1 = 0, so the Bayes classifier errs on Phi(-2.83) = 0.23% of each class.
  std::vector<float> s_sigmoid(p_sigmoid.begin(), p_sigmoid.end()), s_softmax;
  for (std::size_t i = 0; i < p_softmax.shape()[0]; ++i) s_softmax.push_back(p_softmax(i, 1));
  const auto m_sigmoid = tnm::binary_scores(tn::confusion_matrix(test.labels, classes_of(p_sigmoid), 2));
  const auto m_softmax = tnm::binary_scores(tn::confusion_matrix(test.labels, classes_of(p_softmax), 2));
  CHECK(m_sigmoid.accuracy >= 0.98);
  CHECK(m_softmax.accuracy >= 0.98);
  CHECK(tnm::roc_auc(test.labels, s_sigmoid) >= 0.995);
  CHECK(tnm::roc_auc(test.labels, s_softmax) >= 0.995);
}

TEST_CASE("balanced class weights raise the minority class's recall") {
  // Heavily overlapping classes: unweighted, the model leans towards the majority (positive).
  const auto train = blobs(2000, 1.0, 5), test = blobs(2000, 1.0, 6);
  auto specificity = [&](const std::vector<double>& class_weight) {
    tn::Model<SigmoidHead> model{9};
    model.compile(tn::Adam{0.01}, tn::BinaryCrossentropy{});
    model.fit(train.x, train.y, {.batch_size = 64, .epochs = 10, .verbose = 0, .class_weight = class_weight});
    return tnm::binary_scores(tn::confusion_matrix(test.labels, classes_of(model.predict(test.x)), 2)).specificity;
  };
  const double unweighted = specificity({}), balanced = specificity(tn::balanced_class_weight(train.labels, 2));
  CAPTURE(unweighted);
  CAPTURE(balanced);
  CHECK(unweighted < 0.5);  // a run: 0.41
  CHECK(balanced > 0.65);   // a run: 0.73
  CHECK(balanced - unweighted > 0.2);
}

TEST_CASE("fit_keep_best stops after `patience` epochs without improvement and restores the best weights") {
  const auto train = blobs(200, 4.0, 3);
  tn::Model<SigmoidHead> model{4};
  model.compile(tn::Adam{0.01}, tn::BinaryCrossentropy{});
  const std::vector<double> scores = {0.5, 0.7, 0.6, 0.65, 0.9};  // epoch 5 would win, if it ran
  std::vector<std::vector<float>> weights_after;                 // after each epoch
  std::vector<std::size_t> epochs_begun;
  std::size_t calls = 0;
  const auto result = tn::fit_keep_best(
      model, train.x, train.y, {.batch_size = 32, .epochs = 5, .verbose = 0},
      {.monitor = "val_made_up",
       .score = [&] {
         weights_after.emplace_back(model.parameters().begin(), model.parameters().end());
         return scores[calls++];
       },
       .patience = 2,
       .on_epoch_begin = [&](std::size_t epoch) { epochs_begun.push_back(epoch); }});
  CHECK(result.best_epoch == 2);
  CHECK(result.best_score == 0.7);
  CHECK(result.stopped_early);
  CHECK(epochs_begun == std::vector<std::size_t>{1, 2, 3, 4});
  CHECK(result.history.epochs() == 4);
  CHECK(result.history["val_made_up"] == std::vector<double>{0.5, 0.7, 0.6, 0.65});
  REQUIRE(weights_after.size() == 4);
  CHECK(std::vector<float>(model.parameters().begin(), model.parameters().end()) == weights_after[1]);
  CHECK(weights_after[3] != weights_after[1]);  // the later epochs did train

  CHECK_THROWS_WITH_AS(tn::fit_keep_best(model, train.x, train.y, {.epochs = 1, .verbose = 0},
                                         {.monitor = "val_auc", .score = [] { return std::nan(""); }}),
                       "fit_keep_best: val_auc is nan after epoch 1", std::runtime_error);
}

}  // namespace test_keep_best
