#pragma once
// Flatten: (H, W, C) -> (H*W*C). Data is batch-major and contiguous, so this is a view: the
// model hands the same buffer to the next layer and no element is copied.
#include "typenet/layers/layer.hpp"

#include <string_view>

namespace typenet {

struct Flatten {
  template <std::size_t LayerIndex, class In>
  struct at_layer {};

  template <class In>
  struct bind : detail::View {
    using layer = Flatten;
    using input_shape = In;
    using output_shape = Shape<In::size>;
    static constexpr bool fits = true;
    static constexpr std::string_view keras_class = "Flatten";
    static constexpr std::string_view keras_name = "flatten";

    static LayerConfig config() { return {"Flatten", {{"data_format", "channels_last"}}}; }
  };
};

}  // namespace typenet
