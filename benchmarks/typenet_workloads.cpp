// typenet's side of benchmarks/run: trains or runs one workload and prints one JSON object.
//   bench_typenet --workload W1 --epochs 3     -> {"unit": "s/epoch", "epoch_seconds": [...], ...}
//   bench_typenet --workload W4-W1             -> inference images per second, batch 256
//   bench_typenet --workload W0                -> sgemm GFLOP/s and each workload's GEMM-only floor
//   bench_typenet --workload W3 --samples 600  -> a smoke run on the first 600 images (CI)
// An epoch is what Keras's fit does with validation_split 0.1: train on 54,000 images, then
// evaluate the 6,000 held out. Thread counts come from OPENBLAS_NUM_THREADS/TYPENET_NUM_THREADS.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>


#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#ifdef TYPENET_HAVE_ONNX
#include "typenet/io/onnx.hpp"
#endif

#include "gemm_floor.hpp"
#include "mnist_subset.hpp"
#include "workload_networks.hpp"
#include "typenet/data.hpp"
#include "typenet/typenet.hpp"

namespace tn = typenet;
using Clock = std::chrono::steady_clock;

namespace {

using bench::W1;
using bench::W2;
using bench::W3;

// One training step of W3 as GEMMs: conv1 over 26x26 outputs of 3x3x1 patches, conv2 over 11x11
// outputs of 3x3x32 patches, then the two dense layers.
std::vector<bench::Gemm> w3_step(std::size_t b) {
  std::vector<bench::Gemm> step;
  bench::add_layer_gemms(step, b * 26 * 26, 9, 32, /*first=*/true);
  bench::add_layer_gemms(step, b * 11 * 11, 9 * 32, 64, false);
  bench::add_layer_gemms(step, b, 1600, 128, false);
  bench::add_layer_gemms(step, b, 128, 10, false);
  return step;
}

struct Data {
  tn::data::Mnist mnist;
  xt::xtensor<float, 2> y_train, y_test;
};

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

template <class Net>
nlohmann::json train(const Data& d, std::size_t epochs, std::size_t batch, std::uint64_t seed) {
  tn::Model<Net> model{seed};
  model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
  std::vector<double> seconds;
  for (std::size_t e = 0; e < epochs; ++e) {
    const auto start = Clock::now();
    model.fit(d.mnist.train_images, d.y_train, {.batch_size = batch, .epochs = 1, .verbose = 0, .validation_split = 0.1});
    seconds.push_back(seconds_since(start));
  }
  const auto result = model.evaluate(d.mnist.test_images, d.y_test);
  return {{"unit", "s/epoch"}, {"epoch_seconds", seconds}, {"test_accuracy", result.accuracy}, {"epochs", epochs}};
}

// Trains one epoch so that the accuracy means something, then times predict on the test set.
// With export_to, the trained network is also written there as ONNX, for ONNX Runtime's turn.
template <class Net>
nlohmann::json infer(const Data& d, std::size_t repeats, std::uint64_t seed, const std::string& export_to) {
  tn::Model<Net> model{seed};
  model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
  // As the peers do: 54,000 images trained, 6,000 held out.
  model.fit(d.mnist.train_images, d.y_train, {.batch_size = 128, .epochs = 1, .verbose = 0, .validation_split = 0.1});
#ifdef TYPENET_HAVE_ONNX
  if (!export_to.empty()) tn::onnx::save(model, export_to);
#else
  if (!export_to.empty()) throw std::invalid_argument("--export-onnx: this bench_typenet was built without typenet::onnx");
#endif
  std::vector<double> rates;
  double accuracy = 0.0;
  for (std::size_t r = 0; r < repeats; ++r) {
    const auto start = Clock::now();
    const auto p = model.predict(d.mnist.test_images, 256);
    rates.push_back(static_cast<double>(p.shape()[0]) / seconds_since(start));
    std::size_t correct = 0;
    for (std::size_t i = 0; i < p.shape()[0]; ++i)
      correct += static_cast<std::size_t>(std::max_element(&p(i, 0), &p(i, 0) + 10) - &p(i, 0)) == d.mnist.test_labels(i);
    accuracy = static_cast<double>(correct) / static_cast<double>(p.shape()[0]);
  }
  return {{"unit", "img/s"}, {"samples", rates}, {"test_accuracy", accuracy}};
}

nlohmann::json machine_ceiling() {
  nlohmann::json shapes = nlohmann::json::object();
  for (auto [m, n, k] : {std::array<std::size_t, 3>{128, 512, 784}, {784, 512, 128}, {128, 784, 512}, {128, 10, 512},
                         {128, 256, 512}, {4096, 4096, 4096}}) {
    shapes[std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k)] =
        bench::sgemm_gflops(m, n, k, m == 4096 ? 2 : 20);
  }
  return {{"unit", "GFLOP/s"},
          {"sgemm_gflops", shapes},
          {"gemm_only_seconds_per_epoch",
           {{"W1", bench::dense_gemm_epoch_seconds({{784, 512}, {512, 10}}, 54000, 128)},
            {"W2", bench::dense_gemm_epoch_seconds({{784, 512}, {512, 256}, {256, 10}}, 54000, 128)},
            {"W3", bench::gemm_epoch_seconds(w3_step, 54000, 128)}}}};
}

}  // namespace

int main(int argc, char** argv) try {
  std::string workload = "W1", data_dir = TYPENET_DEFAULT_MNIST_DIR;
  std::size_t epochs = 2, batch = 128, samples = 60000, repeats = 5;
  std::uint64_t seed = 42;
  std::string export_onnx;
  CLI::App app{"typenet side of benchmarks/run"};
  app.add_option("--workload", workload, "W0, W1, W2, W3, W4-W1, W4-W3")->required();
  app.add_option("--samples", samples, "use only the first N training and test images (smoke runs)")->capture_default_str();
  app.add_option("--epochs", epochs, "epochs to train and time")->capture_default_str();
  app.add_option("--batch", batch, "batch size")->capture_default_str();
  app.add_option("--repeats", repeats, "timed inference passes (W4)")->capture_default_str();
  app.add_option("--seed", seed, "initial weights and shuffling")->capture_default_str();
  app.add_option("--data", data_dir, "MNIST folder")->capture_default_str();
  app.add_option("--export-onnx", export_onnx, "W4: also write the trained network there as ONNX (for ONNX Runtime)");
  CLI11_PARSE(app, argc, argv);

  if (workload == "W0") {
    std::printf("%s\n", machine_ceiling().dump().c_str());
    return 0;
  }
  Data d{tn::data::load_mnist(data_dir), {}, {}};
  bench::keep_first(d.mnist, samples);
  d.y_train = tn::data::to_categorical(d.mnist.train_labels, 10);
  d.y_test = tn::data::to_categorical(d.mnist.test_labels, 10);
  const std::map<std::string, std::function<nlohmann::json()>> workloads = {
      {"W1", [&] { return train<W1>(d, epochs, batch, seed); }},
      {"W2", [&] { return train<W2>(d, epochs, batch, seed); }},
      {"W3", [&] { return train<W3>(d, epochs, batch, seed); }},
      {"W4-W1", [&] { return infer<W1>(d, repeats, seed, export_onnx); }},
      {"W4-W3", [&] { return infer<W3>(d, repeats, seed, export_onnx); }},
  };
  const auto found = workloads.find(workload);
  if (found == workloads.end()) throw std::invalid_argument("unknown workload '" + workload + "'");
  auto result = found->second();
  result["workload"] = workload;
  std::printf("%s\n", result.dump().c_str());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_typenet: %s\n", e.what());
  return 1;
}
