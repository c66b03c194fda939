#pragma once
// Where a network's weights sit, from its compile-time type: the parameters of its convolution
// layers, of its dense layers and of the rest, and the markdown table the lab report shows.
#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

#include "typenet/layers/conv2d.hpp"
#include "typenet/layers/dense.hpp"
#include "typenet/model/summary.hpp"

namespace lab {

template <class Layer>
inline constexpr bool is_dense = false;
template <std::size_t Units, class Act>
inline constexpr bool is_dense<typenet::Dense<Units, Act>> = true;

template <class Layer>
inline constexpr bool is_conv = false;
template <std::size_t F, std::size_t KH, std::size_t KW, class Act, class Pad, std::size_t S>
inline constexpr bool is_conv<typenet::Conv2D<F, KH, KW, Act, Pad, S>> = true;

struct WeightCensus {
  std::string family, model;
  std::size_t total = 0, conv = 0, dense = 0, dense_layers = 0, conv_layers = 0;
};

template <class Net>
WeightCensus census(std::string family, std::string model) {
  WeightCensus c{std::move(family), std::move(model)};
  c.total = Net::param_count;
  Net::for_each_layer([&]<std::size_t I>() {
    using L = typename Net::template layer<I>;
    if constexpr (is_dense<typename L::layer>) c.dense += L::param_count, ++c.dense_layers;
    if constexpr (is_conv<typename L::layer>) c.conv += L::param_count, ++c.conv_layers;
  });
  return c;
}

inline std::string census_markdown(const std::vector<WeightCensus>& rows) {
  std::string md =
      "| family | model | conv layers | dense layers | trainable params | in conv layers | in dense layers | share in dense |\n"
      "|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : rows) {
    char share[16];
    std::snprintf(share, sizeof share, "%.1f %%", r.total ? 100.0 * static_cast<double>(r.dense) / static_cast<double>(r.total) : 0.0);
    using typenet::detail::with_thousands;
    md += "| " + r.family + " | " + r.model + " | " + std::to_string(r.conv_layers) + " | " + std::to_string(r.dense_layers) +
          " | " + with_thousands(r.total) + " | " + with_thousands(r.conv) + " | " + with_thousands(r.dense) + " | " + share +
          " |\n";
  }
  return md;
}

}  // namespace lab
