// A batch split into slices that threads run side by side (Model's workers) must give what the
// whole batch gives on one thread: the same gradients (summation order aside), predictions and
// evaluations; for BatchNormalization, which normalises each slice by its own statistics, the
// gradients and moving averages of the slices computed one at a time.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "support/gradient_check.hpp"
#include "support/random_arrays.hpp"
#include "typenet/typenet.hpp"

namespace test_engine {

namespace tn = typenet;
using tn::testing::one_hot_cycle;
using tn::testing::random_matrix;

namespace {

using Mlp = tn::Sequential<tn::Input<12>, tn::Dense<16, tn::Sigmoid>, tn::Dense<8, tn::ReLU>, tn::Dense<3, tn::Softmax>>;
using Cnn = tn::Sequential<tn::Input<6, 6, 2>, tn::Conv2D<4, 3, 3, tn::ReLU>, tn::MaxPooling2D<2>,
                           tn::BatchNormalization, tn::Flatten, tn::Dense<3, tn::Softmax>>;
using WithDropout = tn::Sequential<tn::Input<10>, tn::Dense<12, tn::ReLU>, tn::Dropout<0.5>, tn::Dense<3, tn::Softmax>>;

constexpr std::size_t batch = 128;  // two slices of 64 on two threads

// Runs f with typenet using `n` threads, then restores what was used before.
template <class F>
void with_threads(std::size_t n, F&& f) {
  const std::size_t before = tn::thread_count();
  tn::set_num_threads(n);
  f();
  tn::set_num_threads(before);
}

bool two_threads_available() {
  bool available = false;
  with_threads(2, [&] { available = tn::thread_count() == 2; });
  if (!available) MESSAGE("this machine runs typenet on one thread: batches are never split here");
  return available;
}

template <class Net>
std::vector<float> gradients_of(const xt::xtensor<float, 2>& x, const xt::xtensor<float, 2>& y, double* loss = nullptr,
                                std::vector<float>* moving = nullptr) {
  tn::Model<Net> model(5);
  model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
  const double l = model.compute_gradients(x, y);
  if (loss) *loss = l;
  if (moving) moving->assign(model.non_trainable_parameters().begin(), model.non_trainable_parameters().end());
  return {model.gradients().begin(), model.gradients().end()};
}

void check_close(const std::vector<float>& a, const std::vector<float>& b, double tolerance) {
  REQUIRE(a.size() == b.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(double(a[i]) - double(b[i])) / (1e-3 + std::abs(double(b[i]))));
  CHECK(worst <= tolerance);
}

}  // namespace

TEST_CASE("a split batch gives the whole batch's gradients and loss") {
  if (!two_threads_available()) return;
  const auto x = random_matrix(batch, 12, 3);
  const auto y = one_hot_cycle(batch, 3);
  double loss_one = 0.0, loss_two = 0.0;
  std::vector<float> one, two;
  with_threads(1, [&] { one = gradients_of<Mlp>(x, y, &loss_one); });
  with_threads(2, [&] { two = gradients_of<Mlp>(x, y, &loss_two); });
  CHECK(loss_two == doctest::Approx(loss_one).epsilon(1e-6));
  check_close(two, one, 1e-5);
}

TEST_CASE("BatchNormalization in a split batch: each slice's statistics, the moving averages averaged") {
  if (!two_threads_available()) return;
  const auto x = random_matrix(batch, 72, 8, -1.0f, 2.0f);
  const auto y = one_hot_cycle(batch, 3);
  std::vector<float> split, split_moving;
  with_threads(2, [&] { split = gradients_of<Cnn>(x, y, nullptr, &split_moving); });

  // The same slices, one at a time on one thread: the gradient of the batch is their mean.
  std::vector<float> expected(split.size(), 0.0f), expected_moving(split_moving.size(), 0.0f);
  with_threads(1, [&] {
    for (std::size_t half = 0; half < 2; ++half) {
      const xt::xtensor<float, 2> xs = xt::view(x, xt::range(half * 64, half * 64 + 64), xt::all());
      const xt::xtensor<float, 2> ys = xt::view(y, xt::range(half * 64, half * 64 + 64), xt::all());
      std::vector<float> moving;
      const auto g = gradients_of<Cnn>(xs, ys, nullptr, &moving);
      for (std::size_t i = 0; i < g.size(); ++i) expected[i] += 0.5f * g[i];
      for (std::size_t i = 0; i < moving.size(); ++i) expected_moving[i] += 0.5f * moving[i];
    }
  });
  check_close(split, expected, 1e-4);
  check_close(split_moving, expected_moving, 1e-6);
}

TEST_CASE("predict and evaluate do not depend on the number of threads") {
  if (!two_threads_available()) return;
  const auto x = random_matrix(300, 72, 9);
  const auto y = one_hot_cycle(300, 3);
  tn::Model<Cnn> model(4);
  model.compile(tn::Adam{}, tn::CategoricalCrossentropy{});
  model.fit(x, y, {.batch_size = 100, .epochs = 1, .verbose = 0});  // moves the moving statistics
  xt::xtensor<float, 2> one, two;
  tn::Evaluation e1, e2;
  with_threads(1, [&] { one = model.predict(x, 256); e1 = model.evaluate(x, y, 256); });
  with_threads(2, [&] { two = model.predict(x, 256); e2 = model.evaluate(x, y, 256); });
  REQUIRE(one.shape() == two.shape());
  CHECK(xt::amax(xt::abs(one - two))() <= 1e-6f);
  CHECK(e2.loss == doctest::Approx(e1.loss).epsilon(1e-6));
  CHECK(e2.accuracy == e1.accuracy);
}

TEST_CASE("inference in chunks of rows gives what one row at a time gives") {
  // A written output of 24x24x64 floats (the Tanh convolution): chunks of 16 rows, so that a slice
  // of 40 rows runs as 16 + 16 + 8, rows 16 and 32 on. Then a ReLU convolution that pools its own
  // outputs (no output of its own in inference), a view and a dense layer.
  using Net = tn::Sequential<tn::Input<24, 24, 3>, tn::Conv2D<64, 3, 3, tn::Tanh, tn::Same>, tn::Conv2D<32, 3, 3, tn::ReLU>,
                             tn::MaxPool2D<2>, tn::Flatten, tn::Dense<5, tn::Softmax>>;
  static_assert(tn::Engine<Net>::inference_chunk_rows == 16);
  static_assert(tn::Engine<Net>::pools_next_in_inference[2] == tn::Engine<Net>::layer<2>::runs_winograd);
  const std::size_t rows = 40;
  const auto x = random_matrix(rows, 24 * 24 * 3, 91);
  const auto y = one_hot_cycle(rows, 5);
  tn::Model<Net> model(6);
  model.compile(tn::Adam{}, tn::CategoricalCrossentropy{});
  xt::xtensor<float, 2> chunked, alone;
  tn::Evaluation e_chunked, e_alone;
  with_threads(1, [&] {  // one worker: its slice is the whole batch of 40
    chunked = model.predict(x, rows);
    e_chunked = model.evaluate(x, y, rows);
    alone = model.predict(x, 1);
    e_alone = model.evaluate(x, y, 1);
  });
  REQUIRE(chunked.shape() == alone.shape());
  CHECK(xt::amax(xt::abs(chunked - alone))() <= 1e-6f);
  CHECK(e_chunked.loss == doctest::Approx(e_alone.loss).epsilon(1e-6));
  CHECK(e_chunked.accuracy == e_alone.accuracy);
}

TEST_CASE("gradients through dropout in a split batch pass the finite-difference check") {
  if (!two_threads_available()) return;
  with_threads(2, [&] {
    tn::testing::require_gradients<WithDropout>(tn::CategoricalCrossentropy{}, random_matrix(batch, 10, 12),
                                               one_hot_cycle(batch, 3), {.stride = 3});
  });
}

namespace {

// A team of one process that says it averages gradients: fit then sums the workers' gradient
// shares before the optimizer's step, as it does for MPI, instead of letting the step sum them.
struct SumsFirst {
  std::pair<std::size_t, std::size_t> share(std::size_t begin, std::size_t end) const { return {begin, end}; }
  void average_gradients(std::span<float>, std::size_t, std::size_t) const {}
  void sum(std::span<double>) const {}
  void share_stream(tn::detail::Rng&) const {}
  void split_stream(tn::detail::Rng&) const {}
};

template <class Net, class Optimizer, class Team>
std::vector<float> trained(const xt::xtensor<float, 2>& x, const xt::xtensor<float, 2>& y, Optimizer optimizer,
                           const Team& team) {
  tn::Model<Net> model(6);
  model.compile(optimizer, tn::CategoricalCrossentropy{});
  model.fit(x, y, {.batch_size = 128, .epochs = 2, .verbose = 0}, team);
  return {model.parameters().begin(), model.parameters().end()};
}

}  // namespace

TEST_CASE("fit alone: the optimizer's step on the summed workers' shares equals summing first") {
  if (!two_threads_available()) return;
  static_assert(tn::detail::averages_gradients(SumsFirst{}) && !tn::detail::averages_gradients(tn::Solo{}));
  const auto x10 = random_matrix(4 * batch, 10, 11), x12 = random_matrix(4 * batch, 12, 12);
  const auto y = one_hot_cycle(4 * batch, 3);
  with_threads(2, [&] {
    check_close(trained<WithDropout>(x10, y, tn::RMSprop{}, tn::Solo{}),
                trained<WithDropout>(x10, y, tn::RMSprop{}, SumsFirst{}), 1e-6);
    check_close(trained<WithDropout>(x10, y, tn::Adam{}, tn::Solo{}), trained<WithDropout>(x10, y, tn::Adam{}, SumsFirst{}),
                1e-6);
    check_close(trained<Mlp>(x12, y, tn::SGD{.momentum = 0.9}, tn::Solo{}),
                trained<Mlp>(x12, y, tn::SGD{.momentum = 0.9}, SumsFirst{}), 1e-6);
  });
  // And both agree with one thread, to the rounding of a different summation order.
  std::vector<float> one;
  with_threads(1, [&] { one = trained<Mlp>(x12, y, tn::RMSprop{}, tn::Solo{}); });
  with_threads(2, [&] { check_close(trained<Mlp>(x12, y, tn::RMSprop{}, tn::Solo{}), one, 1e-4); });
}

}  // namespace test_engine
