#pragma once
// Where a network's weights sit, from its compile-time type: the parameters of its convolution
// layers, of its dense layers and of the rest, and the markdown table the lab report shows.
#include <cstddef>
#include <string>
#include <vector>

#include "typenet/layers/conv2d.hpp"
#include "typenet/layers/dense.hpp"
#include "typenet/network/sequential.hpp"

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

// The markdown table of the rows (common/lab_report.cpp, compiled once for the examples).
std::string census_markdown(const std::vector<WeightCensus>& rows);

}  // namespace lab
