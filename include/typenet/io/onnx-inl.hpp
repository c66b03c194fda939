#pragma once
// The definitions of io/onnx.hpp's plan_network and write_model (typenet/config.hpp says where it is compiled):
// the ONNX protobuf built with the classes Debian's libonnx generates (io/onnx_proto.hpp).

#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <string>
#include <variant>

#include "typenet/io/atomic_file.hpp"
#include "typenet/io/onnx.hpp"
#include "typenet/io/onnx_proto.hpp"

namespace typenet::onnx {

namespace detail {

// The graph under construction: the name of the tensor the next layer reads, its layout, and
// unique names for what the layers add.
class GraphBuilder {
 public:
  explicit GraphBuilder(::onnx::GraphProto& graph) : graph_(graph) {}

  std::string current = "input";
  bool channels_first = false;  // whether `current`, an image, is (N, C, H, W)

  ::onnx::NodeProto& node(const std::string& op, const std::string& name, std::initializer_list<std::string> inputs) {
    ::onnx::NodeProto& n = *graph_.add_node();
    n.set_op_type(op);
    n.set_name(name);
    for (const std::string& in : inputs) n.add_input(in);
    current = name + "/" + op;
    n.add_output(current);
    return n;
  }

  static void attribute(::onnx::NodeProto& n, const std::string& name, std::int64_t value) {
    auto& a = *n.add_attribute();
    a.set_name(name);
    a.set_type(::onnx::AttributeProto::INT);
    a.set_i(value);
  }
  static void attribute(::onnx::NodeProto& n, const std::string& name, float value) {
    auto& a = *n.add_attribute();
    a.set_name(name);
    a.set_type(::onnx::AttributeProto::FLOAT);
    a.set_f(value);
  }
  static void attribute(::onnx::NodeProto& n, const std::string& name, std::initializer_list<std::int64_t> values) {
    auto& a = *n.add_attribute();
    a.set_name(name);
    a.set_type(::onnx::AttributeProto::INTS);
    for (std::int64_t v : values) a.add_ints(v);
  }

  // A float initializer of the given shape; `at(i)` gives element i in ONNX's row-major order.
  template <class At>
  std::string initializer(const std::string& name, std::initializer_list<std::size_t> dims, At at) {
    ::onnx::TensorProto& t = *graph_.add_initializer();
    t.set_name(name);
    t.set_data_type(::onnx::TensorProto::FLOAT);
    std::size_t size = 1;
    for (std::size_t d : dims) t.add_dims(static_cast<std::int64_t>(d)), size *= d;
    t.mutable_float_data()->Reserve(static_cast<int>(size));
    for (std::size_t i = 0; i < size; ++i) t.add_float_data(at(i));
    return name;
  }

  // Images go channels-first for the convolutions and poolings, and back before anything that
  // reads them in typenet's order (Flatten, the output).
  void to_channels_first(const std::string& layer) {
    if (channels_first) return;
    attribute(node("Transpose", layer + "/to_nchw", {current}), "perm", {0, 3, 1, 2});
    channels_first = true;
  }
  void to_channels_last(const std::string& layer) {
    if (!channels_first) return;
    attribute(node("Transpose", layer + "/to_nhwc", {current}), "perm", {0, 2, 3, 1});
    channels_first = false;
  }

  void activation(const std::string& layer, const std::string& name) {
    const std::optional<std::string_view> op = onnx_operator_of(name);
    if (!op) throw std::logic_error("typenet::onnx::save: the activation " + name + " has no ONNX form");
    if (op->empty()) return;  // linear
    auto& n = node(std::string(*op), layer, {current});
    if (*op == "Softmax") attribute(n, "axis", std::int64_t{channels_first ? 1 : -1});
  }

 private:
  ::onnx::GraphProto& graph_;
};

inline void describe_tensor(::onnx::ValueInfoProto& info, const std::string& name, const std::vector<std::size_t>& dims) {
  info.set_name(name);
  auto& tensor = *info.mutable_type()->mutable_tensor_type();
  tensor.set_elem_type(::onnx::TensorProto::FLOAT);
  auto& shape = *tensor.mutable_shape();
  shape.add_dim()->set_dim_param("batch");
  for (std::size_t d : dims) shape.add_dim()->set_dim_value(static_cast<std::int64_t>(d));
}

TYPENET_INLINE NetworkPlan plan_network(const io::NetworkDescription& net, std::span<const LayerForm> forms,
                                        std::size_t from) {
  if (forms.size() != net.layers.size() || from > net.layers.size())
    throw std::logic_error("typenet::onnx::detail::plan_network: the forms or `from` do not match the description");
  NetworkPlan plan;
  plan.input_dims = from > 0 ? net.layers[from - 1].output_dims : net.input_dims;
  plan.output_dims = net.output_dims;
  plan.param_count = net.param_count;
  plan.non_trainable_count = net.non_trainable_count;
  if (from > 0) plan.input_from = net.layers[from - 1].name;
  std::size_t param_offset = 0, non_trainable_offset = 0;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const io::DescribedLayer& layer = net.layers[i];
    if (i > 0 && i >= from) {  // layer 0 is the Input
      const LayerForm& form = forms[i];
      LayerPlan& p = plan.layers.emplace_back();
      p.kind = form.kind;
      p.name = layer.name;
      p.activation = std::string(form.activation);
      p.input_dims = layer.input_dims;
      p.output_dims = layer.output_dims;
      std::copy(std::begin(form.kernel), std::end(form.kernel), p.kernel);
      std::copy(std::begin(form.stride), std::end(form.stride), p.stride);
      std::copy(std::begin(form.pads), std::end(form.pads), p.pads);
      if (p.kind == LayerPlan::Kind::batch_normalization)
        for (const auto& [key, value] : layer.config.arguments)
          if (key == "epsilon") p.epsilon = std::get<double>(value.value);
      p.param_offset = param_offset;
      p.non_trainable_offset = non_trainable_offset;
    }
    param_offset += layer.param_count;
    non_trainable_offset += layer.non_trainable_count;
  }
  return plan;
}

}  // namespace detail

TYPENET_INLINE void write_model(const NetworkPlan& net, std::span<const float> params,
                                std::span<const float> non_trainable, const FilePath& path) {
  using Kind = LayerPlan::Kind;
  ::onnx::ModelProto model;
  model.set_ir_version(7);  // what opset 13 came with; every consumer of opset 13 reads it
  model.set_producer_name("typenet");
  model.set_producer_version(TYPENET_VERSION);
  auto& opset = *model.add_opset_import();
  opset.set_domain("");
  opset.set_version(13);
  auto metadata = [&](const std::string& key, const std::string& value) {
    auto& entry = *model.add_metadata_props();
    entry.set_key(key);
    entry.set_value(value);
  };
  metadata("typenet_version", TYPENET_VERSION);
  metadata("param_count", std::to_string(net.param_count));
  metadata("non_trainable_count", std::to_string(net.non_trainable_count));
  // A graph after the fixed prefix: its input is this layer's output (Model::predict_fixed_prefix).
  if (!net.input_from.empty()) metadata("input_is_output_of", net.input_from);

  ::onnx::GraphProto& graph = *model.mutable_graph();
  graph.set_name("typenet");
  detail::describe_tensor(*graph.add_input(), "input", net.input_dims);
  detail::GraphBuilder g(graph);
  for (const LayerPlan& layer : net.layers) {
    const std::string& name = layer.name;
    const float* p = params.data() + layer.param_offset;
    switch (layer.kind) {
      case Kind::dense: {  // kernel (inputs, units) row-major, as ONNX's Gemm B without transB
        const std::size_t inputs = layer.input_dims[0], units = layer.output_dims[0];
        const std::string kernel = g.initializer(name + "/kernel", {inputs, units}, [&](std::size_t i) { return p[i]; });
        const std::string bias = g.initializer(name + "/bias", {units}, [&](std::size_t i) { return p[inputs * units + i]; });
        g.node("Gemm", name, {g.current, kernel, bias});
        g.activation(name + "/" + layer.activation, layer.activation);
        break;
      }
      case Kind::conv2d: {  // typenet's kernel (kh, kw, in, filters) as ONNX's (filters, in, kh, kw)
        const std::size_t kh = layer.kernel[0], kw = layer.kernel[1], in = layer.input_dims[2], filters = layer.output_dims[2];
        g.to_channels_first(name);
        const std::string kernel = g.initializer(name + "/kernel", {filters, in, kh, kw}, [&](std::size_t i) {
          const std::size_t x = i % kw, y = i / kw % kh, c = i / (kw * kh) % in, f = i / (kw * kh * in);
          return p[((y * kw + x) * in + c) * filters + f];
        });
        const std::string bias = g.initializer(name + "/bias", {filters}, [&](std::size_t i) { return p[kh * kw * in * filters + i]; });
        auto& conv = g.node("Conv", name, {g.current, kernel, bias});
        using I = std::int64_t;
        g.attribute(conv, "kernel_shape", {I(kh), I(kw)});
        g.attribute(conv, "strides", {I(layer.stride[0]), I(layer.stride[1])});
        g.attribute(conv, "pads", {I(layer.pads[0]), I(layer.pads[1]), I(layer.pads[2]), I(layer.pads[3])});
        g.activation(name + "/" + layer.activation, layer.activation);
        break;
      }
      case Kind::max_pool:
      case Kind::average_pool: {
        g.to_channels_first(name);
        using I = std::int64_t;
        auto& pool = g.node(layer.kind == Kind::max_pool ? "MaxPool" : "AveragePool", name, {g.current});
        g.attribute(pool, "kernel_shape", {I(layer.kernel[0]), I(layer.kernel[1])});
        g.attribute(pool, "strides", {I(layer.stride[0]), I(layer.stride[1])});
        break;
      }
      case Kind::global_average_pool:  // (N, C, 1, 1), then (N, C) as typenet's output
        g.to_channels_first(name);
        g.node("GlobalAveragePool", name, {g.current});
        g.attribute(g.node("Flatten", name + "/flatten", {g.current}), "axis", std::int64_t{1});
        g.channels_first = false;
        break;
      case Kind::batch_normalization: {  // over the last axis: the channels of an image
        const std::size_t channels = layer.input_dims.back();
        // ONNX normalises axis 1: the features of a vector, the channels of an image once it is
        // channels-first; typenet's last axis of a rank-2 sample has no such place.
        if (layer.input_dims.size() == 2)
          throw std::invalid_argument("typenet::onnx::save: " + name + " normalises the last axis of a rank-2 sample, "
                                      "which ONNX's BatchNormalization cannot express");
        if (layer.input_dims.size() == 3) g.to_channels_first(name);
        const float* moving = non_trainable.data() + layer.non_trainable_offset;
        const std::string scale = g.initializer(name + "/gamma", {channels}, [&](std::size_t i) { return p[i]; });
        const std::string shift = g.initializer(name + "/beta", {channels}, [&](std::size_t i) { return p[channels + i]; });
        const std::string mean = g.initializer(name + "/moving_mean", {channels}, [&](std::size_t i) { return moving[i]; });
        const std::string var =
            g.initializer(name + "/moving_variance", {channels}, [&](std::size_t i) { return moving[channels + i]; });
        g.attribute(g.node("BatchNormalization", name, {g.current, scale, shift, mean, var}), "epsilon",
                    static_cast<float>(layer.epsilon));
        break;
      }
      case Kind::flatten:  // typenet flattens channels-last
        g.to_channels_last(name);
        g.attribute(g.node("Flatten", name, {g.current}), "axis", std::int64_t{1});
        break;
      case Kind::activation:
        g.activation(name, layer.activation);
        break;
      case Kind::dropout:
        break;
    }
  }
  g.to_channels_last("output");
  g.node("Identity", "output", {g.current});
  graph.mutable_node(graph.node_size() - 1)->set_output(0, "output");
  detail::describe_tensor(*graph.add_output(), "output", net.output_dims);

  std::string bytes;
  if (!model.SerializeToString(&bytes)) throw std::runtime_error(path.string() + ": the ONNX model could not be serialised");
  io::write_file_atomically(path.string(), bytes);
}

}  // namespace typenet::onnx
