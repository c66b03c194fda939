// What distribution costs and where it pays: W1 or W3 trained data-parallel over MPI with the
// same global batch, started as `mpirun -np N bench_mpi --workload W1`. Rank 0 prints one JSON
// object: seconds per epoch, all-reduce seconds per step (including waiting for the slowest rank)
// and test accuracy. benchmarks/run --mpi runs it with 1 and 2 ranks.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "mnist_subset.hpp"
#include "workload_networks.hpp"
#include "typenet/data.hpp"
#include "typenet/distributed.hpp"
#include "typenet/typenet.hpp"

namespace tn = typenet;
using Clock = std::chrono::steady_clock;

namespace {

using bench::W1;
using bench::W3;

template <class Net>
nlohmann::json train(const tn::data::Mnist& mnist, std::size_t epochs, std::size_t batch, const tn::distributed::MpiTeam& team) {
  const auto y_train = tn::data::to_categorical(mnist.train_labels, 10);
  const auto y_test = tn::data::to_categorical(mnist.test_labels, 10);
  tn::Model<Net> model{42};
  model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
  std::vector<double> seconds;
  for (std::size_t e = 0; e < epochs; ++e) {
    const auto start = Clock::now();
    tn::distributed::fit(model, mnist.train_images, y_train,
                         {.batch_size = batch, .epochs = 1, .verbose = 0, .validation_split = 0.1}, team);
    seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  const auto test = tn::distributed::evaluate(model, mnist.test_images, y_test, 256, team);
  const double steps = static_cast<double>(team.gradient_reduces());
  return {{"unit", "s/epoch"},
          {"ranks", team.size()},
          {"epoch_seconds", seconds},
          {"allreduce_seconds_per_step", steps > 0 ? team.gradient_reduce_seconds() / steps : 0.0},
          {"test_accuracy", test.accuracy}};
}

}  // namespace

int main(int argc, char** argv) {
  return tn::distributed::or_abort([&] {
    std::string workload = "W1", data_dir = TYPENET_DEFAULT_MNIST_DIR;
    std::size_t epochs = 1, batch = 128, samples = 60000;
    CLI::App app{"W1/W3 trained data-parallel over MPI"};
    app.add_option("--workload", workload, "W1 or W3")->check(CLI::IsMember({"W1", "W3"}))->capture_default_str();
    app.add_option("--epochs", epochs, "epochs to train and time")->capture_default_str();
    app.add_option("--batch", batch, "global batch size")->capture_default_str();
    app.add_option("--samples", samples, "use only the first N training and test images")->capture_default_str();
    app.add_option("--data", data_dir, "MNIST folder")->capture_default_str();
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      return app.exit(e);
    }
    const tn::distributed::MpiTeam team;
    auto mnist = tn::data::load_mnist(data_dir);
    bench::keep_first(mnist, samples);
    auto result = workload == "W1" ? train<W1>(mnist, epochs, batch, team) : train<W3>(mnist, epochs, batch, team);
    result["workload"] = workload;
    if (team.rank() == 0) std::printf("%s\n", result.dump().c_str());
    return 0;
  });
}
