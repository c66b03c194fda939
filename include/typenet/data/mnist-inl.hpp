#pragma once
// The definitions of data/mnist.hpp (typenet/config.hpp says where they are compiled).
#include <stdexcept>
#include <string>

#include <xtensor/xoperation.hpp>

#include "typenet/data/idx.hpp"
#include "typenet/data/mnist.hpp"

namespace typenet::data {

namespace detail {

// The files keep their original names; each may be plain or gzipped (name + ".gz"), since the
// official site serves .gz while most mirrors and packages ship them decompressed.
inline std::filesystem::path find_mnist_file(const std::filesystem::path& dir, const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw std::runtime_error("load_mnist: folder '" + dir.string() + "' does not exist or is not a folder");
  for (fs::path candidate : {dir / name, dir / (name + ".gz")})
    if (fs::exists(candidate, ec)) return candidate;
  throw std::runtime_error("load_mnist: folder '" + dir.string() + "' has neither '" + name + "' nor '" + name +
                           ".gz' (run third_party/install.sh to fetch MNIST)");
}

inline constexpr std::size_t mnist_side = 28;

// Reads one images/labels pair, checks they describe the same examples, and scales pixels.
inline void load_mnist_split(const std::filesystem::path& dir, const std::string& prefix,
                             xt::xtensor<float, 3>& images, xt::xtensor<std::uint8_t, 1>& labels) {
  const auto images_path = find_mnist_file(dir, prefix + "-images-idx3-ubyte");
  const auto labels_path = find_mnist_file(dir, prefix + "-labels-idx1-ubyte");
  auto raw_images = read_idx_images(images_path);
  labels = read_idx_labels(labels_path);
  const auto& shape = raw_images.shape();
  if (shape[1] != mnist_side || shape[2] != mnist_side)
    throw std::runtime_error("load_mnist: " + images_path.string() + ": expected 28x28 images, found " +
                             std::to_string(shape[1]) + "x" + std::to_string(shape[2]));
  if (shape[0] != labels.size())
    throw std::runtime_error("load_mnist: " + images_path.string() + " has " + std::to_string(shape[0]) +
                             " images but " + labels_path.string() + " has " + std::to_string(labels.size()) +
                             " labels; expected the same count");
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels(i) > 9)
      throw std::runtime_error("load_mnist: " + labels_path.string() + ": label " + std::to_string(i) + " (byte " +
                               std::to_string(8 + i) + ") is " + std::to_string(labels(i)) +
                               "; expected a digit class 0 to 9");
  images = xt::cast<float>(raw_images) / 255.0f;
}

}  // namespace detail

TYPENET_INLINE Mnist load_mnist(const std::filesystem::path& dir) {
  Mnist mnist;
  detail::load_mnist_split(dir, "train", mnist.train_images, mnist.train_labels);
  detail::load_mnist_split(dir, "t10k", mnist.test_images, mnist.test_labels);
  return mnist;
}

}  // namespace typenet::data
