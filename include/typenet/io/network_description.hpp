#pragma once
// A network's architecture as plain data: everything a saved file, the Keras export, load's
// comparison, summary() and the ONNX export need to know about Net, with no JSON in sight. What
// depends on the network's type is only a table of its layers' compile-time constants
// (layer_records<Net>); the description is built from it, and the JSON from the description
// (io/architecture.hpp), by non-template code.
#include "typenet/network/sequential.hpp"  // non_trainable_count_of

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/layers/input.hpp"
#include "typenet/layers/layer_config.hpp"

namespace typenet::io {

namespace detail {

// An Input inside the network (where a nested Sequential block checks its input shape)
// computes nothing and has no place in a Keras Sequential, so it is left out.
template <class Net, std::size_t I>
constexpr bool described = I == 0 || !is_input_v<typename Net::template layer<I>::layer>;

// Keras's names for layers of these bases: dense, dense_1, ... as summary() prints them.
void number_repeated_names(std::vector<std::string>& names);

}  // namespace detail

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

// One layer's compile-time constants, as data: a network's table of them is a compile-time
// constant (layer_records<Net>), and its description is built from the table by the non-template
// describe_network below. Per network, the compiler then emits a table, not code.
struct LayerRecord {
  std::string_view keras_name, keras_class;
  LayerConfig (*config)();  // the layer's config(), or the default of detail::layer_config
  std::span<const std::size_t> input_dims, output_dims;
  std::size_t param_count = 0, non_trainable_count = 0;
  bool shown_in_summary = true;
};

namespace detail {

// How many of the layers [0, End) a description holds (it leaves out an Input inside the network).
template <class Net, std::size_t End = Net::layer_count>
constexpr std::size_t described_count() {
  std::size_t count = 0;
  Net::for_each_layer([&]<std::size_t I>() {
    if constexpr (I < End && described<Net, I>) ++count;
  });
  return count;
}

template <class L>
constexpr LayerRecord record_of() {
  return {L::keras_name,
          L::keras_class,
          &typenet::detail::layer_config<L>,
          L::input_shape::dims,
          L::output_shape::dims,
          L::param_count,
          typenet::detail::non_trainable_count_of<L>(),
          L::shown_in_summary};
}

// A table with one entry per layer the description holds, in its order: make.template
// operator()<Layer>() of each (layer_records<Net> here, the ONNX forms in io/onnx.hpp).
template <class Net, class Make>
constexpr auto described_table(Make make) {
  using Entry = decltype(make.template operator()<typename Net::template layer<0>>());
  std::array<Entry, described_count<Net>()> table{};
  std::size_t n = 0;
  Net::for_each_layer([&]<std::size_t I>() {
    if constexpr (described<Net, I>) table[n++] = make.template operator()<typename Net::template layer<I>>();
  });
  return table;
}

}  // namespace detail

template <class Net>
inline constexpr auto layer_records = detail::described_table<Net>([]<class L>() { return detail::record_of<L>(); });

// The description from a network's table and its totals (compiled once, in libtypenet).
NetworkDescription describe_network(std::span<const LayerRecord> layers, std::span<const std::size_t> input_dims,
                                    std::span<const std::size_t> output_dims, std::size_t param_count,
                                    std::size_t non_trainable_count);

template <class Net>
NetworkDescription describe_network() {
  return describe_network(layer_records<Net>, Net::input_shape::dims, Net::output_shape::dims, Net::param_count,
                          Net::non_trainable_count);
}

}  // namespace typenet::io

#ifdef TYPENET_HEADER_ONLY
#include "typenet/io/network_description-inl.hpp"
#endif
