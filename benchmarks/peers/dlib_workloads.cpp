// dlib's side of benchmarks/run: the same workloads as bench_typenet with dlib's DNN (Debian's
// libdlib-dev), printed as one JSON object.
//
// dlib has no RMSprop, so it trains with Adam at Keras's defaults (learning rate 1e-3, betas 0.9
// and 0.999, no weight decay); its trainer's automatic learning-rate shrinking is switched off
// so that every framework runs the same schedule. dlib's trainer works in a thread of its own;
// get_net() waits for it, so each epoch's time includes all of its steps.
#include <dlib/dnn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "typenet/data/mnist.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Image = dlib::matrix<float>;

// Valid 3x3 convolutions: dlib pads by default (padding nr/2 at stride 1), Keras's default does not.
template <long Filters, typename Subnet>
using con3_valid = dlib::add_layer<dlib::con_<Filters, 3, 3, 1, 1, 0, 0>, Subnet>;

using W1 = dlib::loss_multiclass_log<dlib::fc<10, dlib::sig<dlib::fc<512, dlib::input<Image>>>>>;
using W2 = dlib::loss_multiclass_log<
    dlib::fc<10, dlib::dropout<dlib::relu<dlib::fc<256, dlib::dropout<dlib::sig<dlib::fc<512, dlib::input<Image>>>>>>>>>;
using W3 = dlib::loss_multiclass_log<dlib::fc<
    10, dlib::dropout<dlib::relu<dlib::fc<128, dlib::max_pool<2, 2, 2, 2, dlib::relu<con3_valid<64, dlib::max_pool<2, 2, 2, 2,
                                                                                                 dlib::relu<con3_valid<32, dlib::input<Image>>>>>>>>>>>>;

struct Data {
  std::vector<Image> train, test;
  std::vector<unsigned long> train_labels, test_labels;
};

// The first `samples` training and test images.
Data load(const std::string& dir, std::size_t samples) {
  const auto mnist = typenet::data::load_mnist(dir);
  auto images = [&](const auto& x) {
    std::vector<Image> out(std::min<std::size_t>(samples, x.shape()[0]));
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i].set_size(28, 28);
      std::copy(&x(i, 0, 0), &x(i, 0, 0) + 784, &out[i](0, 0));
    }
    return out;
  };
  auto labels = [&](const auto& y) {
    return std::vector<unsigned long>(y.begin(), y.begin() + static_cast<long>(std::min<std::size_t>(samples, y.size())));
  };
  return {images(mnist.train_images), images(mnist.test_images), labels(mnist.train_labels), labels(mnist.test_labels)};
}

template <class Net>
double accuracy(Net& net, const std::vector<Image>& x, const std::vector<unsigned long>& y, std::size_t begin, std::size_t end) {
  std::size_t correct = 0;
  for (std::size_t i = begin; i < end; i += 256) {
    const std::size_t stop = std::min(end, i + 256);
    const std::vector<Image> batch(x.begin() + static_cast<long>(i), x.begin() + static_cast<long>(stop));
    const auto predicted = net(batch);
    for (std::size_t j = 0; j < predicted.size(); ++j) correct += predicted[j] == y[i + j];
  }
  return static_cast<double>(correct) / static_cast<double>(end - begin);
}

// Trains on the first 90% of the training images (54,000), shuffled every epoch, then scores the
// 10% held out, as Keras's fit(validation_split=0.1) does; returns each epoch's seconds.
template <class Net>
std::vector<double> train_epochs(Net& net, const Data& d, std::size_t epochs, std::size_t batch, unsigned seed) {
  const std::size_t train = d.train.size() * 9 / 10;
  dlib::dnn_trainer<Net, dlib::adam> trainer(net, dlib::adam(0.0, 0.9, 0.999));
  trainer.set_learning_rate(0.001);
  trainer.set_min_learning_rate(1e-9);
  trainer.set_iterations_without_progress_threshold(1000000000);
  trainer.set_test_iterations_without_progress_threshold(1000000000);
  trainer.be_quiet();
  std::vector<std::size_t> order(train);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::mt19937 rng(seed);
  std::vector<double> seconds;
  std::vector<Image> xb;
  std::vector<unsigned long> yb;
  for (std::size_t e = 0; e < epochs; ++e) {
    const auto start = Clock::now();
    std::shuffle(order.begin(), order.end(), rng);
    for (std::size_t i = 0; i < train; i += batch) {
      xb.clear();
      yb.clear();
      for (std::size_t j = i; j < std::min(train, i + batch); ++j) xb.push_back(d.train[order[j]]), yb.push_back(d.train_labels[order[j]]);
      trainer.train_one_step(xb, yb);
    }
    trainer.get_net();
    net.clean();
    accuracy(net, d.train, d.train_labels, train, d.train.size());
    seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  return seconds;
}

std::string json_list(const std::vector<double>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

template <class Net>
void run(const std::string& workload, const Data& d, std::size_t epochs, std::size_t batch, unsigned seed) {
  std::srand(seed);  // dlib's layers seed their initial weights from std::rand()
  Net net;
  if (workload.rfind("W4-", 0) == 0) {
    train_epochs(net, d, 1, 128, seed);
    std::vector<double> rates;
    for (int r = 0; r < 5; ++r) {
      const auto start = Clock::now();
      accuracy(net, d.test, d.test_labels, 0, d.test.size());
      rates.push_back(static_cast<double>(d.test.size()) / std::chrono::duration<double>(Clock::now() - start).count());
    }
    std::printf("{\"workload\": \"%s\", \"unit\": \"img/s\", \"samples\": %s, \"test_accuracy\": %f, \"optimizer\": \"adam\"}\n",
                workload.c_str(), json_list(rates).c_str(), accuracy(net, d.test, d.test_labels, 0, d.test.size()));
    return;
  }
  const auto seconds = train_epochs(net, d, epochs, batch, seed);
  std::printf("{\"workload\": \"%s\", \"unit\": \"s/epoch\", \"epoch_seconds\": %s, \"test_accuracy\": %f, \"epochs\": %zu, "
              "\"optimizer\": \"adam\"}\n",
              workload.c_str(), json_list(seconds).c_str(), accuracy(net, d.test, d.test_labels, 0, d.test.size()), epochs);
}

}  // namespace

int main(int argc, char** argv) try {
  std::string workload, data_dir;
  std::size_t epochs = 2, batch = 128, samples = 60000;
  unsigned seed = 42;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--workload") workload = value;
    else if (flag == "--data") data_dir = value;
    else if (flag == "--epochs") epochs = std::stoul(value);
    else if (flag == "--batch") batch = std::stoul(value);
    else if (flag == "--samples") samples = std::stoul(value);
    else if (flag == "--seed") seed = static_cast<unsigned>(std::stoul(value));
    else throw std::invalid_argument("unknown flag " + flag);
  }
  if (workload.empty() || data_dir.empty())
    throw std::invalid_argument("usage: bench_dlib --workload W1|W2|W3|W4-W1|W4-W3 --data MNIST_DIR [--epochs N] [--batch N] [--samples N] [--seed N]");
  const Data d = load(data_dir, samples);
  if (workload == "W1" || workload == "W4-W1") run<W1>(workload, d, epochs, batch, seed);
  else if (workload == "W2") run<W2>(workload, d, epochs, batch, seed);
  else if (workload == "W3" || workload == "W4-W3") run<W3>(workload, d, epochs, batch, seed);
  else throw std::invalid_argument("unknown workload '" + workload + "'");
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_dlib: %s\n", e.what());
  return 1;
}
