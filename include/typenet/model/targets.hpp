#pragma once
// Checks the user's x and y against the model and the loss before any training starts, and
// converts y once into float rows of the width the loss wants. Every message says what was
// expected and what was given.
#include "typenet/model/array_ref.hpp"

#include <cstddef>
#include <span>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/training/losses.hpp"

namespace typenet {

struct Targets {
  std::vector<float> values;  // rows x width
  std::size_t width = 0;
  std::size_t rows() const { return width ? values.size() / width : 0; }
  const float* row(std::size_t i) const { return values.data() + i * width; }
};

namespace detail {

// x must be (N, *input dims), or (N, size) already flattened; trailing axes of extent 1 may be
// left out ((N, 28, 28) for Input<28, 28, 1>), as MNIST loaders give them; and every value must be
// finite (check_finite). Allocates nothing unless it throws, so it can guard every training step.
void check_features(const Features& x, std::span<const std::size_t> input_dims, const char* where);
// Throws naming the first sample and feature of x that is NaN or infinite.
void check_finite(const Features& x, std::size_t sample_size, const char* where);

// The width of a target row for the loss: the outputs, or 1 for class indices.
std::size_t target_width(const Loss& loss, std::size_t outputs);

// Checks y against the loss and writes it as float rows of the loss's target width to `dest`
// (samples x width). Allocates nothing unless it throws.
void fill_targets(const Loss& loss, const Labels& y, std::size_t samples, std::size_t outputs, const char* where,
                  float* dest);

// The same into a new Targets.
Targets prepare_targets(const Loss& loss, const Labels& y, std::size_t samples, std::size_t outputs, const char* where);

}  // namespace detail
}  // namespace typenet

#ifdef TYPENET_HEADER_ONLY
#include "typenet/model/targets-inl.hpp"
#endif
