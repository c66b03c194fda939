// A typenet user's program: a network, fit on a few samples, evaluate, save, load. It must compile
// and pass against an installed typenet and as a subproject (tests/consumer/run.cmake).
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <xtensor/xtensor.hpp>

#include <typenet/typenet.hpp>

namespace tn = typenet;

using Net = tn::Sequential<tn::Input<4>, tn::Dense<8, tn::ReLU>, tn::Dense<3, tn::Softmax>>;
static_assert(Net::param_count == 4 * 8 + 8 + 8 * 3 + 3);

int main() {
  auto x = xt::xtensor<float, 2>::from_shape({30, 4});
  auto y = xt::xtensor<int, 1>::from_shape({30});
  for (std::size_t i = 0; i < 30; ++i) {  // three classes, each with its own strongest feature
    y(i) = static_cast<int>(i % 3);
    for (std::size_t j = 0; j < 4; ++j) x(i, j) = static_cast<float>((i % 3 == j) + 0.1 * ((i * 7 + j) % 5));
  }
  tn::Model<Net> model{7};
  model.compile(tn::Adam{.learning_rate = 0.05}, tn::SparseCategoricalCrossentropy{});
  model.fit(x, y, {.batch_size = 10, .epochs = 40, .verbose = 0});
  const auto [loss, accuracy] = model.evaluate(x, y);

  const auto path = std::filesystem::temp_directory_path() / "typenet_consumer_test.typenet";
  model.save(path);
  auto loaded = tn::Model<Net>::load(path);
  std::filesystem::remove(path);
  const double loaded_loss = loaded.evaluate(x, y).loss;

  std::cout << "consumer: loss " << loss << ", accuracy " << accuracy << ", loaded loss " << loaded_loss << '\n';
  if (accuracy < 0.9 || std::abs(loaded_loss - loss) > 1e-6 * std::max(1.0, loss)) {
    std::cerr << "consumer: FAILED (accuracy must be >= 0.9 and the loaded model give the same loss)\n";
    return 1;
  }
  return 0;
}
