// Acceptance on real data: the lab's model 1 (784 -> 512 sigmoid -> 10 softmax, RMSprop,
// batch 128, validation_split 0.1) trained for 3 epochs on all of MNIST must reach a test
// accuracy of at least 0.94 (the lab's run reaches about 0.97 after 10 epochs).
#include <doctest/doctest.h>

#include <iostream>

#include "typenet/data.hpp"
#include "typenet/typenet.hpp"

namespace mnist_model1 {

namespace tn = typenet;

TEST_CASE("model 1 on MNIST, 3 epochs: test accuracy >= 0.94") {
  const auto mnist = tn::data::load_mnist(TYPENET_MNIST_DIR);  // third_party/install.sh fetches it
  using Model1 = tn::Sequential<tn::Input<28, 28, 1>, tn::Flatten, tn::Dense<512, tn::Sigmoid>, tn::Dense<10, tn::Softmax>>;
  tn::Model<Model1> model{42};
  model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
  const auto history = model.fit(mnist.train_images, tn::data::to_categorical(mnist.train_labels, 10),
                                 {.batch_size = 128, .epochs = 3, .verbose = 2, .validation_split = 0.1});
  const auto [loss, accuracy] = model.evaluate(mnist.test_images, tn::data::to_categorical(mnist.test_labels, 10));
  std::cout << "test loss " << loss << ", test accuracy " << accuracy << '\n';
  CHECK(history["val_accuracy"].back() >= 0.94);
  CHECK(accuracy >= 0.94);
  CHECK(loss < 0.25);
}

}  // namespace mnist_model1
