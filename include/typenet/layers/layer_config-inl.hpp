#pragma once
// The definitions of layers/layer_config.hpp's ConfigValue and LayerConfig (typenet/config.hpp
// says where they are compiled).
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "typenet/layers/layer_config.hpp"

namespace typenet {

TYPENET_INLINE ConfigValue::ConfigValue(std::nullptr_t) : value(nullptr) {}
TYPENET_INLINE ConfigValue::ConfigValue(bool b) : value(b) {}
TYPENET_INLINE ConfigValue::ConfigValue(Integer n) : value(n.value) {}
TYPENET_INLINE ConfigValue::ConfigValue(Number x) : value(x.value) {}
TYPENET_INLINE ConfigValue::ConfigValue(const char* s) : value(std::string(s)) {}
TYPENET_INLINE ConfigValue::ConfigValue(std::string_view s) : value(std::string(s)) {}
TYPENET_INLINE ConfigValue::ConfigValue(std::string s) : value(std::move(s)) {}
TYPENET_INLINE ConfigValue::ConfigValue(std::initializer_list<std::int64_t> list)
    : value(std::vector<std::int64_t>(list)) {}
TYPENET_INLINE ConfigValue::ConfigValue(std::vector<std::int64_t> list) : value(std::move(list)) {}
TYPENET_INLINE ConfigValue::ConfigValue(JsonText json) : value(std::move(json)) {}

TYPENET_INLINE ConfigValue::ConfigValue(const ConfigValue& other) = default;
TYPENET_INLINE ConfigValue::ConfigValue(ConfigValue&& other) noexcept = default;
TYPENET_INLINE ConfigValue& ConfigValue::operator=(const ConfigValue& other) = default;
TYPENET_INLINE ConfigValue& ConfigValue::operator=(ConfigValue&& other) noexcept = default;
TYPENET_INLINE ConfigValue::~ConfigValue() = default;

TYPENET_INLINE LayerConfig::LayerConfig(std::string_view class_name,
                                        std::initializer_list<std::pair<std::string_view, ConfigValue>> arguments)
    : class_name(class_name) {
  this->arguments.reserve(arguments.size());
  for (const auto& [key, value] : arguments) this->arguments.emplace_back(std::string(key), value);
}
TYPENET_INLINE LayerConfig::LayerConfig() = default;
TYPENET_INLINE LayerConfig::LayerConfig(const LayerConfig& other) = default;
TYPENET_INLINE LayerConfig::LayerConfig(LayerConfig&& other) noexcept = default;
TYPENET_INLINE LayerConfig& LayerConfig::operator=(const LayerConfig& other) = default;
TYPENET_INLINE LayerConfig& LayerConfig::operator=(LayerConfig&& other) noexcept = default;
TYPENET_INLINE LayerConfig::~LayerConfig() = default;

}  // namespace typenet
