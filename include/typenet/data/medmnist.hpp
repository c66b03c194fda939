#pragma once
// MedMNIST archives (PneumoniaMNIST and its grayscale siblings): a NumPy .npz holding
// {train,val,test}_images (n, h, w) uint8 and {train,val,test}_labels (n, 1) uint8, split as the
// MedMNIST authors published it. Pixels come out scaled to [0, 1], as load_mnist gives them.
#include "typenet/data/npz.hpp"  // programs that include this header also call load_npz

#include <cstdint>
#include <filesystem>

#include <xtensor/xtensor.hpp>

#include "typenet/config.hpp"

namespace typenet::data {

struct MedMnistSplit {
  xt::xtensor<float, 3> images;         // (n, h, w) in [0, 1]
  xt::xtensor<std::uint8_t, 1> labels;  // (n,) class indices
};

struct MedMnist {
  MedMnistSplit train, val, test;
};

// Reads the three splits of a MedMNIST .npz (e.g. third_party/pneumoniamnist/pneumoniamnist.npz).
// Labels are checked against the data set's number of classes, known from the file's MedMNIST
// name; under another name, they must be class indices below 256.
MedMnist load_medmnist(const std::filesystem::path& npz_path);

}  // namespace typenet::data

#ifdef TYPENET_HEADER_ONLY
#include "typenet/data/medmnist-inl.hpp"
#endif
