// A process killed at any moment while saving must leave the old file or the new one, never a
// broken one. This program runs itself as a child that saves a large model over and over, each
// save with every weight set to the save's number, kills it with SIGKILL at a random moment,
// and loads the target: the load must succeed, hold one save's weights throughout, and never go
// back to an older save. It also checks that some kills did land in the middle of a save (a
// temporary file was left behind), so that it cannot pass by never interrupting one.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "typenet/typenet.hpp"

namespace tn = typenet;
namespace fs = std::filesystem;

namespace {

// About 4.2 million parameters, with SGD's momentum slot: 34 MB per save.
using Big = tn::Sequential<tn::Input<1024>, tn::Dense<2048, tn::ReLU>, tn::Dense<1024, tn::ReLU>, tn::Dense<10, tn::Softmax>>;

fs::path self_path;

tn::Model<Big> big_model() {
  tn::Model<Big> model{1};
  model.compile(tn::SGD{.momentum = 0.9}, tn::CategoricalCrossentropy{});
  return model;
}

// Saves generations first, first + 1, ... until killed.
[[noreturn]] void save_forever(const fs::path& target, float first) {
  auto model = big_model();
  for (float generation = first;; ++generation) {
    std::fill(model.parameters().begin(), model.parameters().end(), generation);
    model.save(target);
  }
}

std::size_t temporary_files(const fs::path& folder) {
  std::size_t n = 0;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.path().filename().string().find(".tmp.") != std::string::npos) ++n;
  return n;
}

}  // namespace

TEST_CASE("a save killed at any moment leaves the old file or the new one") {
  const fs::path folder = fs::temp_directory_path() / ("typenet_kill_test_" + std::to_string(::getpid()));
  fs::remove_all(folder);
  fs::create_directories(folder);
  const fs::path target = folder / "big.typenet";

  // Generation 0, and how long a child takes to get going and to save once.
  const auto start = std::chrono::steady_clock::now();
  {
    auto model = big_model();
    std::fill(model.parameters().begin(), model.parameters().end(), 0.0f);
    model.save(target);
  }
  const double one_save = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("building and saving the model once takes " << one_save << " s");

  std::mt19937_64 random(12345);
  std::uniform_real_distribution<double> moment(0.0, 4.0 * one_save);
  const int rounds = 24;
  float last = 0.0f;
  std::size_t interrupted = 0, advanced = 0;
  for (int round = 0; round < rounds; ++round) {
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      const std::string first = std::to_string(static_cast<long>(last) + 1);
      ::execl(self_path.c_str(), self_path.c_str(), "--save-forever", target.c_str(), first.c_str(),
              static_cast<char*>(nullptr));
      std::_Exit(127);
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(moment(random)));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL), "the child ended on its own, status " << status);

    // The target must load, whatever moment the kill hit.
    const auto loaded = tn::Model<Big>::load(target);
    const auto params = loaded.parameters();
    const float generation = params[0];
    CHECK_MESSAGE(std::all_of(params.begin(), params.end(), [&](float v) { return v == generation; }),
                  "round " << round << ": the weights mix saves");
    // Each child goes on from the generation the target holds, so the target never goes back.
    CHECK_MESSAGE(generation >= last, "round " << round << ": generation " << generation << " after " << last);
    if (generation > last) ++advanced;
    last = generation;

    if (temporary_files(folder) > 0) ++interrupted;
    for (const auto& entry : fs::directory_iterator(folder))
      if (entry.path() != target) fs::remove(entry.path());
  }
  MESSAGE(interrupted << " of " << rounds << " kills hit a save in progress; " << advanced
                      << " rounds found a file the child had completed");
  CHECK(interrupted > 0);
  CHECK(advanced > 0);
  fs::remove_all(folder);
}

int main(int argc, char** argv) {
  self_path = fs::canonical("/proc/self/exe");
  if (argc == 4 && std::strcmp(argv[1], "--save-forever") == 0) save_forever(argv[2], std::stof(argv[3]));
  doctest::Context context(argc, argv);
  return context.run();
}
