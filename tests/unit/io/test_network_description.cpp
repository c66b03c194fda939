// io/network_description.hpp: a network's compile-time table of layers (layer_records<Net>) and
// the description built from it, which summary, save, load and the ONNX export all read.
#include <doctest/doctest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "typenet/io/network_description.hpp"
#include "typenet/typenet.hpp"

namespace test_network_description {

namespace tn = typenet;

namespace {

// A block that checks its input with an Input of its own: the description leaves that Input out.
using Checked = tn::Sequential<tn::Input<32>, tn::Dense<10, tn::Softmax>>;
using Described = tn::Sequential<tn::Input<6, 6, 2>, tn::Conv2D<4, 3, 3, tn::ReLU, tn::Same>,
                                 tn::BatchNormalization, tn::Flatten, tn::Dense<32, tn::ReLU>, Checked>;
static_assert(Described::layer_count == 7);

}  // namespace

TEST_CASE("layer_records: one constant per described layer, the inner Input left out") {
  constexpr const auto& records = tn::io::layer_records<Described>;
  static_assert(records.size() == 6);
  static_assert(records[0].keras_class == "InputLayer" && !records[0].shown_in_summary);
  static_assert(records[1].keras_class == "Conv2D" && records[1].param_count == 3 * 3 * 2 * 4 + 4);
  static_assert(records[2].keras_class == "BatchNormalization" && records[2].param_count == 8 &&
                records[2].non_trainable_count == 8);
  static_assert(records[5].keras_class == "Dense" && records[5].input_dims.size() == 1 && records[5].input_dims[0] == 32);
  CHECK(records[3].output_dims.size() == 1);
  CHECK(records[3].output_dims[0] == 6 * 6 * 4);
}

TEST_CASE("describe_network: names numbered as Keras's, shapes, counts and configs from the table") {
  const tn::io::NetworkDescription net = tn::io::describe_network<Described>();
  CHECK(net.input_dims == std::vector<std::size_t>{6, 6, 2});
  CHECK(net.output_dims == std::vector<std::size_t>{10});
  CHECK(net.param_count == Described::param_count);
  CHECK(net.non_trainable_count == 8);
  std::vector<std::string> names;
  for (const auto& layer : net.layers) names.push_back(layer.name);
  CHECK(names == std::vector<std::string>{"input", "conv2d", "batch_normalization", "flatten", "dense", "dense_1"});
  CHECK(net.layers[4].config.class_name == "Dense");
  CHECK(std::get<std::int64_t>(net.layers[4].config.arguments.at(0).second.value) == 32);
  CHECK(net.layers[0].config.class_name == "InputLayer");
  CHECK(net.layers[1].output_dims == std::vector<std::size_t>{6, 6, 4});
}

TEST_CASE("summary is printed from the description: Input left out, moving statistics counted") {
  std::ostringstream from_type, from_description;
  tn::print_summary<Described>(from_type);
  tn::print_summary(from_description, tn::io::describe_network<Described>());
  CHECK(from_type.str() == from_description.str());
  const std::string table = from_type.str();
  CHECK(table.find("input") == std::string::npos);
  CHECK(table.find(" dense_1 (Dense)             (None, 10)                330") != std::string::npos);
  CHECK(table.find(" batch_normalization (BatchN  (None, 6, 6, 4)          16") != std::string::npos);
  CHECK(table.find("Total params: 5,062 (19.77 KB)") != std::string::npos);
  CHECK(table.find("Non-trainable params: 8 (32.00 B)") != std::string::npos);
}

}  // namespace test_network_description
