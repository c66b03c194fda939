#pragma once
// ONNX export and import: `typenet::onnx::save(model, "m.onnx")` writes the network and its weights as an
// ONNX model (opset 13, a dynamic batch axis) that ONNX Runtime, Netron or any other consumer
// reads. The graph takes exactly what typenet's predict takes: its input "input" is the model's
// input shape with the batch first, channels last, and its output "output" is predict's. The
// convolutions and poolings run channels-first, as ONNX defines them, between Transposes that the
// exporter inserts where the layout changes; Dropout is left out (inference), and a
// BatchNormalization is the inference form with its moving statistics.
//
// The graph follows from the network's type: each layer's compile-time constants become plain
// data (LayerPlan) here, and the protobuf is built from that, or matched against it, by
// non-template code (io/onnx-inl.hpp, io/onnx_import-inl.hpp, compiled into the CMake target
// typenet::onnx, which links Debian's libonnx).
// A network with a layer ONNX cannot express (Hog, a layer or an activation of the user's own)
// is refused at compile time; one whose inexpressible layers form its fixed prefix (a HOG
// network) exports the rest with `save(model, path, typenet::onnx::after_fixed_prefix)`, a graph
// whose input is the prefix's output, which `model.predict_fixed_prefix(x)` computes.
#include "typenet/io/file_path.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/io/network_description.hpp"
#include "typenet/model/model.hpp"

namespace typenet::onnx {

// One layer as the exporter needs it, taken from the bound layer's constants.
struct LayerPlan {
  enum class Kind { dense, conv2d, max_pool, average_pool, global_average_pool, batch_normalization, flatten, activation, dropout };
  Kind kind = Kind::dropout;
  std::string name;                    // Keras's: dense, conv2d_1, ...
  std::string activation = "linear";   // Dense's, Conv2D's, Activation's
  std::vector<std::size_t> input_dims, output_dims;
  std::size_t kernel[2] = {1, 1}, stride[2] = {1, 1};
  std::size_t pads[4] = {0, 0, 0, 0};  // top, left, bottom, right (Keras's "same" puts the odd one after)
  double epsilon = 0.0;                // BatchNormalization's
  std::size_t param_offset = 0, non_trainable_offset = 0;
};

struct NetworkPlan {
  std::vector<std::size_t> input_dims, output_dims;
  std::string input_from;  // empty: the model's input; else the layer whose output the graph takes
  std::size_t param_count = 0, non_trainable_count = 0;
  std::vector<LayerPlan> layers;
};

// Writes the ONNX model atomically (a temporary file renamed), as typenet's own saves are.
void write_model(const NetworkPlan& net, std::span<const float> params, std::span<const float> non_trainable,
                 const FilePath& path);

// Reads the weights of an ONNX model of the same architecture into `params` and `non_trainable`
// (laid out as the network's), or throws std::runtime_error naming the file and, at the first
// difference, both architectures. Nothing is written unless every weight was found and fits.
void read_weights(const NetworkPlan& net, const FilePath& path, std::span<float> params,
                  std::span<float> non_trainable);

namespace detail {

// typenet's activations that ONNX has, with their operators (the writer's and the reader's table).
inline constexpr std::pair<std::string_view, std::string_view> onnx_activations[] = {
    {"linear", ""}, {"relu", "Relu"}, {"sigmoid", "Sigmoid"}, {"tanh", "Tanh"}, {"softmax", "Softmax"}};

// An optional, not a pointer into the table: g++'s sanitizer build refuses to compare such a pointer
// with nullptr in a constant expression.
constexpr std::optional<std::string_view> onnx_operator_of(std::string_view activation) {
  for (const auto& entry : onnx_activations)
    if (entry.first == activation) return entry.second;
  return std::nullopt;
}

template <class B>
constexpr bool has_onnx_form() {
  constexpr std::string_view k = B::keras_class;
  constexpr bool layer = k == "InputLayer" || k == "Dense" || k == "Conv2D" || k == "MaxPooling2D" ||
                         k == "AveragePooling2D" || k == "GlobalAveragePooling2D" || k == "BatchNormalization" ||
                         k == "Flatten" || k == "Activation" || k == "Dropout";
  if constexpr (requires { typename B::activation; }) {
    return layer && onnx_operator_of(B::activation::name).has_value();
  } else {
    return layer;
  }
}

// The first layer from `From` on that ONNX cannot express (layer_count if none).
template <class Net, std::size_t From = 0>
constexpr std::size_t first_without_onnx_form() {
  std::size_t found = Net::layer_count;
  Net::for_each_layer([&]<std::size_t I>() {
    if constexpr (I >= From)
      if (found == Net::layer_count && !has_onnx_form<typename Net::template layer<I>>()) found = I;
  });
  return found;
}

// The refusal, with the layer and its index in the compiler's context line.
template <std::size_t LayerIndex>
inline constexpr bool exportable_at = false;
template <std::size_t LayerIndex, class Layer>
struct refuse_layer {
  static_assert(exportable_at<LayerIndex>,
                "typenet::onnx::save: this layer has no ONNX form (typenet exports Dense, Conv2D, the poolings, "
                "BatchNormalization, Flatten, Dropout, Activation and the activations linear, relu, sigmoid, tanh, "
                "softmax; not Hog, after which onnx::after_fixed_prefix exports the rest, nor a layer or activation of "
                "one's own)");
};
template <class Net, std::size_t From = 0, std::size_t Index = first_without_onnx_form<Net, From>()>
struct check_exportable {
  static constexpr bool ok = sizeof(refuse_layer<Index, typename Net::template layer<Index>::layer>) > 0;
};
template <class Net, std::size_t From, std::size_t Index>
  requires(Index == Net::layer_count)
struct check_exportable<Net, From, Index> {
  static constexpr bool ok = true;
};

template <class Net>
constexpr bool check_fixed_prefix() {
  static_assert(Model<Net>::fixed_prefix > 0,
                "typenet::onnx (after_fixed_prefix): this network has no fixed prefix (a Hog layer at its start)");
  return check_exportable<Net, Model<Net>::fixed_prefix>::ok;
}

// What a layer's type alone says of its ONNX form: the node, its activation, and the window of a
// convolution or a pooling. Literal data, so that a network's table of them is a compile-time
// constant; the plan is made from that table and the network's description (which save() builds
// too) by non-template code, compiled once.
struct LayerForm {
  LayerPlan::Kind kind = LayerPlan::Kind::dropout;
  std::string_view activation = "linear";
  std::size_t kernel[2] = {1, 1}, stride[2] = {1, 1};
  std::size_t pads[4] = {0, 0, 0, 0};
};

template <class B>
constexpr LayerForm form_of() {
  using Kind = LayerPlan::Kind;
  LayerForm form;
  if constexpr (requires { typename B::activation; }) form.activation = B::activation::name;
  constexpr std::string_view k = B::keras_class;
  if constexpr (k == "Dense") {
    form.kind = Kind::dense;
  } else if constexpr (k == "Conv2D") {
    using W = typename B::window;
    form.kind = Kind::conv2d;
    form.kernel[0] = W::window_height, form.kernel[1] = W::window_width;
    form.stride[0] = form.stride[1] = W::stride;
    auto after = [](std::size_t in, std::size_t out, std::size_t window, std::size_t stride, std::size_t before) {
      const std::size_t needed = (out - 1) * stride + window;
      return needed > in + before ? needed - in - before : 0;
    };
    form.pads[0] = W::pad_top, form.pads[1] = W::pad_left;
    form.pads[2] = after(W::in_height, W::out_height, W::window_height, W::stride, W::pad_top);
    form.pads[3] = after(W::in_width, W::out_width, W::window_width, W::stride, W::pad_left);
  } else if constexpr (k == "MaxPooling2D" || k == "AveragePooling2D") {
    form.kind = k == "MaxPooling2D" ? Kind::max_pool : Kind::average_pool;
    form.kernel[0] = form.stride[0] = B::rows::window_height;
    form.kernel[1] = form.stride[1] = B::cols::window_width;
  } else if constexpr (k == "GlobalAveragePooling2D") {
    form.kind = Kind::global_average_pool;
  } else if constexpr (k == "BatchNormalization") {
    form.kind = Kind::batch_normalization;  // its epsilon is in its config
  } else if constexpr (k == "Flatten") {
    form.kind = Kind::flatten;
  } else if constexpr (k == "Activation") {
    form.kind = Kind::activation;
  } else {
    form.kind = Kind::dropout;  // Dropout and the Input: nothing at inference
  }
  return form;
}

// The forms of the layers describe_network<Net>() describes, in its order.
template <class Net>
inline constexpr auto layer_forms = io::detail::described_table<Net>([]<class B>() { return form_of<B>(); });

// The plan of described layers [from, end): from 0, the whole network (its Input is the graph's
// input); from the end of the fixed prefix, the rest, taking the prefix's output. `forms` holds
// one entry per described layer.
NetworkPlan plan_network(const io::NetworkDescription& net, std::span<const LayerForm> forms, std::size_t from);

template <class Net, std::size_t From = 0>
NetworkPlan plan_network() {
  return plan_network(io::describe_network<Net>(), layer_forms<Net>, io::detail::described_count<Net, From>());
}

}  // namespace detail

// Whether save<Net> compiles: every layer and activation of Net has an ONNX form.
template <class Net>
inline constexpr bool exportable = detail::first_without_onnx_form<Net>() == Net::layer_count;
// Whether save(model, path, after_fixed_prefix) compiles: Net has a fixed prefix, and every layer
// after it has an ONNX form.
template <class Net>
inline constexpr bool exportable_after_fixed_prefix =
    Model<Net>::fixed_prefix > 0 && detail::first_without_onnx_form<Net, Model<Net>::fixed_prefix>() == Net::layer_count;

// Selects the layers after the fixed prefix, for save and load_weights (a HOG network's
// classifier, taking HOG features).
struct AfterFixedPrefix {};
inline constexpr AfterFixedPrefix after_fixed_prefix{};

template <class Net>
void save(const Model<Net>& model, const FilePath& path) {
  static_assert(detail::check_exportable<Net>::ok);
  write_model(detail::plan_network<Net>(), model.parameters(), model.non_trainable_parameters(), path);
}
// The layers after the fixed prefix; the graph's input "input" is what the model's
// predict_fixed_prefix(x) returns, and the file's metadata names the layer it comes from.
template <class Net>
void save(const Model<Net>& model, const FilePath& path, AfterFixedPrefix) {
  static_assert(detail::check_fixed_prefix<Net>());
  write_model(detail::plan_network<Net, Model<Net>::fixed_prefix>(), model.parameters(),
              model.non_trainable_parameters(), path);
}

// Fills the model's weights (and BatchNormalization's moving statistics) from an ONNX file of the
// same architecture: one typenet wrote, or one that torch.onnx.export wrote of the equivalent
// PyTorch module. The graph is matched layer by layer against Net; PyTorch's layouts are
// converted (Linear's (out, in) weight, Conv2d's (out, in, kh, kw), and the order of the features
// a channels-first Flatten produces). The rest of the model (optimizer, History) is kept.
template <class Net>
void load_weights(Model<Net>& model, const FilePath& path) {
  static_assert(detail::check_exportable<Net>::ok);
  read_weights(detail::plan_network<Net>(), path, model.parameters(), model.non_trainable_parameters());
}
// The weights of the layers after the fixed prefix, from a file that save(..., after_fixed_prefix)
// wrote, or any ONNX model of that part.
template <class Net>
void load_weights(Model<Net>& model, const FilePath& path, AfterFixedPrefix) {
  static_assert(detail::check_fixed_prefix<Net>());
  read_weights(detail::plan_network<Net, Model<Net>::fixed_prefix>(), path, model.parameters(),
               model.non_trainable_parameters());
}

}  // namespace typenet::onnx

#ifdef TYPENET_HEADER_ONLY
#include "typenet/io/onnx-inl.hpp"
#include "typenet/io/onnx_import-inl.hpp"
#endif
