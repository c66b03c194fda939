// one_model.cpp written with libtorch's C++ frontend (Debian's libtorch-dev 1.13), for the
// compile-time comparison of benchmarks/compile/measure --peers: the same network (784-512
// sigmoid, dropout 0.5, 10 softmax), RMSprop and cross-entropy, one epoch of batches of 128 with
// the last 10% of the training images held out, then evaluate, predict, a summary and a save.
//
// The batches are cut from the tensors by hand (randperm + index_select) rather than with
// torch::data's data loaders, which would only add templates to compile: the figure is a lower
// bound for libtorch. Softmax + cross-entropy is LogSoftmax + nll_loss, as PyTorch users write it.
//
//   ./one_model_libtorch data/mnist     # the four raw IDX files
#include <torch/torch.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>

namespace {

// Mean loss and accuracy of `net` on (x, y), in batches of 128, without gradients.
std::pair<double, double> evaluate(torch::nn::Sequential& net, const torch::Tensor& x, const torch::Tensor& y) {
  torch::NoGradGuard no_grad;
  net->eval();
  double loss = 0, correct = 0;
  for (int64_t i = 0; i < x.size(0); i += 128) {
    const int64_t n = std::min<int64_t>(128, x.size(0) - i);
    const auto output = net->forward(x.narrow(0, i, n));
    loss += torch::nll_loss(output, y.narrow(0, i, n), {}, at::Reduction::Sum).item<double>();
    correct += output.argmax(1).eq(y.narrow(0, i, n)).sum().item<double>();
  }
  return {loss / static_cast<double>(x.size(0)), correct / static_cast<double>(x.size(0))};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "data/mnist";
  torch::manual_seed(42);
  using torch::data::datasets::MNIST;  // reads the raw IDX files, pixels scaled to [0, 1]
  MNIST train_set(dir, MNIST::Mode::kTrain), test_set(dir, MNIST::Mode::kTest);
  const auto x = train_set.images().reshape({-1, 784}), y = train_set.targets();
  const auto x_test = test_set.images().reshape({-1, 784}), y_test = test_set.targets();
  const int64_t n_train = x.size(0) - x.size(0) / 10;  // Keras's validation_split: the last 10%
  const auto x_train = x.narrow(0, 0, n_train), y_train = y.narrow(0, 0, n_train);
  const auto x_val = x.narrow(0, n_train, x.size(0) - n_train), y_val = y.narrow(0, n_train, x.size(0) - n_train);

  torch::nn::Sequential net(torch::nn::Linear(784, 512), torch::nn::Sigmoid(), torch::nn::Dropout(0.5),
                            torch::nn::Linear(512, 10), torch::nn::LogSoftmax(1));
  // Keras's RMSprop defaults: learning rate 1e-3, rho 0.9, epsilon 1e-7.
  torch::optim::RMSprop optimizer(net->parameters(), torch::optim::RMSpropOptions(1e-3).alpha(0.9).eps(1e-7));
  int64_t parameters = 0;
  for (const auto& p : net->parameters()) parameters += p.numel();
  std::cout << *net << "\nparameters: " << parameters << '\n';

  // One epoch.
  net->train();
  const auto order = torch::randperm(n_train, torch::kLong);
  double train_loss = 0;
  for (int64_t i = 0; i < n_train; i += 128) {
    const auto batch = order.narrow(0, i, std::min<int64_t>(128, n_train - i));
    optimizer.zero_grad();
    const auto loss = torch::nll_loss(net->forward(x_train.index_select(0, batch)), y_train.index_select(0, batch));
    loss.backward();
    optimizer.step();
    train_loss += loss.item<double>() * static_cast<double>(batch.size(0));
  }
  const auto [val_loss, val_accuracy] = evaluate(net, x_val, y_val);
  std::cout << "epoch 1: loss " << train_loss / static_cast<double>(n_train) << ", val_loss " << val_loss
            << ", val_accuracy " << val_accuracy << '\n';

  const auto [loss, accuracy] = evaluate(net, x_test, y_test);
  torch::Tensor probabilities;
  {
    torch::NoGradGuard no_grad;
    probabilities = torch::exp(net->forward(x_test));
  }
  std::cout << "test loss " << loss << ", accuracy " << accuracy << ", first prediction "
            << probabilities[0].argmax().item<int64_t>() << '\n';
  std::ofstream("history.csv") << "epoch,loss,val_loss,val_accuracy\n1," << train_loss / static_cast<double>(n_train)
                               << ',' << val_loss << ',' << val_accuracy << '\n';
  torch::save(net, "model.pt");
}
