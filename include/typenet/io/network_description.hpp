#pragma once
// A network's architecture as plain data: everything a saved file, the Keras export and load's
// comparison need to know about Net, with no JSON in sight. Only describe_network<Net>() depends on
// the network's type, and it merely copies compile-time constants; the JSON is built from the
// description by non-template code (io/architecture.hpp), compiled once per program.
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "typenet/layers/input.hpp"
#include "typenet/layers/layer_config.hpp"
#include "typenet/network/sequential.hpp"  // non_trainable_count_of

namespace typenet::io {

namespace detail {

// An Input inside the network (where a nested Sequential block checks its input shape)
// computes nothing and has no place in a Keras Sequential, so it is left out.
template <class Net, std::size_t I>
constexpr bool described = I == 0 || !is_input_v<typename Net::template layer<I>::layer>;

// Keras's names for layers of these bases: dense, dense_1, ... as summary() prints them.
inline void number_repeated_names(std::vector<std::string>& names) {
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

// A network's architecture as plain data: everything a saved file, the Keras export and load's
// comparison need to know about Net. Only describe_network<Net>() depends on the network's type,
// and it merely copies compile-time constants; the JSON is built by the functions below, which
// are compiled once per program rather than once per network.
struct DescribedLayer {
  std::string name;  // Keras's: dense, dense_1, ...
  LayerConfig config;
  std::vector<std::size_t> input_dims, output_dims;
  std::size_t param_count = 0;
  std::size_t non_trainable_count = 0;  // BatchNormalization's moving statistics
  std::string_view keras_class;         // the layer's own (config.class_name is what it saves)
  bool shown_in_summary = true;
};

struct NetworkDescription {
  std::vector<std::size_t> input_dims, output_dims;
  std::size_t param_count = 0;          // trainable
  std::size_t non_trainable_count = 0;  // BatchNormalization's moving statistics
  std::vector<DescribedLayer> layers;   // an Input inside the network left out
};

template <class Net>
NetworkDescription describe_network() {
  NetworkDescription net{{Net::input_shape::dims.begin(), Net::input_shape::dims.end()},
                         {Net::output_shape::dims.begin(), Net::output_shape::dims.end()},
                         Net::param_count,
                         Net::non_trainable_count,
                         {}};
  std::vector<std::string> names;
  Net::for_each_layer([&]<std::size_t I>() {
    if constexpr (detail::described<Net, I>) {
      using L = typename Net::template layer<I>;
      names.emplace_back(L::keras_name);
      net.layers.push_back({{},
                            typenet::detail::layer_config<L>(),
                            {L::input_shape::dims.begin(), L::input_shape::dims.end()},
                            {L::output_shape::dims.begin(), L::output_shape::dims.end()},
                            L::param_count,
                            typenet::detail::non_trainable_count_of<L>(),
                            L::keras_class,
                            L::shown_in_summary});
    }
  });
  detail::number_repeated_names(names);
  for (std::size_t i = 0; i < names.size(); ++i) net.layers[i].name = std::move(names[i]);
  return net;
}

}  // namespace typenet::io
