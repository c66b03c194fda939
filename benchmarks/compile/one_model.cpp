// The smallest program a user writes: one network, trained, evaluated, summarised and saved. Its
// compile time (benchmarks/compile/measure) is the figure "a program with one model";
// one_model_load.cpp is the same program loading the model back.
#include <algorithm>
#include <iostream>

#include <typenet/data.hpp>
#include <typenet/typenet.hpp>

namespace tn = typenet;

// MNIST comes as (N, 28, 28) images; Flatten makes them the 784-wide rows of the lab's MLP.
using Net = tn::Sequential<tn::Input<28, 28>, tn::Flatten, tn::Dense<512, tn::Sigmoid>, tn::Dropout<0.5>,
                           tn::Dense<10, tn::Softmax>>;

int main(int argc, char** argv) {
  const auto mnist = tn::data::load_mnist(argc > 1 ? argv[1] : TYPENET_DEFAULT_MNIST_DIR);
  const auto y_train = tn::data::to_categorical(mnist.train_labels, 10);
  const auto y_test = tn::data::to_categorical(mnist.test_labels, 10);

  tn::Model<Net> model{42};
  model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
  model.summary(std::cout);
  const tn::History history = model.fit(mnist.train_images, y_train, {.batch_size = 128, .epochs = 1, .validation_split = 0.1});
  const auto [loss, accuracy] = model.evaluate(mnist.test_images, y_test);
  const auto probabilities = model.predict(mnist.test_images);
  std::cout << "test loss " << loss << ", accuracy " << accuracy << ", first prediction "
            << std::max_element(probabilities.data(), probabilities.data() + 10) - probabilities.data() << '\n';
  history.write_csv("history.csv");
  model.save("model.typenet");
#ifdef TYPENET_ONE_MODEL_LOADS
  auto loaded = tn::Model<Net>::load("model.typenet");
  std::cout << "loaded: test loss " << loaded.evaluate(mnist.test_images, y_test).loss << '\n';
#endif
}
