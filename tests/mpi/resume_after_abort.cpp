// After a job that a rank's fault ended, training resumes from the last checkpoint and finishes
// as the run that never stopped. tests/mpi/resume.cmake runs it twice under mpirun -np 2:
//   distributed_tests resume_after_abort crash  <checkpoint>   the last rank throws after epoch 3:
//                                                              the job ends
//   distributed_tests resume_after_abort resume <checkpoint>   load it on every rank, fit the
//                                                              epochs left, and compare with an
//                                                              uninterrupted distributed run
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <xtensor/xtensor.hpp>

#include "typenet/distributed.hpp"
#include "typenet/typenet.hpp"

namespace resume_after_abort {

namespace tn = typenet;
namespace dist = typenet::distributed;

namespace {

using Net = tn::Sequential<tn::Input<10>, tn::Dense<16, tn::ReLU>, tn::Dense<3, tn::Softmax>>;
constexpr std::size_t total_epochs = 6;

struct Data {
  xt::xtensor<float, 2> x = xt::xtensor<float, 2>::from_shape({600, 10});
  xt::xtensor<int, 1> y = xt::xtensor<int, 1>::from_shape({600});
  Data() {
    tn::detail::Rng rng(5);
    for (std::size_t i = 0; i < 600; ++i) {
      float sum = 0.0f;
      for (std::size_t j = 0; j < 10; ++j) sum += (x(i, j) = rng.uniform(-1.0f, 1.0f)) * static_cast<float>(j % 3 + 1);
      y(i) = sum < -1.0f ? 0 : sum < 1.0f ? 1 : 2;
    }
  }
};

tn::FitOptions options(std::size_t epochs) {
  return {.batch_size = 30, .epochs = epochs, .verbose = 0, .validation_split = 0.1};
}

tn::Model<Net> fresh_model() {
  tn::Model<Net> model{3};
  model.compile(tn::Adam{}, tn::SparseCategoricalCrossentropy{});
  return model;
}

}  // namespace

// argv: {"crash" or "resume", the checkpoint's path}
int run(const dist::MpiTeam& team, int argc, char** argv) {
  if (argc != 2) return 2;
  const Data data;
  const std::filesystem::path checkpoint = argv[1];

  if (std::strcmp(argv[0], "crash") == 0) {
    tn::Model<Net> model = fresh_model();
    tn::FitOptions o = options(total_epochs);
    if (team.rank() == team.size() - 1)
      o.on_epoch_end = [](std::size_t epoch) {
        if (epoch == 3) throw std::runtime_error("simulated fault after epoch 3");
      };
    dist::or_abort([&] { return dist::fit(model, data.x, data.y, o, team, checkpoint); });
    std::puts("not reached: the job should have ended");
    return 0;
  }

  // Every rank loads the checkpoint: rank 0 saved epoch 2 before epoch 3 began, and perhaps
  // epoch 3 before the abort reached it.
  tn::Model<Net> resumed = tn::Model<Net>::load(checkpoint);
  const std::size_t done = resumed.history()["loss"].size();
  dist::fit(resumed, data.x, data.y, options(total_epochs - done), team);

  tn::Model<Net> uninterrupted = fresh_model();
  dist::fit(uninterrupted, data.x, data.y, options(total_epochs), team);

  double worst = 0.0;
  for (std::size_t i = 0; i < resumed.parameters().size(); ++i)
    worst = std::max(worst, std::abs(static_cast<double>(resumed.parameters()[i]) - uninterrupted.parameters()[i]));
  const bool same_history = resumed.history()["val_loss"] == uninterrupted.history()["val_loss"];
  const bool ok = (done == 2 || done == 3) && worst == 0.0 && same_history;
  if (team.is_root())
    std::printf("resumed after %zu epochs; largest weight difference from the uninterrupted run %g; same History: %s\n",
                done, worst, same_history ? "yes" : "no");
  int failed = !ok;
  MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, team.communicator());
  return failed;
}

}  // namespace resume_after_abort
