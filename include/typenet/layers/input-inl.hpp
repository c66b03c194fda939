#pragma once
// The definition of layers/input.hpp's config (typenet/config.hpp says where it is compiled).
#include <string>

#include "typenet/layers/input.hpp"

namespace typenet::detail {

// Keras's InputLayer lists the batch dimension as null.
TYPENET_INLINE LayerConfig input_config(std::span<const std::size_t> dims) {
  std::string batch_shape = "[null";
  for (std::size_t d : dims) batch_shape += ", " + std::to_string(d);
  return {"InputLayer", {{"batch_shape", JsonText{batch_shape + "]"}}, {"dtype", "float32"}, {"sparse", false}}};
}

}  // namespace typenet::detail
