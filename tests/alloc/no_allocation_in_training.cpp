// The training step must not allocate once the first batch has sized the buffers. Every
// operator new in this program is counted; the test fails if a later step makes even one.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

#include <xtensor/xtensor.hpp>

#include "../support/random_arrays.hpp"
#include "typenet/typenet.hpp"

namespace {
std::atomic<std::size_t> allocations{0};
}

void* operator new(std::size_t size) {
  ++allocations;
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace tn = typenet;
using Net = tn::Sequential<tn::Input<28, 28, 1>, tn::Flatten, tn::Dense<64, tn::Sigmoid>, tn::Dropout<0.5>,
                           tn::Dense<32, tn::ReLU>, tn::Dense<10, tn::Softmax>>;

TEST_CASE("train_on_batch allocates nothing after the first batch, with every optimizer") {
  const auto x_flat = tn::testing::random_matrix(32, 784, 1, 0.0f, 1.0f);
  xt::xtensor<float, 4> x = xt::xtensor<float, 4>::from_shape({32, 28, 28, 1});
  std::copy(x_flat.begin(), x_flat.end(), x.begin());
  const auto y = tn::testing::one_hot_cycle(32, 10);
  for (tn::Optimizer optimizer : {tn::Optimizer{tn::RMSprop{}}, tn::Optimizer{tn::Adam{}},
                                  tn::Optimizer{tn::SGD{.momentum = 0.9}}}) {
    tn::Model<Net> model{3};
    model.compile(optimizer, tn::CategoricalCrossentropy{});
    model.train_on_batch(x, y);
    const std::size_t before = allocations.load();
    for (int step = 0; step < 5; ++step) model.train_on_batch(x, y);
    CHECK(allocations.load() - before == 0);
  }
}

// Allocations made by one epoch of fit over `samples` rows, batch 16.
template <class Network>
std::size_t allocations_of_fit(std::size_t samples, std::uint64_t data_seed) {
  const auto x = tn::testing::random_matrix(samples, 784, data_seed, 0.0f, 1.0f);
  const auto y = tn::testing::one_hot_cycle(samples, 10);
  tn::Model<Network> model{3};
  model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
  const std::size_t before = allocations.load();
  model.fit(x, y, {.batch_size = 16, .epochs = 1, .verbose = 0});
  return allocations.load() - before;
}

TEST_CASE("fit allocates the same whether an epoch has 4 steps or 40") {
  const std::size_t few = allocations_of_fit<Net>(64, 2), many = allocations_of_fit<Net>(640, 2);
  INFO("allocations: " << few << " for 4 steps, " << many << " for 40 steps");
  CHECK(few == many);
}

// Convolutions (im2col in the layer's scratch), a fused convolution + max pooling, strided and
// 'same' padding, average pooling and BatchNormalization (its moving statistics) allocate nothing either.
using Cnn = tn::Sequential<tn::Input<28, 28, 1>, tn::Conv2D<8, 3, 3, tn::ReLU, tn::Same>, tn::MaxPool2D<2>,
                           tn::BatchNormalization, tn::Conv2D<16, 3, 3, tn::ReLU, tn::Valid, 2>, tn::AvgPool2D<2>,
                           tn::Dropout<0.25>, tn::Flatten, tn::Dense<32, tn::ReLU>, tn::Dense<10, tn::Softmax>>;

TEST_CASE("a CNN's training step allocates nothing after the first batch") {
  const auto x = tn::testing::random_matrix(32, 784, 4, 0.0f, 1.0f);
  const auto y = tn::testing::one_hot_cycle(32, 10);
  tn::Model<Cnn> model{3};
  model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
  model.train_on_batch(x, y);
  const std::size_t before = allocations.load();
  for (int step = 0; step < 5; ++step) model.train_on_batch(x, y);
  CHECK(allocations.load() - before == 0);
}

TEST_CASE("a CNN's fit allocates the same whether an epoch has 4 steps or 40") {
  const std::size_t few = allocations_of_fit<Cnn>(64, 5), many = allocations_of_fit<Cnn>(640, 5);
  INFO("allocations: " << few << " for 4 steps, " << many << " for 40 steps");
  CHECK(few == many);
}
