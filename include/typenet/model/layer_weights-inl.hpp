#pragma once
// The definitions of model/layer_weights.hpp (typenet/config.hpp says where they are compiled).
#include <algorithm>
#include <stdexcept>
#include <string>

#include "typenet/model/layer_weights.hpp"

namespace typenet::detail {

TYPENET_INLINE std::string shape_text(std::span<const std::size_t> dims) {
  std::string text = "(";
  for (std::size_t d = 0; d < dims.size(); ++d) text += (d ? ", " : "") + std::to_string(dims[d]);
  return text + (dims.size() == 1 ? ",)" : ")");
}

TYPENET_INLINE std::vector<Weights> gather_weights(std::span<const WeightEntry> entries, std::span<const float> params,
                                                   std::span<const float> non_trainable) {
  std::vector<Weights> weights;
  for (const WeightEntry& e : entries) {
    const float* from = (e.shape->trainable ? params.data() : non_trainable.data()) + e.offset;
    weights.push_back({e.layer, std::string(e.layer_class), std::string(e.shape->name),
                       std::vector<std::size_t>(e.shape->dims, e.shape->dims + e.shape->rank),
                       std::vector<float>(from, from + e.shape->size())});
  }
  return weights;
}

TYPENET_INLINE void scatter_weights(std::span<const WeightEntry> entries, std::span<const Weights> weights,
                                    std::span<float> params, std::span<float> non_trainable) {
  if (weights.size() != entries.size())
    throw std::invalid_argument("set_weights: the model has " + std::to_string(entries.size()) + " weight arrays; given " +
                                std::to_string(weights.size()));
  // Every array is checked before any is written, so that a refusal changes nothing.
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const WeightEntry& e = entries[i];
    const std::span<const std::size_t> expected(e.shape->dims, e.shape->rank);
    const std::string where = "set_weights: array " + std::to_string(i) + ", layer " + std::to_string(e.layer) + " (" +
                              std::string(e.layer_class) + ")'s " + std::string(e.shape->name);
    if (!std::equal(expected.begin(), expected.end(), weights[i].shape.begin(), weights[i].shape.end()))
      throw std::invalid_argument(where + ", has shape " + shape_text(expected) + "; given " + shape_text(weights[i].shape));
    if (weights[i].values.size() != e.shape->size())
      throw std::invalid_argument(where + " holds " + std::to_string(e.shape->size()) + " values; given " +
                                  std::to_string(weights[i].values.size()));
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const WeightEntry& e = entries[i];
    float* to = (e.shape->trainable ? params.data() : non_trainable.data()) + e.offset;
    std::copy(weights[i].values.begin(), weights[i].values.end(), to);
  }
}

}  // namespace typenet::detail
