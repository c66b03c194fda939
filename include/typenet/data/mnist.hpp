#pragma once
// The MNIST digits as the Keras lab uses them: 28x28 images scaled to [0, 1], labels 0-9.
#include "typenet/data/idx.hpp"  // programs that include this header also call read_idx_*

#include <cstdint>
#include <filesystem>

#include <xtensor/xtensor.hpp>

#include "typenet/config.hpp"

namespace typenet::data {

struct Mnist {
  xt::xtensor<float, 3> train_images, test_images;  // (count, 28, 28), pixels in [0, 1]
  xt::xtensor<std::uint8_t, 1> train_labels, test_labels;
};

// Loads the four MNIST files from `dir` (e.g. data/mnist as filled by third_party/install.sh).
Mnist load_mnist(const std::filesystem::path& dir);

}  // namespace typenet::data

#ifdef TYPENET_HEADER_ONLY
#include "typenet/data/mnist-inl.hpp"
#endif
