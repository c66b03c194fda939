#pragma once
// Input<dims...>: the shape of one sample, first in a Sequential. Inside a nested Sequential
// it asserts that the block receives the shape it was written for.
#include <string>
#include <string_view>
#include <type_traits>

#include "typenet/layers/layer.hpp"

namespace typenet {

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

    // Keras's InputLayer lists the batch dimension as null.
    static LayerConfig config() {
      std::string batch_shape = "[null";
      for (std::size_t d : shape::dims) batch_shape += ", " + std::to_string(d);
      return {"InputLayer", {{"batch_shape", JsonText{batch_shape + "]"}}, {"dtype", "float32"}, {"sparse", false}}};
    }
  };
};

template <class T>
inline constexpr bool is_input_v = false;
template <std::size_t... Dims>
inline constexpr bool is_input_v<Input<Dims...>> = true;

}  // namespace typenet
