// A fault on one rank: the last rank is given a label out of range, so its fit throws while the
// other ranks wait for it in the first all-reduce. The job must end with one line naming the
// rank and the cause (tests/mpi/expect_abort.cmake checks the exit status and the text).
// `distributed_tests rank_throws` runs it (tests/mpi/main.cpp).
#include <cstdio>

#include <xtensor/xtensor.hpp>

#include "typenet/distributed.hpp"
#include "typenet/typenet.hpp"

namespace rank_throws {

namespace tn = typenet;
namespace dist = typenet::distributed;

int run(const dist::MpiTeam& team) {
  using Net = tn::Sequential<tn::Input<8>, tn::Dense<4, tn::Softmax>>;
  xt::xtensor<float, 2> x = xt::zeros<float>({std::size_t{96}, std::size_t{8}});
  xt::xtensor<int, 1> labels = xt::zeros<int>({std::size_t{96}});
  if (team.rank() == team.size() - 1) labels(50) = 7;  // 4 classes: bad data on this rank only
  tn::Model<Net> model{1};
  model.compile(tn::SGD{}, tn::SparseCategoricalCrossentropy{});
  dist::or_abort([&] { return dist::fit(model, x, labels, {.batch_size = 32, .epochs = 50, .verbose = 0}, team); });
  std::puts("not reached: the job should have ended");
  return 0;
}

}  // namespace rank_throws
