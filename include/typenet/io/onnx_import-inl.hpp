#pragma once
// The definition of io/onnx.hpp's read_weights (typenet/config.hpp says where it is compiled):
// an ONNX graph matched against the network's plan, layer by layer, and its weights converted
// to typenet's layouts. The file may be hostile: its size is checked before it is read, every
// tensor's size against its data before anything is copied, and every refusal names the file,
// the node and what was expected.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "typenet/io/onnx.hpp"
#include "typenet/io/onnx_proto.hpp"

namespace typenet::onnx {

namespace detail {

// Protobuf refuses messages of 2 GiB or more; a larger file is not read at all.
inline constexpr std::uintmax_t largest_onnx_file = (std::uintmax_t{1} << 31) - 1;

// The ops that carry meaning, in graph order; Identity and Dropout are dropped.
struct Op {
  const ::onnx::NodeProto* node;
  int index;  // in the graph's node list
  std::string describe() const { return node->op_type() + " (node " + std::to_string(index) + " '" + node->name() + "')"; }
};

class Importer {
 public:
  Importer(const NetworkPlan& net, const std::filesystem::path& path) : net_(net), path_(path) {}

  void read(std::span<float> params, std::span<float> non_trainable) {
    parse();
    params_.assign(net_.param_count, 0.0f);
    moving_.assign(net_.non_trainable_count, 0.0f);
    match();
    std::copy(params_.begin(), params_.end(), params.begin());  // all found: only now written
    std::copy(moving_.begin(), moving_.end(), non_trainable.begin());
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw std::runtime_error(path_.string() + ": " + what); }

  void parse() {
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path_, ec);
    if (ec) fail("cannot read the file (" + ec.message() + ")");
    if (size > largest_onnx_file) fail(std::to_string(size) + " bytes, more than the 2 GiB an ONNX protobuf may hold");
    std::string bytes(static_cast<std::size_t>(size), '\0');
    std::ifstream in(path_, std::ios::binary);
    if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) fail("cannot read the file");
    if (!model_.ParseFromString(bytes)) fail("not an ONNX model (its protobuf does not parse)");
    if (!model_.has_graph() || model_.graph().input_size() < 1) fail("the model has no graph or no input");
    for (const auto& t : model_.graph().initializer()) initializers_.emplace(t.name(), &t);
    for (int i = 0; i < model_.graph().node_size(); ++i) {
      const auto& node = model_.graph().node(i);
      if (node.op_type() == "Identity" || node.op_type() == "Dropout") continue;
      ops_.push_back({&node, i});
    }
  }

  // A float initializer's values, checked against its dims before they are copied.
  std::vector<float> tensor(const Op& op, int input, std::initializer_list<std::size_t> dims) const {
    const auto& node = *op.node;
    if (input >= node.input_size()) fail(op.describe() + " has no input " + std::to_string(input));
    const auto it = initializers_.find(node.input(input));
    if (it == initializers_.end())
      fail(op.describe() + ": its input '" + node.input(input) + "' is not an initializer (weights computed in the graph are not read)");
    const ::onnx::TensorProto& t = *it->second;
    const std::string where = op.describe() + ": the tensor '" + t.name() + "'";
    if (t.data_type() != ::onnx::TensorProto::FLOAT) fail(where + " is not float32 (data type " + std::to_string(t.data_type()) + ")");
    if (t.data_location() == ::onnx::TensorProto::EXTERNAL) fail(where + " is stored in an external file, which typenet does not read");
    std::string want = "(", have = "(";
    bool same = static_cast<std::size_t>(t.dims_size()) == dims.size();
    std::size_t k = 0;
    for (std::size_t d : dims) {
      want += (k ? ", " : "") + std::to_string(d);
      same = same && t.dims(static_cast<int>(k)) == static_cast<std::int64_t>(d);
      ++k;
    }
    for (int j = 0; j < t.dims_size(); ++j) have += (j ? ", " : "") + std::to_string(t.dims(j));
    if (!same) fail(where + " has shape " + have + "), expected " + want + ")");
    std::size_t n = 1;
    for (std::size_t d : dims) n *= d;  // the network's own sizes: no overflow
    std::vector<float> values(n);
    if (t.float_data_size() == static_cast<int>(n) && t.raw_data().empty()) {
      std::copy(t.float_data().begin(), t.float_data().end(), values.begin());
    } else if (t.raw_data().size() == n * sizeof(float) && t.float_data_size() == 0) {
      std::memcpy(values.data(), t.raw_data().data(), n * sizeof(float));  // little-endian, as ONNX specifies
    } else {
      fail(where + " holds " + std::to_string(t.float_data_size()) + " floats and " + std::to_string(t.raw_data().size()) +
           " raw bytes for its " + std::to_string(n) + " values");
    }
    return values;
  }

  static const ::onnx::AttributeProto* attribute(const Op& op, const std::string& name) {
    for (const auto& a : op.node->attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  std::int64_t int_attribute(const Op& op, const std::string& name, std::int64_t otherwise) const {
    const auto* a = attribute(op, name);
    return a ? a->i() : otherwise;
  }
  std::vector<std::int64_t> ints_attribute(const Op& op, const std::string& name) const {
    const auto* a = attribute(op, name);
    return a ? std::vector<std::int64_t>(a->ints().begin(), a->ints().end()) : std::vector<std::int64_t>{};
  }

  // What the network expects at this point, and what the file has: the first difference.
  [[noreturn]] void differ(std::size_t layer, const std::string& expected) const {
    std::string text = "the graph differs from the network at layer " + std::to_string(layer + 1) + " (" +
                       net_.layers[layer].name + "): the network has " + expected + ", the file has " +
                       (next_ < ops_.size() ? ops_[next_].describe() : std::string("nothing more")) +
                       "\n  the network: " + network_text() + "\n  the file:    " + file_text();
    fail(text);
  }

  std::string network_text() const {
    std::string text = (net_.input_from.empty() ? "Input" : "output of " + net_.input_from) + dims_text(net_.input_dims);
    for (const LayerPlan& l : net_.layers) text += " -> " + l.name + (l.activation != "linear" ? "(" + l.activation + ")" : "");
    return text;
  }
  std::string file_text() const {
    std::string text;
    for (std::size_t i = 0; i < ops_.size(); ++i) text += (i ? " -> " : "") + ops_[i].node->op_type() + (i == next_ ? " <-" : "");
    return text;
  }
  template <class Int>
  static std::string dims_text(const std::vector<Int>& dims) {
    std::string text = "(";
    for (std::size_t i = 0; i < dims.size(); ++i) text += (i ? ", " : "") + std::to_string(dims[i]);
    return text + ")";
  }

  // Transposes change the layout, which matters only to a Flatten; they carry no weights.
  void skip_transposes() {
    while (next_ < ops_.size() && ops_[next_].node->op_type() == "Transpose") {
      const auto perm = ints_attribute(ops_[next_], "perm");
      if (perm == std::vector<std::int64_t>{0, 3, 1, 2}) channels_first_ = true;
      if (perm == std::vector<std::int64_t>{0, 2, 3, 1}) channels_first_ = false;
      ++next_;
    }
  }

  const Op* take(std::size_t layer, std::initializer_list<const char*> types, const std::string& expected) {
    skip_transposes();
    if (next_ < ops_.size())
      for (const char* type : types)
        if (ops_[next_].node->op_type() == type) return &ops_[next_++];
    differ(layer, expected);
  }

  void take_activation(std::size_t layer, const std::string& activation) {
    const std::string op(*onnx_operator_of(activation));  // the plan holds exportable ones only
    if (op.empty()) return;                                  // linear
    take(layer, {op.c_str()}, "the activation " + activation);
  }

  void match() {
    // A rank-3 input is (H, W, C) as typenet's, or (C, H, W) as PyTorch's.
    const auto& shape = model_.graph().input(0).type().tensor_type().shape();
    std::vector<std::int64_t> given;
    for (int i = 1; i < shape.dim_size(); ++i) given.push_back(shape.dim(i).dim_value());
    const auto& in = net_.input_dims;
    const auto as_ints = [](std::initializer_list<std::size_t> d) { return std::vector<std::int64_t>(d.begin(), d.end()); };
    if (in.size() == 3 && given == as_ints({in[2], in[0], in[1]}) && in[2] != in[1])
      channels_first_ = true;
    else if (given != std::vector<std::int64_t>(in.begin(), in.end()))
      fail("the graph's input has shape " + dims_text(given) + ", the network's is " + dims_text(in) +
           (in.size() == 3 ? " (or channels-first)" : "") +
           (net_.input_from.empty() ? "" : ", the output of " + net_.input_from));

    for (std::size_t i = 0; i < net_.layers.size(); ++i) {
      const LayerPlan& layer = net_.layers[i];
      float* p = params_.data() + layer.param_offset;
      switch (layer.kind) {
        case LayerPlan::Kind::dense: dense(i, layer, p); break;
        case LayerPlan::Kind::conv2d: conv(i, layer, p); break;
        case LayerPlan::Kind::max_pool:
        case LayerPlan::Kind::average_pool: pool(i, layer); break;
        case LayerPlan::Kind::global_average_pool:
          take(i, {"GlobalAveragePool"}, "GlobalAveragePool");
          if (next_ < ops_.size() && (ops_[next_].node->op_type() == "Flatten" || ops_[next_].node->op_type() == "Reshape")) ++next_;
          channels_first_ = false;
          break;
        case LayerPlan::Kind::batch_normalization: batch_normalization(i, layer, p); break;
        case LayerPlan::Kind::flatten:
          take(i, {"Flatten", "Reshape"}, "Flatten");
          // A channels-first image flattens as (C, H, W): the next Dense reads its features in that order.
          if (channels_first_ && layer.input_dims.size() == 3) flattened_chw_ = layer.input_dims;
          channels_first_ = false;
          break;
        case LayerPlan::Kind::activation: take_activation(i, layer.activation); break;
        case LayerPlan::Kind::dropout: break;
      }
    }
    skip_transposes();
    if (next_ < ops_.size()) fail("the graph goes on after the network's last layer with " + ops_[next_].describe());
  }

  // A Dense is a Gemm (PyTorch's Linear, typenet's export) or a MatMul by the (in, units) kernel
  // followed by an Add of the bias (tf2onnx's Keras Dense); a MatMul without an Add is a Dense
  // whose bias is 0 (PyTorch's Linear without bias).
  void dense(std::size_t i, const LayerPlan& layer, float* p) {
    const Op& op = *take(i, {"Gemm", "MatMul"}, "Dense (a Gemm, or a MatMul and an Add)");
    const std::size_t inputs = layer.input_dims[0], units = layer.output_dims[0];
    const bool gemm = op.node->op_type() == "Gemm";
    if (gemm) {
      if (int_attribute(op, "transA", 0) != 0) fail(op.describe() + ": transA is not 0");
      for (const char* scale : {"alpha", "beta"})
        if (const auto* a = attribute(op, scale); a && a->f() != 1.0f) fail(op.describe() + ": " + scale + " is not 1");
    }
    const bool transposed = gemm && int_attribute(op, "transB", 0) != 0;  // PyTorch's Linear: (out, in)
    const std::vector<float> w = transposed ? tensor(op, 1, {units, inputs}) : tensor(op, 1, {inputs, units});
    const std::vector<float> b = gemm ? tensor(op, 2, {units}) : bias_after_matmul(units);
    for (std::size_t r = 0; r < inputs; ++r) {
      const std::size_t from = source_row(r);
      for (std::size_t u = 0; u < units; ++u) p[r * units + u] = transposed ? w[u * inputs + from] : w[from * units + u];
    }
    std::copy(b.begin(), b.end(), p + inputs * units);
    flattened_chw_.clear();
    take_activation(i, layer.activation);
  }

  // The Add right after a MatMul, if there is one: its initializer input is the bias.
  std::vector<float> bias_after_matmul(std::size_t units) {
    if (next_ >= ops_.size() || ops_[next_].node->op_type() != "Add") return std::vector<float>(units, 0.0f);
    const Op& add = ops_[next_++];
    for (int input = 0; input < std::min(add.node->input_size(), 2); ++input)
      if (initializers_.contains(add.node->input(input))) return tensor(add, input, {units});
    fail(add.describe() + ": neither input is an initializer (the Dense's bias)");
  }

  // Feature r of typenet's flattened (H, W, C) is feature (c, h, w) of a channels-first Flatten.
  std::size_t source_row(std::size_t r) const {
    if (flattened_chw_.empty()) return r;
    const std::size_t h = flattened_chw_[0], w = flattened_chw_[1], c = flattened_chw_[2];
    const std::size_t channel = r % c, x = r / c % w, y = r / (c * w);
    return (channel * h + y) * w + x;
  }

  void conv(std::size_t i, const LayerPlan& layer, float* p) {
    const Op& op = *take(i, {"Conv"}, "Conv2D (a Conv)");
    const std::size_t kh = layer.kernel[0], kw = layer.kernel[1], in = layer.input_dims[2], filters = layer.output_dims[2];
    using I = std::int64_t;
    const auto kernel = ints_attribute(op, "kernel_shape");
    if (!kernel.empty() && kernel != std::vector<I>{I(kh), I(kw)}) differ(i, "a " + std::to_string(kh) + "x" + std::to_string(kw) + " kernel");
    const auto strides = ints_attribute(op, "strides");
    if (strides != std::vector<I>{I(layer.stride[0]), I(layer.stride[1])} && !(strides.empty() && layer.stride[0] == 1 && layer.stride[1] == 1))
      differ(i, "stride " + std::to_string(layer.stride[0]));
    std::vector<I> pads = ints_attribute(op, "pads");
    if (pads.empty()) pads.assign(4, 0);
    if (const auto* a = attribute(op, "auto_pad"); a && a->s() != "NOTSET") fail(op.describe() + ": auto_pad " + a->s() + " (typenet reads explicit pads)");
    if (pads != std::vector<I>{I(layer.pads[0]), I(layer.pads[1]), I(layer.pads[2]), I(layer.pads[3])})
      differ(i, "pads (top, left, bottom, right) " + std::to_string(layer.pads[0]) + ", " + std::to_string(layer.pads[1]) +
                    ", " + std::to_string(layer.pads[2]) + ", " + std::to_string(layer.pads[3]));
    for (I d : ints_attribute(op, "dilations"))
      if (d != 1) fail(op.describe() + ": dilations other than 1");
    if (int_attribute(op, "group", 1) != 1) fail(op.describe() + ": group is not 1");
    const std::vector<float> w = tensor(op, 1, {filters, in, kh, kw});
    const std::vector<float> b = tensor(op, 2, {filters});
    for (std::size_t f = 0; f < filters; ++f)
      for (std::size_t c = 0; c < in; ++c)
        for (std::size_t y = 0; y < kh; ++y)
          for (std::size_t x = 0; x < kw; ++x) p[((y * kw + x) * in + c) * filters + f] = w[((f * in + c) * kh + y) * kw + x];
    std::copy(b.begin(), b.end(), p + kh * kw * in * filters);
    channels_first_ = true;
    take_activation(i, layer.activation);
  }

  void pool(std::size_t i, const LayerPlan& layer) {
    const bool max = layer.kind == LayerPlan::Kind::max_pool;
    const Op& op = *take(i, {max ? "MaxPool" : "AveragePool"}, max ? "MaxPooling2D (a MaxPool)" : "AveragePooling2D (an AveragePool)");
    using I = std::int64_t;
    const std::vector<I> window{I(layer.kernel[0]), I(layer.kernel[1])};
    if (ints_attribute(op, "kernel_shape") != window || ints_attribute(op, "strides") != window)
      differ(i, "a " + std::to_string(layer.kernel[0]) + "x" + std::to_string(layer.kernel[1]) + " pool with that stride");
    for (I pad : ints_attribute(op, "pads"))
      if (pad != 0) differ(i, "a pool without padding");
    if (int_attribute(op, "ceil_mode", 0) != 0) differ(i, "a pool that floors (ceil_mode 0)");
    channels_first_ = true;
  }

  void batch_normalization(std::size_t i, const LayerPlan& layer, float* p) {
    const Op& op = *take(i, {"BatchNormalization"}, "BatchNormalization");
    const std::size_t channels = layer.input_dims.back();
    const auto* eps = attribute(op, "epsilon");
    const double epsilon = eps ? eps->f() : 1e-5;  // ONNX's default
    if (std::abs(epsilon - layer.epsilon) > 1e-6 * layer.epsilon)
      fail(op.describe() + ": epsilon " + std::to_string(epsilon) + ", the network's " + layer.name + " has " +
           std::to_string(layer.epsilon) + " (typenet::BatchNormalizationWith<momentum, epsilon> sets it)");
    const std::vector<float> gamma = tensor(op, 1, {channels}), beta = tensor(op, 2, {channels});
    const std::vector<float> mean = tensor(op, 3, {channels}), variance = tensor(op, 4, {channels});
    std::copy(gamma.begin(), gamma.end(), p);
    std::copy(beta.begin(), beta.end(), p + channels);
    float* moving = moving_.data() + layer.non_trainable_offset;
    std::copy(mean.begin(), mean.end(), moving);
    std::copy(variance.begin(), variance.end(), moving + channels);
  }

  const NetworkPlan& net_;
  std::filesystem::path path_;
  ::onnx::ModelProto model_;
  std::map<std::string, const ::onnx::TensorProto*> initializers_;
  std::vector<Op> ops_;
  std::size_t next_ = 0;
  bool channels_first_ = false;
  std::vector<std::size_t> flattened_chw_;  // (H, W, C) of the last channels-first Flatten
  std::vector<float> params_, moving_;
};

}  // namespace detail

TYPENET_INLINE void read_weights(const NetworkPlan& net, const FilePath& path, std::span<float> params,
                                 std::span<float> non_trainable) {
  detail::Importer(net, path.string()).read(params, non_trainable);
}

}  // namespace typenet::onnx
