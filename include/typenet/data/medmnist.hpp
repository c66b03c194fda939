#pragma once
// MedMNIST archives (PneumoniaMNIST and its grayscale siblings): a NumPy .npz holding
// {train,val,test}_images (n, h, w) uint8 and {train,val,test}_labels (n, 1) uint8, split as the
// MedMNIST authors published it. Pixels come out scaled to [0, 1], as load_mnist gives them.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "typenet/data/npz.hpp"

namespace typenet::data {

struct MedMnistSplit {
  xt::xtensor<float, 3> images;         // (n, h, w) in [0, 1]
  xt::xtensor<std::uint8_t, 1> labels;  // (n,) class indices
};

struct MedMnist {
  MedMnistSplit train, val, test;
};

namespace detail {
inline MedMnistSplit medmnist_split(const NpzArchive& npz, const std::string& split) {
  const NpyArray& images = npz.at(split + "_images");
  const NpyArray& labels = npz.at(split + "_labels");
  auto fail = [&](const std::string& what) { return std::runtime_error(npz.path().string() + ": " + what); };
  if (images.shape().size() != 3)
    throw fail(split + "_images has rank " + std::to_string(images.shape().size()) +
               "; expected (n, height, width) grayscale images");
  if (images.type() != NpyType::uint8) throw fail(split + "_images has dtype '" + images.dtype() + "'; expected uint8 pixels");
  const std::size_t n = images.shape()[0];
  if (labels.size() != n || labels.shape().empty() || labels.shape()[0] != n)
    throw fail(split + "_labels has " + std::to_string(labels.size()) + " labels for " + std::to_string(n) + " images");
  MedMnistSplit s;
  s.images = images.as<float, 3>();
  for (auto& v : s.images) v /= 255.0f;
  const std::vector<std::int64_t> raw = labels.values<std::int64_t>();
  s.labels = xt::xtensor<std::uint8_t, 1>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t label = raw[i];
    if (label < 0 || label > 255) throw fail(split + "_labels[" + std::to_string(i) + "] is " + std::to_string(label));
    s.labels(i) = static_cast<std::uint8_t>(label);
  }
  return s;
}
}  // namespace detail

// Reads the three splits of a MedMNIST .npz (e.g. third_party/pneumoniamnist/pneumoniamnist.npz).
inline MedMnist load_medmnist(const std::filesystem::path& npz_path) {
  const NpzArchive npz = load_npz(npz_path);
  return {detail::medmnist_split(npz, "train"), detail::medmnist_split(npz, "val"), detail::medmnist_split(npz, "test")};
}

}  // namespace typenet::data
