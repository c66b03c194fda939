// One program for the distributed tests, so that typenet is parsed once for the three of them
// (tests/mpi/CMakeLists.txt). Its first argument chooses what every rank runs:
//   distributed_tests [doctest options]                       the test cases of test_distributed.cpp
//   distributed_tests rank_throws                             a job that a rank's fault must end
//   distributed_tests resume_after_abort crash|resume <path>  a job that ends, then one that resumes
#include <cstring>

#include "typenet/distributed.hpp"

namespace test_distributed {
int run(const typenet::distributed::MpiTeam& world, int argc, char** argv);
}
namespace rank_throws {
int run(const typenet::distributed::MpiTeam& team);
}
namespace resume_after_abort {
int run(const typenet::distributed::MpiTeam& team, int argc, char** argv);
}

int main(int argc, char** argv) {
  const typenet::distributed::MpiTeam world;  // initialises MPI before anything runs
  if (argc >= 2 && std::strcmp(argv[1], "rank_throws") == 0) return rank_throws::run(world);
  if (argc >= 2 && std::strcmp(argv[1], "resume_after_abort") == 0)
    return resume_after_abort::run(world, argc - 2, argv + 2);
  return test_distributed::run(world, argc, argv);
}
