// Seconds per training epoch of the lab's model 1 (784 -> 512 sigmoid -> 10 softmax, RMSprop,
// batch 128, validation_split 0.1) on MNIST, next to the time the same epoch's sgemm calls
// take alone: the floor typenet can approach without a faster GEMM.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <CLI/CLI.hpp>

#include "typenet/data.hpp"
#include "typenet/detail/gemm.hpp"
#include "typenet/typenet.hpp"

namespace tn = typenet;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The sgemm calls of one epoch of 784-512-10 training at this batch size: forward of both
// layers, the weight gradients of both, the input gradient of the second.
double gemm_only_epoch(std::size_t samples, std::size_t batch) {
  using tn::detail::gemm;
  using tn::detail::Transpose;
  const std::size_t in = 784, hidden = 512, out = 10;
  std::vector<float> x(batch * in, 0.5f), w1(in * hidden, 0.01f), h(batch * hidden), w2(hidden * out, 0.01f),
      y(batch * out), dy(batch * out, 0.01f), dh(batch * hidden), g1(in * hidden), g2(hidden * out);
  const auto start = Clock::now();
  for (std::size_t done = 0; done < samples; done += batch) {
    const std::size_t b = std::min(batch, samples - done);
    gemm(Transpose::no, Transpose::no, b, hidden, in, x.data(), w1.data(), h.data());
    gemm(Transpose::no, Transpose::no, b, out, hidden, h.data(), w2.data(), y.data());
    gemm(Transpose::yes, Transpose::no, hidden, out, b, h.data(), dy.data(), g2.data());
    gemm(Transpose::no, Transpose::yes, b, hidden, out, dy.data(), w2.data(), dh.data());
    gemm(Transpose::yes, Transpose::no, in, hidden, b, x.data(), dh.data(), g1.data());
  }
  return seconds_since(start);
}

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
    gemm_s.push_back(gemm_only_epoch(train, batch));
  }
  std::printf("W1 model 1, batch %zu, %zu train samples, median of %zu epochs\n", batch, train, epochs);
  std::printf("  typenet    %.3f s/epoch (val accuracy %.4f after %zu epochs)\n", median(typenet_s), accuracy, epochs);
  std::printf("  sgemm only %.3f s/epoch\n", median(gemm_s));
  std::printf("  ratio      %.2fx the GEMM-only floor\n", median(typenet_s) / median(gemm_s));
  return 0;
}
