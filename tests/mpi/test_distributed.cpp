// Data-parallel training equals training alone. Run under `mpirun -np N` (CTest does N = 2, 3):
// every rank also trains the single-process reference itself, so each rank can compare.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "typenet/distributed.hpp"
#include "typenet/typenet.hpp"

namespace test_distributed {

namespace tn = typenet;
namespace dist = typenet::distributed;

namespace {

using Mlp = tn::Sequential<tn::Input<20>, tn::Dense<32, tn::ReLU>, tn::Dense<4, tn::Softmax>>;
using DropoutMlp = tn::Sequential<tn::Input<20>, tn::Dense<32, tn::ReLU>, tn::Dropout<0.5>, tn::Dense<4, tn::Softmax>>;

// Samples in [-1, 1)^20 whose class is the largest of four fixed linear scores: learnable, so
// the weights move far from where they started.
struct Problem {
  xt::xtensor<float, 2> x, y;
};

Problem make_problem(std::size_t samples, std::uint64_t seed) {
  tn::detail::Rng rule_rng(7), rng(seed);
  std::vector<float> rule(4 * 20);
  for (float& w : rule) w = rule_rng.uniform(-1.0f, 1.0f);
  Problem p{xt::xtensor<float, 2>::from_shape({samples, 20}), xt::zeros<float>({samples, std::size_t{4}})};
  for (std::size_t i = 0; i < samples; ++i) {
    for (std::size_t j = 0; j < 20; ++j) p.x(i, j) = rng.uniform(-1.0f, 1.0f);
    std::size_t best = 0;
    float best_score = -1e30f;
    for (std::size_t k = 0; k < 4; ++k) {
      float score = 0.0f;
      for (std::size_t j = 0; j < 20; ++j) score += rule[k * 20 + j] * p.x(i, j);
      if (score > best_score) best_score = score, best = k;
    }
    p.y(i, best) = 1.0f;
  }
  return p;
}

// max |a - b| / max(|b|, floor): relative, except that a weight near zero (where float32
// round-off of a sum has no relative meaning) is measured against the floor. The initial weights
// here are up to 0.34 in magnitude.
double relative_difference(std::span<const float> a, std::span<const float> b, double floor = 0.01) {
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(static_cast<double>(a[i]) - b[i]) / std::max<double>(std::abs(b[i]), floor));
  return worst;
}

// 1502 samples, 10% for validation: 1351 training rows, so with the global batch of 48 the last
// batch has 7 rows (shares 4/3 on 2 ranks, 2/2/3 on 3); 151 validation rows split unevenly too.
const Problem& problem() {
  static const Problem p = make_problem(1502, 1);
  return p;
}
const tn::FitOptions three_epochs{.batch_size = 48, .epochs = 3, .verbose = 0, .validation_split = 0.1};

}  // namespace

TEST_CASE("N ranks with per-rank batch B/N end with the weights one process reaches with batch B") {
  const dist::MpiTeam team;
  for (const tn::Optimizer& optimizer : {tn::Optimizer{tn::RMSprop{}}, tn::Optimizer{tn::Adam{}},
                                         tn::Optimizer{tn::SGD{.momentum = 0.9}}}) {
    CAPTURE(team.rank());
    CAPTURE(optimizer.index());
    tn::Model<Mlp> alone{11};
    alone.compile(optimizer, tn::CategoricalCrossentropy{});
    const tn::History h1 = alone.fit(problem().x, problem().y, three_epochs);

    // Seeded differently on every rank: the broadcast and the shared streams must make it rank 0's.
    tn::Model<Mlp> shared{11 + static_cast<std::uint64_t>(team.rank()) * 1000};
    shared.compile(optimizer, tn::CategoricalCrossentropy{});
    const tn::History hn = dist::fit(shared, problem().x, problem().y, three_epochs, team);

    const double difference = relative_difference(shared.parameters(), alone.parameters());
    const double moved = relative_difference(alone.parameters(), tn::Model<Mlp>{11}.parameters());
    if (team.is_root())
      MESSAGE(team.size() << " ranks, optimizer " << optimizer.index() << " (RMSprop, Adam, SGD): weights differ by "
                          << difference << " relative after 87 steps; training moved them by up to " << moved);
    CHECK(moved > 0.5);
    CHECK(difference < 1e-5);
    for (const char* metric : {"loss", "accuracy", "val_loss", "val_accuracy"})
      for (std::size_t epoch = 0; epoch < 3; ++epoch) {
        CAPTURE(metric);
        CAPTURE(epoch);
        CHECK(hn[metric][epoch] == doctest::Approx(h1[metric][epoch]).epsilon(1e-5));
      }
  }
}

TEST_CASE("the reduced evaluation equals the single-process one") {
  const dist::MpiTeam team;
  const Problem test = make_problem(503, 99);  // 503 rows: uneven shares, and a last batch of 247 at 256
  tn::Model<Mlp> model{5};
  model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
  dist::fit(model, problem().x, problem().y, {.batch_size = 48, .epochs = 4, .verbose = 0}, team);
  const tn::Evaluation alone = model.evaluate(test.x, test.y);
  const tn::Evaluation shared = dist::evaluate(model, test.x, test.y, 256, team);
  CHECK(shared.accuracy == alone.accuracy);  // counts of correct samples, summed
  // Each rank's GEMMs see other row counts than the process alone does, and OpenBLAS's kernels
  // (its small-matrix ones on AVX-512) round a row differently with the row count: the losses agree
  // to float rounding (measured 7.5e-10 relative on 2 ranks), not to the last bit. A share summed
  // twice or left out would move the loss by over 1e-3.
  CHECK(shared.loss == doctest::Approx(alone.loss).epsilon(1e-6));
  CHECK(alone.accuracy > 0.6);  // trained: the figures are not those of a constant model
  if (team.is_root())
    MESSAGE(team.size() << " ranks: test loss " << shared.loss << " (alone " << alone.loss << "), accuracy "
                        << shared.accuracy << " (alone " << alone.accuracy << ")");
}

TEST_CASE("dropout: ranks draw different masks, and a run repeats exactly") {
  const dist::MpiTeam team;
  const tn::FitOptions options{.batch_size = 48, .epochs = 2, .verbose = 0};
  auto train = [&] {
    tn::Model<DropoutMlp> model{3};
    model.compile(tn::Adam{}, tn::CategoricalCrossentropy{});
    dist::fit(model, problem().x, problem().y, options, team);
    return std::vector<float>(model.parameters().begin(), model.parameters().end());
  };
  const std::vector<float> first = train(), second = train();
  CHECK(first == second);

  // Every rank holds the same weights (the same summed gradients, the same steps).
  std::vector<float> low = first, high = first;
  MPI_Allreduce(MPI_IN_PLACE, low.data(), static_cast<int>(low.size()), MPI_FLOAT, MPI_MIN, team.communicator());
  MPI_Allreduce(MPI_IN_PLACE, high.data(), static_cast<int>(high.size()), MPI_FLOAT, MPI_MAX, team.communicator());
  CHECK(low == high);

  // Masks of rank r differ from rank 0's: with the same masks on every rank, the run would be
  // the single-process run whose dropout stream is rank 0's, which split_stream never gives.
  tn::detail::Rng a(17), b(17);
  team.split_stream(a);
  b.reseed(b.next() ^ 0x9e3779b97f4a7c15ULL);  // rank 0's fork
  const bool same_as_rank0 = a.next() == b.next();
  CHECK(same_as_rank0 == (team.rank() == 0));
}

TEST_CASE("BatchNormalization: every rank ends with the mean of the ranks' moving statistics") {
  using Normalised = tn::Sequential<tn::Input<20>, tn::Dense<32>, tn::BatchNormalization, tn::Activation<tn::ReLU>,
                                    tn::Dense<4, tn::Softmax>>;
  const dist::MpiTeam team;
  tn::Model<Normalised> model{9};
  model.compile(tn::Adam{}, tn::CategoricalCrossentropy{});
  const std::vector<float> initial(model.non_trainable_parameters().begin(), model.non_trainable_parameters().end());
  dist::fit(model, problem().x, problem().y, {.batch_size = 48, .epochs = 1, .verbose = 0}, team);
  std::vector<float> statistics(model.non_trainable_parameters().begin(), model.non_trainable_parameters().end());
  CHECK(statistics != initial);
  std::vector<float> low = statistics, high = statistics;
  MPI_Allreduce(MPI_IN_PLACE, low.data(), static_cast<int>(low.size()), MPI_FLOAT, MPI_MIN, team.communicator());
  MPI_Allreduce(MPI_IN_PLACE, high.data(), static_cast<int>(high.size()), MPI_FLOAT, MPI_MAX, team.communicator());
  CHECK(low == high);
}

TEST_CASE("metrics: the ranks' sums give the figures of one process") {
  const dist::MpiTeam team;
  const Problem test = make_problem(503, 98);
  tn::Model<Mlp> model{6};
  const std::vector<tn::Metric> metrics = {"accuracy", tn::metrics::AUC{}, tn::metrics::Precision{}, "mae"};
  model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{}, metrics);
  const tn::History h = dist::fit(model, problem().x, problem().y, three_epochs, team);
  CHECK(h.metrics() == std::vector<std::string>{"loss", "accuracy", "auc", "precision", "mae", "val_loss",
                                                "val_accuracy", "val_auc", "val_precision", "val_mae"});
  // The training figures too, on 1345 rows: the last batch has 1 row, so all ranks but one have
  // no share of it (and must add nothing to the epoch's sums).
  const Problem odd = make_problem(1345, 3);
  tn::Model<Mlp> solo{8}, ranks{8};
  solo.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{}, metrics);
  ranks.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{}, metrics);
  const tn::History h_solo = solo.fit(odd.x, odd.y, {.batch_size = 48, .epochs = 2, .verbose = 0});
  const tn::History h_ranks = dist::fit(ranks, odd.x, odd.y, {.batch_size = 48, .epochs = 2, .verbose = 0}, team);
  for (const std::string name : {"loss", "accuracy", "auc", "precision", "mae"})
    for (std::size_t e = 0; e < 2; ++e) {
      CAPTURE(name);
      CHECK(h_ranks[name][e] == doctest::Approx(h_solo[name][e]).epsilon(1e-5));
    }

  const tn::Evaluation alone = model.evaluate(test.x, test.y);
  const tn::Evaluation shared = dist::evaluate(model, test.x, test.y, 256, team);
  REQUIRE(shared.metrics.size() == 4);
  for (std::size_t m = 0; m < 4; ++m) {
    CAPTURE(alone.metrics[m].first);
    // Counts are exact; the AUC's buckets and the absolute errors round as the loss does (above).
    CHECK(shared.metrics[m].second == doctest::Approx(alone.metrics[m].second).epsilon(1e-6));
  }
}

TEST_CASE("callbacks: a stop on one rank stops every rank at the same batch; plateau decisions agree") {
  const dist::MpiTeam team;
  tn::Model<Mlp> model{7};
  model.compile(tn::SGD{.learning_rate = 0.05}, tn::CategoricalCrossentropy{});
  // Only the last rank has the stopping callback; it stops at epoch 2's fourth batch (epoch 1 has
  // 29 batches of 48 in 1351 rows).
  std::size_t batches = 0;
  auto count = std::make_shared<tn::LambdaCallback>();
  count->epoch_begin = [&](std::size_t, tn::Logs&) { batches = 0; };
  count->batch_end = [&](std::size_t batch, tn::Logs&) { ++batches; };
  struct StopAt : tn::Callback {
    void on_batch_end(std::size_t batch, tn::Logs&) override {
      static_cast<void>(batch);
      if (++seen == 29 + 4) model->stop_training = true;
    }
    std::size_t seen = 0;
  };
  tn::FitOptions options = three_epochs;
  options.callbacks = {count};
  if (team.rank() == team.size() - 1) options.callbacks.push_back(std::make_shared<StopAt>());
  const tn::History h = dist::fit(model, problem().x, problem().y, options, team);
  CHECK(h.epochs() == 2);
  CHECK(batches == 4);  // every rank ended epoch 2 after its fourth batch

  // ReduceLROnPlateau on every rank sees the team's val_loss, so every rank sets the same rate.
  auto plateau = std::make_shared<tn::ReduceLROnPlateau>(
      tn::ReduceLROnPlateau::Options{.monitor = "val_loss", .factor = 0.5, .patience = 1, .min_delta = 10.0});
  tn::FitOptions again = three_epochs;
  again.callbacks = {plateau};
  dist::fit(model, problem().x, problem().y, again, team);
  double rate = model.optimizer().learning_rate(), lowest = rate;
  MPI_Allreduce(MPI_IN_PLACE, &lowest, 1, MPI_DOUBLE, MPI_MIN, team.communicator());
  CHECK(rate == lowest);
  CHECK(rate == doctest::Approx(0.05 * 0.25));  // min_delta 10: no epoch improves; cut after epochs 1 and 2
}

// doctest's command line: the test cases run by every rank, and the job fails if any rank failed.
int run(const dist::MpiTeam& world, int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int failed = context.run();
  int any = failed != 0;
  MPI_Allreduce(MPI_IN_PLACE, &any, 1, MPI_INT, MPI_MAX, world.communicator());
  return any;
}

}  // namespace test_distributed
