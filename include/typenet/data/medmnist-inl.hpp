#pragma once
// The definitions of data/medmnist.hpp (typenet/config.hpp says where they are compiled).
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "typenet/data/medmnist.hpp"
#include "typenet/data/npz.hpp"

namespace typenet::data {

namespace detail {
inline MedMnistSplit medmnist_split(const NpzArchive& npz, const std::string& split, std::uint64_t classes,
                                    bool classes_known) {
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
  // Labels are class indices: integers (or bools) as stored; floats only when each one is an
  // exact integer (a cast would turn 2.9 into 2, and NaN into anything). Every dtype converts to
  // double exactly in the range that can pass (0 to 255), so one check serves them all.
  const std::vector<double> values = labels.values<double>();
  s.labels = xt::xtensor<std::uint8_t, 1>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) {
    const double v = values[i];
    if (!(std::isfinite(v) && v == std::floor(v) && v >= 0 && v < static_cast<double>(classes))) {
      char text[32];
      std::snprintf(text, sizeof text, "%.17g", v);
      throw fail(split + "_labels[" + std::to_string(i) + "] is " + text + " (dtype '" + labels.dtype() +
                 "'); expected a class index, an integer from 0 to " + std::to_string(classes - 1) +
                 (classes_known ? " (" + npz.path().filename().string() + " has " + std::to_string(classes) + " classes)" : ""));
    }
    s.labels(i) = static_cast<std::uint8_t>(v);
  }
  return s;
}

// The number of classes of a MedMNIST v2 2D data set, from its file name as MedMNIST publishes it
// ("pneumoniamnist.npz", "pneumoniamnist_128.npz"); 0 for a name it does not know.
inline std::uint64_t medmnist_classes(const std::filesystem::path& npz_path) {
  std::string stem = npz_path.stem().string();
  stem = stem.substr(0, stem.find('_'));
  struct Task {
    const char* name;
    std::uint64_t classes;
  };
  // MedMNIST v2's INFO (medmnist/info.py); ChestMNIST is multi-label, which load_medmnist refuses.
  constexpr Task tasks[] = {{"pathmnist", 9},    {"dermamnist", 7},  {"octmnist", 4},     {"pneumoniamnist", 2},
                            {"retinamnist", 5},  {"breastmnist", 2}, {"bloodmnist", 8},   {"tissuemnist", 8},
                            {"organamnist", 11}, {"organcmnist", 11}, {"organsmnist", 11}};
  for (const Task& t : tasks)
    if (stem == t.name) return t.classes;
  return 0;
}
}  // namespace detail

TYPENET_INLINE MedMnist load_medmnist(const std::filesystem::path& npz_path) {
  const NpzArchive npz = load_npz(npz_path);
  const std::uint64_t known = detail::medmnist_classes(npz_path);
  const std::uint64_t classes = known > 0 ? known : 256;
  return {detail::medmnist_split(npz, "train", classes, known > 0), detail::medmnist_split(npz, "val", classes, known > 0),
          detail::medmnist_split(npz, "test", classes, known > 0)};
}

}  // namespace typenet::data
