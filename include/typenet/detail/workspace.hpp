#pragma once
// The buffers one thread runs a slice of a batch through a network on (Model's workers,
// model.hpp): the activations, their gradients and the per-sample scratch of every layer, laid out
// for up to `capacity` rows; and, for workers after the first, their own parameter gradients,
// moving statistics and dropout stream, which Model combines into its own after each step.
#include <array>
#include <cstddef>
#include <utility>
#include <vector>

#include "typenet/detail/random.hpp"

namespace typenet::detail {

template <class Net>
struct Workspace {
  static constexpr std::size_t layer_count = Net::layer_count;
  template <std::size_t I>
  using layer = typename Net::template layer<I>;

  std::size_t capacity = 0;  // rows
  std::vector<float> arena;
  float* scratch = nullptr;
  std::array<float*, layer_count> own_output{};
  std::array<float*, layer_count + 1> delta{};
  std::array<const float*, layer_count> inputs{};
  std::array<float*, layer_count> outputs{};
  std::vector<float> own_grads, own_non_trainable;  // workers after the first
  Rng own_rng;                                      // dropout masks of workers after the first

  // Lays the arena out for `rows` rows; reallocates only when it grows.
  void reserve(std::size_t rows) {
    if (rows <= capacity) return;
    capacity = rows;
    constexpr std::size_t input_size = Net::input_shape::size;
    std::size_t total = rows * (input_size + Net::scratch_offset.back());
    Net::for_each_layer([&]<std::size_t I>() {
      if constexpr (!layer<I>::aliases_input) total += 2 * rows * layer<I>::output_shape::size;
    });
    arena.assign(total, 0.0f);
    float* next = arena.data();
    auto take = [&](std::size_t n) { return std::exchange(next, next + n); };
    scratch = take(rows * Net::scratch_offset.back());
    delta[0] = take(rows * input_size);
    Net::for_each_layer([&]<std::size_t I>() {
      if constexpr (layer<I>::aliases_input) {  // a view: its output is its input
        own_output[I] = nullptr;
        delta[I + 1] = delta[I];
      } else {
        own_output[I] = take(rows * layer<I>::output_shape::size);
        delta[I + 1] = take(rows * layer<I>::output_shape::size);
      }
    });
  }
};

}  // namespace typenet::detail
