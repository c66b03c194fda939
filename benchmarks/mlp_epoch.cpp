// Seconds per training epoch of the lab's model 1 (784 -> 512 sigmoid -> 10 softmax, RMSprop,
// batch 128, validation_split 0.1) on MNIST, next to the time the same epoch's sgemm calls
// take alone: the floor typenet can approach without a faster GEMM.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <CLI/CLI.hpp>

#include "gemm_floor.hpp"
#include "typenet/data.hpp"
#include "typenet/typenet.hpp"

namespace tn = typenet;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = TYPENET_DEFAULT_MNIST_DIR;
  std::size_t epochs = 3, batch = 128;
  CLI::App app{"typenet benchmark: seconds per epoch of the lab's model 1"};
  app.add_option("--data", data, "MNIST folder")->capture_default_str();
  app.add_option("--epochs", epochs, "epochs to time (the median is reported)")->capture_default_str();
  app.add_option("--batch", batch, "batch size")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const auto mnist = tn::data::load_mnist(data);
  const auto y = tn::data::to_categorical(mnist.train_labels, 10);
  using Model1 = tn::Sequential<tn::Input<28, 28, 1>, tn::Flatten, tn::Dense<512, tn::Sigmoid>, tn::Dense<10, tn::Softmax>>;
  tn::Model<Model1> model{42};
  model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});

  std::vector<double> typenet_s, gemm_s;
  double accuracy = 0.0;
  const std::size_t train = mnist.train_images.shape()[0] * 9 / 10;
  for (std::size_t e = 0; e < epochs; ++e) {
    const auto start = Clock::now();
    const auto h = model.fit(mnist.train_images, y, {.batch_size = batch, .epochs = 1, .verbose = 0, .validation_split = 0.1});
    typenet_s.push_back(seconds_since(start));
    accuracy = h["val_accuracy"].back();
    gemm_s.push_back(bench::dense_gemm_epoch_seconds({{784, 512}, {512, 10}}, train, batch));
  }
  std::printf("W1 model 1, batch %zu, %zu train samples, median of %zu epochs\n", batch, train, epochs);
  std::printf("  typenet    %.3f s/epoch (val accuracy %.4f after %zu epochs)\n", median(typenet_s), accuracy, epochs);
  std::printf("  sgemm only %.3f s/epoch\n", median(gemm_s));
  std::printf("  ratio      %.2fx the GEMM-only floor\n", median(typenet_s) / median(gemm_s));
  return 0;
}
