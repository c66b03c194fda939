// one_model.cpp written with dlib's DNN (Debian's libdlib-dev), for the compile-time comparison of
// benchmarks/compile/measure --peers: the same network (784-512 sigmoid, dropout 0.5, 10 softmax
// with cross-entropy: loss_multiclass_log), one epoch of batches of 128 on the first 90% of the
// training images, the last 10% held out, then evaluate, predict, a summary and a save.
//
// dlib has no RMSprop: its trainer's solvers are sgd and adam, and this uses adam (learning rate
// 1e-3, betas 0.9 and 0.999, no weight decay). dlib's dropout is always on, so evaluation and
// prediction go through a copy of the network with dropout replaced by its scaling (multiply), as
// dlib's documentation prescribes, topped by softmax for the probabilities.
//
//   ./one_model_dlib data/mnist     # the four raw IDX files
#include <dlib/data_io.h>
#include <dlib/dnn.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

namespace {

using Image = dlib::matrix<float>;
using Net = dlib::loss_multiclass_log<dlib::fc<10, dlib::dropout<dlib::sig<dlib::fc<512, dlib::input<Image>>>>>>;
using TestNet = dlib::loss_multiclass_log<dlib::fc<10, dlib::multiply<dlib::sig<dlib::fc<512, dlib::input<Image>>>>>>;
using Probabilities = dlib::softmax<TestNet::subnet_type>;

// Pixels scaled to [0, 1], as the other programs see them.
std::vector<Image> scaled(const std::vector<dlib::matrix<unsigned char>>& images) {
  std::vector<Image> out;
  out.reserve(images.size());
  for (const auto& image : images) out.push_back(dlib::matrix_cast<float>(image) / 255.0f);
  return out;
}

// Softmax outputs of `net` for x[begin, end), one row per image.
dlib::matrix<float> predict(const Net& net, const std::vector<Image>& x, std::size_t begin, std::size_t end) {
  Probabilities probabilities;
  probabilities.subnet() = TestNet(net).subnet();
  return dlib::mat(probabilities(x.begin() + static_cast<long>(begin), x.begin() + static_cast<long>(end)));
}

// Mean cross-entropy and accuracy of `net` on x[begin, end).
std::pair<double, double> evaluate(const Net& net, const std::vector<Image>& x, const std::vector<unsigned long>& y,
                                   std::size_t begin, std::size_t end) {
  const dlib::matrix<float> p = predict(net, x, begin, end);
  double loss = 0, correct = 0;
  for (long i = 0; i < p.nr(); ++i) {
    loss -= std::log(std::max(p(i, static_cast<long>(y[begin + i])), 1e-7f));
    correct += dlib::index_of_max(dlib::rowm(p, i)) == static_cast<long>(y[begin + i]);
  }
  return {loss / static_cast<double>(p.nr()), correct / static_cast<double>(p.nr())};
}

}  // namespace

int main(int argc, char** argv) try {
  std::vector<dlib::matrix<unsigned char>> train_raw, test_raw;
  std::vector<unsigned long> y, y_test;
  dlib::load_mnist_dataset(argc > 1 ? argv[1] : "data/mnist", train_raw, y, test_raw, y_test);
  const std::vector<Image> x = scaled(train_raw), x_test = scaled(test_raw);
  const std::size_t n_train = x.size() - x.size() / 10;  // Keras's validation_split: the last 10%
  const std::vector<Image> x_train(x.begin(), x.begin() + static_cast<long>(n_train));
  const std::vector<unsigned long> y_train(y.begin(), y.begin() + static_cast<long>(n_train));

  std::srand(42);  // dlib's layers draw their initial weights from std::rand()
  Net net;
  std::cout << net << '\n';

  dlib::dnn_trainer<Net, dlib::adam> trainer(net, dlib::adam(0.0, 0.9, 0.999));
  trainer.set_learning_rate(1e-3);
  trainer.set_mini_batch_size(128);
  trainer.set_max_num_epochs(1);
  trainer.be_verbose();
  trainer.train(x_train, y_train);  // shuffles, then one pass
  net.clean();
  const auto [val_loss, val_accuracy] = evaluate(net, x, y, n_train, x.size());
  std::cout << "epoch 1: loss " << trainer.get_average_loss() << ", val_loss " << val_loss << ", val_accuracy "
            << val_accuracy << '\n';

  const auto [loss, accuracy] = evaluate(net, x_test, y_test, 0, x_test.size());
  const dlib::matrix<float> probabilities = predict(net, x_test, 0, x_test.size());
  std::cout << "test loss " << loss << ", accuracy " << accuracy << ", first prediction "
            << dlib::index_of_max(dlib::rowm(probabilities, 0)) << '\n';
  std::ofstream("history.csv") << "epoch,loss,val_loss,val_accuracy\n1," << trainer.get_average_loss() << ','
                               << val_loss << ',' << val_accuracy << '\n';
  dlib::serialize("model.dat") << net;
  return 0;
} catch (const std::exception& e) {
  std::cerr << "one_model_dlib: " << e.what() << '\n';
  return 1;
}
