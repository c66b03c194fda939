#pragma once
// A network's architecture as data. keras_model_json<Net>() is Keras's model.to_json() layout
// (Keras 3: module, class_name, config with one entry per layer, build_config), which is both
// what export_json writes and what a saved model file records; layer_table<Net>() adds what
// typenet knows about each layer (output shape, parameter count). Each layer contributes its
// own config() (layers/layer_config.hpp), so a new layer type needs nothing here.
//
// Rows of the two together are what load compares: a file saved from another network is
// refused with both architectures side by side, the first differing layer marked.
#include "typenet/model/summary.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "typenet/io/network_description.hpp"
#include "typenet/layers/layer_config.hpp"

namespace typenet::io {

namespace detail {

using ordered_json = nlohmann::ordered_json;

// [null, 28, 28, 1]: a shape with Keras's batch dimension.
inline ordered_json keras_batch_shape(std::span<const std::size_t> dims) {
  auto shape = ordered_json::array({nullptr});
  for (std::size_t d : dims) shape.push_back(d);
  return shape;
}

inline ordered_json config_value_json(const ConfigValue& value, std::string_view layer, std::string_view argument) {
  return std::visit(
      [&](const auto& v) -> ordered_json {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, JsonText>) {
          try {
            return ordered_json::parse(v.text);
          } catch (const nlohmann::json::parse_error& e) {
            throw std::logic_error(std::string(layer) + ".config(): argument '" + std::string(argument) +
                                   "' is not valid JSON: " + e.what());
          }
        } else {
          return ordered_json(v);
        }
      },
      value.value);
}

// One layer as Keras serialises it. Keras puts name, trainable and dtype before a layer's own
// arguments, except for InputLayer, whose config is (batch_shape, dtype, sparse, name) and has
// no build_config.
inline ordered_json keras_layer_json(const LayerConfig& c, const std::string& name, std::span<const std::size_t> input_dims) {
  const bool input_layer = c.class_name == "InputLayer";
  auto config = ordered_json::object();
  if (!input_layer) {
    config["name"] = name;
    config["trainable"] = true;
    config["dtype"] = "float32";
  }
  for (const auto& [key, value] : c.arguments) config[key] = config_value_json(value, c.class_name, key);
  if (input_layer) config["name"] = name;
  ordered_json layer = {{"module", "keras.layers"}, {"class_name", c.class_name}, {"config", std::move(config)},
                        {"registered_name", nullptr}};
  if (!input_layer) layer["build_config"] = {{"input_shape", keras_batch_shape(input_dims)}};
  return layer;
}

}  // namespace detail

// The network as Keras's model.to_json() gives it (a Keras 3 Sequential).
inline nlohmann::ordered_json keras_model_json(const NetworkDescription& net) {
  using detail::ordered_json;
  auto layers = ordered_json::array();
  for (const auto& layer : net.layers) layers.push_back(detail::keras_layer_json(layer.config, layer.name, layer.input_dims));
  const auto batch_shape = detail::keras_batch_shape(net.input_dims);
  return {{"module", "keras"},
          {"class_name", "Sequential"},
          {"config",
           {{"name", "sequential"},
            {"trainable", true},
            {"dtype", "float32"},
            {"layers", std::move(layers)},
            {"build_input_shape", batch_shape}}},
          {"registered_name", nullptr},
          {"build_config", {{"input_shape", batch_shape}}},
          {"compile_config", nullptr}};
}

template <class Net>
nlohmann::ordered_json keras_model_json() {
  return keras_model_json(describe_network<Net>());
}

// What typenet knows of each layer besides its Keras config, in the same order.
inline nlohmann::ordered_json layer_table(const NetworkDescription& net) {
  auto table = nlohmann::ordered_json::array();
  for (const auto& layer : net.layers)
    table.push_back({{"name", layer.name}, {"output_shape", layer.output_dims}, {"param_count", layer.param_count}});
  return table;
}

template <class Net>
nlohmann::ordered_json layer_table() {
  return layer_table(describe_network<Net>());
}

namespace detail {

// The same value with every object's keys in sorted order: two of these compare equal whatever
// order their keys were written in. (Rather than converting to nlohmann::json, which sorts too
// but is a second JSON type, parser and all, for the compiler to generate.)
inline ordered_json with_sorted_keys(const ordered_json& j) {
  if (j.is_array()) {
    auto out = ordered_json::array();
    for (const auto& v : j) out.push_back(with_sorted_keys(v));
    return out;
  }
  if (!j.is_object()) return j;
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  std::sort(keys.begin(), keys.end());
  auto out = ordered_json::object();
  for (const auto& key : keys) out[key] = with_sorted_keys(j[key]);
  return out;
}

}  // namespace detail

// One layer of an architecture: what identifies it, and a line for people.
struct ArchitectureRow {
  nlohmann::ordered_json identity;  // the Keras layer entry, output shape and parameter count, keys sorted
  std::string description;  // Dense(units=512, activation=sigmoid, use_bias=true) -> (None, 512), 401,920 params
};

// Rows from a Keras architecture and a layer table (as a saved header holds them). Throws
// std::invalid_argument saying what is missing when they do not have that form.
inline std::vector<ArchitectureRow> architecture_rows(const nlohmann::ordered_json& architecture,
                                                      const nlohmann::ordered_json& table) {
  auto require = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument(what);
  };
  require(architecture.is_object() && architecture.contains("config") && architecture["config"].is_object() &&
              architecture["config"].contains("layers") && architecture["config"]["layers"].is_array(),
          "the header's \"architecture\" has no config.layers array");
  const auto& layers = architecture["config"]["layers"];
  require(table.is_array(), "the header's \"layers\" is not an array");
  require(table.size() == layers.size(), "the header's \"layers\" has " + std::to_string(table.size()) +
                                             " entries but its architecture has " + std::to_string(layers.size()) + " layers");
  std::vector<ArchitectureRow> rows;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto& layer = layers[i];
    const auto& info = table[i];
    const std::string where = "layer " + std::to_string(i) + " of the header";
    require(layer.is_object() && layer.contains("class_name") && layer["class_name"].is_string() &&
                layer.contains("config") && layer["config"].is_object(),
            where + " has no class_name and config");
    require(info.is_object() && info.contains("output_shape") && info["output_shape"].is_array() &&
                info.contains("param_count") && info["param_count"].is_number_unsigned(),
            where + " has no output_shape and param_count");

    std::string description = layer["class_name"].get<std::string>() + "(";
    bool first = true;
    for (const auto& [key, value] : layer["config"].items()) {
      if (key == "name" || key == "trainable" || key == "dtype" || value.is_null() || value.is_object()) continue;
      description += (first ? "" : ", ") + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
      first = false;
    }
    description += ") -> (None";
    for (const auto& d : info["output_shape"]) description += ", " + d.dump();
    description += "), " + typenet::detail::with_thousands(info["param_count"].get<std::size_t>()) + " params";

    nlohmann::ordered_json identity = {{"keras", detail::with_sorted_keys(layer)},
                                       {"output_shape", info["output_shape"]},
                                       {"param_count", info["param_count"].get<std::uint64_t>()}};
    rows.push_back({std::move(identity), std::move(description)});
  }
  return rows;
}

inline std::vector<ArchitectureRow> architecture_rows(const NetworkDescription& net) {
  return architecture_rows(keras_model_json(net), layer_table(net));
}

template <class Net>
std::vector<ArchitectureRow> architecture_rows() {
  return architecture_rows(describe_network<Net>());
}

struct ArchitectureDifference {
  std::size_t first_layer;  // index of the first layer that differs (Input is 0)
  std::string table;        // both architectures side by side, that layer marked with '>'
};

// Nothing when the two are the same network; otherwise where and how they differ.
inline std::optional<ArchitectureDifference> architecture_difference(const std::vector<ArchitectureRow>& ours,
                                                                     const std::vector<ArchitectureRow>& theirs,
                                                                     std::string_view our_title = "this program",
                                                                     std::string_view their_title = "the file") {
  const std::size_t n = std::max(ours.size(), theirs.size());
  std::size_t first = n;
  for (std::size_t i = 0; i < n && first == n; ++i)
    if (i >= ours.size() || i >= theirs.size() || ours[i].identity != theirs[i].identity) first = i;
  if (first == n) return std::nullopt;

  std::size_t width = our_title.size();
  for (const auto& row : ours) width = std::max(width, row.description.size());
  auto line = [&](std::string_view mark, std::string_view index, std::string_view left, std::string_view right) {
    std::string text = std::string(mark) + std::string(index);
    text.resize(std::max<std::size_t>(text.size() + 1, 6), ' ');
    text += left;
    text.resize(6 + width + 3, ' ');
    text += right;
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text + "\n";
  };
  std::string table = line("  ", "#", our_title, their_title);
  for (std::size_t i = 0; i < n; ++i)
    table += line(i == first ? "> " : "  ", std::to_string(i), i < ours.size() ? ours[i].description : "(none)",
                  i < theirs.size() ? theirs[i].description : "(none)");
  return ArchitectureDifference{first, table};
}

}  // namespace typenet::io
