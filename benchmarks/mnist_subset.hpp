#pragma once
// Smoke runs of the benchmark programs train on the first few images only.
#include <algorithm>
#include <cstddef>
#include <type_traits>

#include <xtensor/xview.hpp>

#include "typenet/data/mnist.hpp"

namespace bench {

// Keeps the first `samples` training and test images and labels.
inline void keep_first(typenet::data::Mnist& mnist, std::size_t samples) {
  auto cut = [samples](auto& a) {
    if (samples >= a.shape()[0]) return;
    std::decay_t<decltype(a)> first = xt::view(a, xt::range(0, samples));
    a = std::move(first);
  };
  cut(mnist.train_images);
  cut(mnist.train_labels);
  cut(mnist.test_images);
  cut(mnist.test_labels);
}

}  // namespace bench
