// Lab part 2a: multilayer perceptrons on the raw MNIST pixels, with the lab's settings
// (RMSprop with Keras's defaults, categorical cross-entropy, validation_split 0.1).
#include <typenet/data.hpp>
#include <typenet/typenet.hpp>

#include "common/lab_example.hpp"
#include "networks/mlp_raw_mnist.hpp"

namespace tn = typenet;
using namespace lab::mlp_raw_mnist;  // Starter, Model1, Model2, Model3

int main(int argc, char** argv) try {
  const auto options = lab::parse_options(argc, argv, "typenet: the lab's MLPs on raw MNIST pixels",
                                          {"starter", "model1", "model2", "model3"}, TYPENET_DEFAULT_MNIST_DIR,
                                          "results/mlp_raw_mnist");
  const auto mnist = tn::data::load_mnist(options.data_dir);
  // The lab reshapes each image to a row of 784 pixels.
  const auto x_train = lab::flatten_samples(mnist.train_images);
  const auto x_test = lab::flatten_samples(mnist.test_images);
  const auto y_train = tn::data::to_categorical(mnist.train_labels, 10);
  const auto y_test = tn::data::to_categorical(mnist.test_labels, 10);
  const lab::TestSet test{x_test, y_test, mnist.test_labels};
  const std::string part = "2a MLP on raw pixels";

  auto train = [&]<class Net>(const lab::ModelSpec& spec) {
    if (!options.wants(spec.name)) return;
    tn::Model<Net> model{options.seed};
    model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
    lab::run(model, spec, options, x_train, y_train, test, 10);
  };
  train.operator()<Starter>({part, "starter", "784 → Dense 2 sigmoid → Dense 10 softmax", 128, 3, {{}, 0.3846}});
  train.operator()<Model1>({part, "model1", "784 → Dense 512 sigmoid → Dense 10 softmax", 128, 10, {0.0904, {}}});
  train.operator()<Model2>(
      {part, "model2", "784 → Dense 512 sigmoid → Dropout 0.5 → Dense 10 softmax", 32, 20, {0.0712, 0.9798}});
  train.operator()<Model3>({part, "model3", "784 → Dense 512 sigmoid → Dropout 0.5 → Dense 256 relu → Dropout 0.5 → Dense 10 softmax",
                            128, 30, {0.0703, {}}});
  return 0;
} catch (const std::exception& e) {
  std::cerr << "mlp_raw_mnist: " << e.what() << '\n';
  return 1;
}
