#pragma once
// One-hot encoding of class labels, as Keras's to_categorical: row i has a 1 in column labels[i].
#include <concepts>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xtensor.hpp>

namespace typenet::data {

// Throws std::out_of_range naming the position and value of the first label outside
// [0, num_classes): silently dropping or wrapping a bad label would corrupt training quietly.
template <std::integral Label>
xt::xtensor<float, 2> to_categorical(const xt::xtensor<Label, 1>& labels, std::size_t num_classes) {
  if (num_classes == 0) throw std::invalid_argument("to_categorical: num_classes must be > 0");
  const std::size_t count = labels.size();
  xt::xtensor<float, 2> one_hot = xt::zeros<float>({count, num_classes});
  for (std::size_t i = 0; i < count; ++i) {
    const Label label = labels(i);
    // Widened to long long / unsigned long long so that uint8_t labels print as numbers, not characters.
    bool negative = false;
    if constexpr (std::is_signed_v<Label>) negative = label < 0;
    if (negative || static_cast<std::make_unsigned_t<Label>>(label) >= num_classes) {
      const std::string value = std::is_signed_v<Label> ? std::to_string(static_cast<long long>(label))
                                                        : std::to_string(static_cast<unsigned long long>(label));
      throw std::out_of_range("to_categorical: label " + value + " at position " + std::to_string(i) +
                              " is outside [0, " + std::to_string(num_classes) + ")");
    }
    one_hot(i, static_cast<std::size_t>(label)) = 1.0f;
  }
  return one_hot;
}

}  // namespace typenet::data
