#pragma once
// Compile-time tensor shapes, channels-last like Keras: Shape<28, 28, 1> is one image.
#include <array>
#include <cstddef>
#include <span>
#include <string>

namespace typenet {

namespace detail {
// "(None, 28, 28, 1)" for the dims {28, 28, 1}: a shape as Keras prints it, with its batch dimension.
inline std::string keras_shape_string(std::span<const std::size_t> dims) {
  std::string s = "(None";
  for (std::size_t d : dims) s += ", " + std::to_string(d);
  return s + ")";
}
}  // namespace detail

template <std::size_t... Dims>
struct Shape {
  static constexpr std::size_t rank = sizeof...(Dims);
  static constexpr std::size_t size = (Dims * ... * std::size_t{1});
  static constexpr std::array<std::size_t, rank> dims{Dims...};

  // "(None, 28, 28, 1)", as Keras prints an output shape with its batch dimension.
  static std::string keras_string() { return detail::keras_shape_string(dims); }
};

template <class T>
inline constexpr bool is_shape_v = false;
template <std::size_t... Dims>
inline constexpr bool is_shape_v<Shape<Dims...>> = true;

// A layer's shape check as one named condition: a failed `static_assert(has_rank<In, 1>, ...)` then
// shows the shape itself, where `In::rank == 1` would make clang add a note on what it evaluates to.
template <class S, std::size_t Rank>
inline constexpr bool has_rank = S::rank == Rank;

}  // namespace typenet
