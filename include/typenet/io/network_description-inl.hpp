#pragma once
// The definitions of io/network_description.hpp (typenet/config.hpp says where they are compiled).
#include <algorithm>
#include <string>
#include <utility>

#include "typenet/io/network_description.hpp"

namespace typenet::io {

namespace detail {

TYPENET_INLINE void number_repeated_names(std::vector<std::string>& names) {
  std::vector<std::pair<std::string, std::size_t>> seen;
  for (auto& name : names) {
    auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == name; });
    if (it == seen.end())
      seen.emplace_back(name, 1);
    else
      name += "_" + std::to_string(it->second++);
  }
}

}  // namespace detail

TYPENET_INLINE NetworkDescription describe_network(std::span<const LayerRecord> layers,
                                                   std::span<const std::size_t> input_dims,
                                                   std::span<const std::size_t> output_dims, std::size_t param_count,
                                                   std::size_t non_trainable_count) {
  NetworkDescription net{{input_dims.begin(), input_dims.end()},
                         {output_dims.begin(), output_dims.end()},
                         param_count,
                         non_trainable_count,
                         {}};
  std::vector<std::string> names;
  net.layers.reserve(layers.size());
  for (const LayerRecord& layer : layers) {
    names.emplace_back(layer.keras_name);
    net.layers.push_back({{},
                          layer.config(),
                          {layer.input_dims.begin(), layer.input_dims.end()},
                          {layer.output_dims.begin(), layer.output_dims.end()},
                          layer.param_count,
                          layer.non_trainable_count,
                          layer.keras_class,
                          layer.shown_in_summary});
  }
  detail::number_repeated_names(names);
  for (std::size_t i = 0; i < names.size(); ++i) net.layers[i].name = std::move(names[i]);
  return net;
}

}  // namespace typenet::io
