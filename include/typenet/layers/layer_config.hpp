#pragma once
// How a layer describes itself to saved model files and to the Keras export: the Keras class it
// corresponds to and the constructor arguments Keras's get_config() lists for it. A bound layer
// provides them as
//
//   static LayerConfig config() { return {"Dense", {{"units", Units}, {"activation", Act::name}}}; }
//
// ("name", "trainable" and "dtype" are added by the exporter, which knows the layer's position).
// The configs of a network are what a saved file is checked against when it is loaded, so two
// layers that compute different things must not describe themselves the same way.
//
// A layer without config() still saves and loads: it is described by its keras_class and its
// C++ type name. That name is compiler-specific and means nothing to Keras, so every layer
// meant to be exported should define config().
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "typenet/config.hpp"

namespace typenet {

// A value given as JSON text, for what the other alternatives cannot say (nested objects such
// as Keras's initializer configs, lists holding null). The exporter checks that it parses.
struct JsonText {
  std::string text;
};

// One argument's value: null, a bool, an integer, a number, a string or a list of integers.
//
// Its constructors, copies and destructor are compiled once, in libtypenet (layer_config-inl.hpp):
// written inline, each would instantiate std::variant's machinery for seven alternatives in every
// file that includes a layer.
struct ConfigValue {
  using Storage = std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, std::vector<std::int64_t>, JsonText>;
  Storage value;

  ConfigValue(std::nullptr_t);  // NOLINT: implicit so configs read like Keras's
  ConfigValue(bool b);          // NOLINT
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  ConfigValue(T n) : ConfigValue(Integer{static_cast<std::int64_t>(n)}) {}  // NOLINT
  template <std::floating_point T>
  ConfigValue(T x) : ConfigValue(Number{static_cast<double>(x)}) {}  // NOLINT
  ConfigValue(const char* s);                                        // NOLINT
  ConfigValue(std::string_view s);                                   // NOLINT
  ConfigValue(std::string s);                                        // NOLINT
  ConfigValue(std::initializer_list<std::int64_t> list);             // NOLINT
  template <std::integral T, std::size_t N>
  ConfigValue(const std::array<T, N>& list) : ConfigValue(std::vector<std::int64_t>(list.begin(), list.end())) {}  // NOLINT
  ConfigValue(std::vector<std::int64_t> list);  // NOLINT
  ConfigValue(JsonText json);                   // NOLINT

  ConfigValue(const ConfigValue& other);
  ConfigValue(ConfigValue&& other) noexcept;
  ConfigValue& operator=(const ConfigValue& other);
  ConfigValue& operator=(ConfigValue&& other) noexcept;
  ~ConfigValue();

 private:
  struct Integer {
    std::int64_t value;
  };
  struct Number {
    double value;
  };
  explicit ConfigValue(Integer n);
  explicit ConfigValue(Number x);
};

struct LayerConfig {
  std::string class_name;                                      // Keras's class: "Dense", "Conv2D", ...
  std::vector<std::pair<std::string, ConfigValue>> arguments;  // in the order get_config() lists them

  // {"Dense", {{"units", 512}, {"activation", "relu"}}}. Out of line, as ConfigValue's members
  // are: a layer's config() then compiles to a call per argument rather than to the construction
  // of every string and element of the list, for every layer type of a program.
  LayerConfig(std::string_view class_name, std::initializer_list<std::pair<std::string_view, ConfigValue>> arguments);
  LayerConfig();
  LayerConfig(const LayerConfig& other);
  LayerConfig(LayerConfig&& other) noexcept;
  LayerConfig& operator=(const LayerConfig& other);
  LayerConfig& operator=(LayerConfig&& other) noexcept;
  ~LayerConfig();
};

namespace detail {

template <class Bound>
concept DescribesItself = requires {
  { Bound::config() } -> std::convertible_to<LayerConfig>;
};

// "typenet::Dense<512, typenet::Sigmoid>" from g++'s or clang's __PRETTY_FUNCTION__.
template <class T>
std::string_view pretty_type_name() {
  std::string_view f = __PRETTY_FUNCTION__;
  const std::size_t start = f.find("T = ") + 4;
  const std::size_t end = f.find_first_of(";]", start);
  return f.substr(start, end - start);
}

template <class Bound>
LayerConfig layer_config() {
  if constexpr (DescribesItself<Bound>) {
    return Bound::config();
  } else {
    std::string_view class_name = "Layer";
    if constexpr (requires { Bound::keras_class; }) class_name = Bound::keras_class;
    return {class_name, {{"typenet_type", pretty_type_name<typename Bound::layer>()}}};
  }
}

}  // namespace detail

}  // namespace typenet

#ifdef TYPENET_HEADER_ONLY
#include "typenet/layers/layer_config-inl.hpp"
#endif
