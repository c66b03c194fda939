#pragma once
// Input<dims...>: the shape of one sample, first in a Sequential. Inside a nested Sequential
// it asserts that the block receives the shape it was written for.
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "typenet/config.hpp"
#include "typenet/layers/layer.hpp"

namespace typenet {

namespace detail {
// Keras's get_config() of an InputLayer of one sample's shape `dims` (compiled once, in libtypenet).
LayerConfig input_config(std::span<const std::size_t> dims);
}  // namespace detail

template <std::size_t... Dims>
struct Input {
  using shape = Shape<Dims...>;

  template <std::size_t LayerIndex, class In>
  struct at_layer {
    static_assert(std::is_same_v<In, shape>, "typenet::Input inside a nested Sequential: the block receives a different shape (see In above)");
    static_assert(!std::is_same_v<In, shape> || shape::size > 0, "typenet::Input: every dimension must be > 0");
  };

  template <class In>
  struct bind : detail::View {
    using layer = Input;
    using input_shape = In;
    using output_shape = shape;
    static constexpr bool fits = std::is_same_v<In, shape> && shape::size > 0;
    static constexpr bool shown_in_summary = false;
    static constexpr std::string_view keras_class = "InputLayer";
    static constexpr std::string_view keras_name = "input";

    static LayerConfig config() { return detail::input_config(shape::dims); }
  };
};

template <class T>
inline constexpr bool is_input_v = false;
template <std::size_t... Dims>
inline constexpr bool is_input_v<Input<Dims...>> = true;

}  // namespace typenet

#ifdef TYPENET_HEADER_ONLY
#include "typenet/layers/input-inl.hpp"
#endif
