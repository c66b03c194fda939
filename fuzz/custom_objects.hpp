#pragma once
// A user's loss and optimizer, as a model file may name them ("fuzz_loss", "FuzzMomentum"): the
// model_file harness passes them to load, and make_seeds saves a seed compiled with them.
#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>

#include "typenet/typenet.hpp"

namespace typenet::fuzz {

struct FuzzLoss {
  static constexpr std::string_view name = "fuzz_loss";
  double sample_loss(const float* p, const float* t, std::size_t n) const {
    double sum = 0.0;
    for (std::size_t c = 0; c < n; ++c) sum += std::abs(double(p[c]) - t[c]);
    return sum;
  }
  void gradient(const float* p, const float* t, float* g, std::size_t n, float scale) const {
    for (std::size_t c = 0; c < n; ++c) g[c] = p[c] > t[c] ? scale : -scale;
  }
};

struct FuzzMomentum {
  static constexpr std::string_view name = "FuzzMomentum";
  LearningRate learning_rate = 0.01;
  std::size_t slot_count() const { return 1; }
  void update(float* w, const float* g, std::span<float* const> slots, std::size_t n, double rate, std::size_t) const {
    for (std::size_t i = 0; i < n; ++i) w[i] += slots[0][i] = 0.9f * slots[0][i] - static_cast<float>(rate) * g[i];
  }
};

inline const CustomObjects custom_objects{.losses = {FuzzLoss{}}, .optimizers = {FuzzMomentum{}}};

}  // namespace typenet::fuzz
