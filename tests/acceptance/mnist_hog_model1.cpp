// Acceptance on real data: the lab's HOG model 1 (HOG 8 orientations, 4 px/cell = 392 features ->
// Dense 64 relu -> Dropout 0.5 -> Dense 10 softmax, RMSprop, batch 128, validation_split 0.1),
// trained on the raw images for 3 epochs instead of the lab's 50, must reach a test accuracy of
// at least 0.96 and a test loss below 0.13.
//
// Why these floors: with seeds 42, 1, 2, 3, 4 the 3-epoch run gave test accuracy 0.9694-0.9719
// and test loss 0.090-0.093 (the lab's 50-epoch run reports a test loss of 0.0939). 0.96 leaves
// about a point for other BLAS builds and thread counts, and is far above what the same head
// reaches in 3 epochs on HOG that loses the gradients' directions (seed 42: 0.727 with 1
// orientation, i.e. cell magnitudes only; 0.908 with 2), so HOG that bins wrongly fails it.
// Runs in about 2 s on 2 cores.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <iostream>

#include "typenet/data.hpp"
#include "typenet/typenet.hpp"

namespace mnist_hog_model1 {

namespace tn = typenet;

TEST_CASE("HOG model 1 on MNIST, 3 epochs: test accuracy >= 0.96") {
  const auto mnist = tn::data::load_mnist(TYPENET_MNIST_DIR);  // third_party/install.sh fetches it
  using HogModel1 = tn::Sequential<tn::Input<28, 28, 1>, tn::Hog<8, 4>, tn::Dense<64, tn::ReLU>, tn::Dropout<0.5>,
                                   tn::Dense<10, tn::Softmax>>;
  static_assert(HogModel1::param_count == 25802);
  tn::Model<HogModel1> model{42};
  model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
  const auto history = model.fit(mnist.train_images, tn::data::to_categorical(mnist.train_labels, 10),
                                 {.batch_size = 128, .epochs = 3, .verbose = 2, .validation_split = 0.1});
  const auto [loss, accuracy] = model.evaluate(mnist.test_images, tn::data::to_categorical(mnist.test_labels, 10));
  std::cout << "test loss " << loss << ", test accuracy " << accuracy << '\n';
  CHECK(history["val_accuracy"].back() >= 0.96);
  CHECK(accuracy >= 0.96);
  CHECK(loss < 0.13);

  // predict runs HOG itself on the raw images: its classes must score what evaluate scored.
  const auto probabilities = model.predict(mnist.test_images);
  const std::size_t count = mnist.test_labels.size();
  REQUIRE(probabilities.shape()[0] == count);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const float* row = probabilities.data() + i * 10;
    correct += static_cast<std::size_t>(std::max_element(row, row + 10) - row) == mnist.test_labels(i);
  }
  CHECK(static_cast<double>(correct) / static_cast<double>(count) == doctest::Approx(accuracy).epsilon(1e-9));
}

}  // namespace mnist_hog_model1
