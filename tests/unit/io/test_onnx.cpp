// io/onnx.hpp. Export: the graph read back with libonnx's protobuf classes: opset, the input and
// output as predict takes and gives them, the nodes with the layout Transposes, Keras's "same"
// padding as explicit pads, and the weights in ONNX's layouts (that ONNX Runtime computes what
// predict computes is checked by tests/onnx/, where the runtime is installed). Import: PyTorch's
// exports (tests/data/onnx/make_torch_onnx.py) reproduce PyTorch's outputs; typenet's own round
// trip; and files that differ from the network are refused at the first difference.
#ifdef TYPENET_HAVE_ONNX
#include <doctest/doctest.h>

#include "typenet/io/onnx_proto.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/golden_lines.hpp"
#include "typenet/io/onnx.hpp"
#include "typenet/typenet.hpp"

namespace test_onnx {

namespace tn = typenet;

namespace {

::onnx::ModelProto read_onnx(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  ::onnx::ModelProto model;
  REQUIRE(model.ParseFromIstream(&in));
  return model;
}

std::vector<std::string> op_types(const ::onnx::ModelProto& model) {
  std::vector<std::string> ops;
  for (const auto& node : model.graph().node()) ops.push_back(node.op_type());
  return ops;
}

const ::onnx::TensorProto& initializer(const ::onnx::ModelProto& model, const std::string& name) {
  for (const auto& t : model.graph().initializer())
    if (t.name() == name) return t;
  FAIL("no initializer " << name);
  throw;
}

std::vector<std::int64_t> dims_of(const ::onnx::ValueInfoProto& info) {
  std::vector<std::int64_t> dims;
  for (const auto& d : info.type().tensor_type().shape().dim()) dims.push_back(d.has_dim_param() ? -1 : d.dim_value());
  return dims;
}

}  // namespace

TEST_CASE("onnx plan: made from the network's description, an inner Input left out, offsets as the weights lie") {
  using Checked = tn::Sequential<tn::Input<32>, tn::Dense<10, tn::Softmax>>;
  using Net = tn::Sequential<tn::Input<6, 6, 2>, tn::Conv2D<4, 3, 3, tn::ReLU, tn::Same, 2>, tn::BatchNormalization,
                             tn::Flatten, tn::Dense<32, tn::ReLU>, Checked>;
  const tn::onnx::NetworkPlan plan = tn::onnx::detail::plan_network<Net>();
  CHECK(plan.input_dims == std::vector<std::size_t>{6, 6, 2});
  REQUIRE(plan.layers.size() == 5);
  const auto& conv = plan.layers[0];
  CHECK(conv.name == "conv2d");
  CHECK(conv.activation == "relu");
  CHECK((conv.kernel[0] == 3 && conv.stride[0] == 2));
  // Keras's "same" at stride 2 on 6 pixels: 3 outputs need 7, the odd one after.
  CHECK((conv.pads[0] == 0 && conv.pads[1] == 0 && conv.pads[2] == 1 && conv.pads[3] == 1));
  CHECK(plan.layers[1].kind == tn::onnx::LayerPlan::Kind::batch_normalization);
  CHECK(plan.layers[1].epsilon == doctest::Approx(1e-3));
  CHECK(plan.layers[1].param_offset == Net::param_offset[2]);
  CHECK(plan.layers[4].name == "dense_1");
  CHECK(plan.layers[4].param_offset == Net::param_offset[6]);
  CHECK(plan.layers[4].non_trainable_offset == Net::non_trainable_offset[6]);
  // From the end of the network on: a graph that only passes its input through.
  const tn::onnx::NetworkPlan after = tn::onnx::detail::plan_network(tn::io::describe_network<Net>(),
                                                                     tn::onnx::detail::layer_forms<Net>, 6);
  CHECK(after.layers.empty());
  CHECK(after.input_from == "dense_1");
}

TEST_CASE("onnx::save: an MLP, its input as predict takes it and its kernel as Gemm's B") {
  using Net = tn::Sequential<tn::Input<28, 28>, tn::Flatten, tn::Dense<32, tn::ReLU>, tn::Dropout<0.5>, tn::Dense<10, tn::Softmax>>;
  tn::Model<Net> model{3};
  const auto path = std::filesystem::temp_directory_path() / "typenet_test_mlp.onnx";
  tn::onnx::save(model, path);
  const auto onnx = read_onnx(path);
  CHECK(onnx.opset_import(0).version() == 13);
  CHECK(onnx.producer_name() == "typenet");
  CHECK(onnx.metadata_props(1).key() == "param_count");
  CHECK(onnx.metadata_props(1).value() == std::to_string(Net::param_count));
  CHECK(onnx.graph().input(0).name() == "input");
  CHECK(dims_of(onnx.graph().input(0)) == std::vector<std::int64_t>{-1, 28, 28});
  CHECK(onnx.graph().input(0).type().tensor_type().shape().dim(0).dim_param() == "batch");
  CHECK(dims_of(onnx.graph().output(0)) == std::vector<std::int64_t>{-1, 10});
  CHECK(op_types(onnx) == std::vector<std::string>{"Flatten", "Gemm", "Relu", "Gemm", "Softmax", "Identity"});
  const auto& kernel = initializer(onnx, "dense/kernel");
  REQUIRE(kernel.dims_size() == 2);
  CHECK(kernel.dims(0) == 784);
  CHECK(kernel.dims(1) == 32);
  const auto [k, b] = model.layer<2>().get_weights();
  CHECK(kernel.float_data(5 * 32 + 7) == k(5, 7));
  CHECK(initializer(onnx, "dense_1/bias").float_data_size() == 10);
  std::filesystem::remove(path);
}

TEST_CASE("onnx::save: a CNN runs channels-first between Transposes, with Keras's same padding as pads") {
  using Net = tn::Sequential<tn::Input<8, 8, 1>, tn::Conv2D<4, 3, 3, tn::ReLU, tn::Same, 2>, tn::BatchNormalization,
                             tn::MaxPooling2D<2>, tn::Conv2D<3, 1, 1>, tn::Flatten, tn::Dense<3, tn::Softmax>>;
  tn::Model<Net> model{4};
  const auto path = std::filesystem::temp_directory_path() / "typenet_test_cnn.onnx";
  tn::onnx::save(model, path);
  const auto onnx = read_onnx(path);
  CHECK(op_types(onnx) == std::vector<std::string>{"Transpose", "Conv", "Relu", "BatchNormalization", "MaxPool", "Conv",
                                                   "Transpose", "Flatten", "Gemm", "Softmax", "Identity"});
  CHECK(dims_of(onnx.graph().input(0)) == std::vector<std::int64_t>{-1, 8, 8, 1});
  const auto& conv = onnx.graph().node(1);
  std::vector<std::int64_t> pads;
  for (const auto& a : conv.attribute())
    if (a.name() == "pads") pads.assign(a.ints().begin(), a.ints().end());
  CHECK(pads == std::vector<std::int64_t>{0, 0, 1, 1});  // 8 -> 4 at stride 2 needs one row: after, as Keras
  // ONNX's (filters, in, kh, kw) against typenet's (kh, kw, in, filters).
  const auto& kernel = initializer(onnx, "conv2d/kernel");
  CHECK(std::vector<std::int64_t>(kernel.dims().begin(), kernel.dims().end()) == std::vector<std::int64_t>{4, 1, 3, 3});
  const auto [k, b] = model.layer<1>().get_weights();
  CHECK(kernel.float_data(((2 * 1 + 0) * 3 + 1) * 3 + 2) == k(1, 2, 0, 2));  // f 2, c 0, y 1, x 2
  CHECK(initializer(onnx, "batch_normalization/moving_variance").float_data(0) == 1.0f);
  std::filesystem::remove(path);
}

namespace {

const std::string onnx_data = std::string(TYPENET_TEST_DATA) + "/onnx/";

// PyTorch's channels-first images (N, C, H, W) as typenet's (N, H, W, C).
xt::xtensor<float, 2> channels_last(const std::vector<double>& nchw, std::size_t c, std::size_t h, std::size_t w) {
  const std::size_t n = nchw.size() / (c * h * w);
  auto x = xt::xtensor<float, 2>::from_shape({n, h * w * c});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t ch = 0; ch < c; ++ch)
      for (std::size_t y = 0; y < h; ++y)
        for (std::size_t z = 0; z < w; ++z) x(i, (y * w + z) * c + ch) = static_cast<float>(nchw[((i * c + ch) * h + y) * w + z]);
  return x;
}

// Golden values as a batch of rows `width` wide.
xt::xtensor<float, 2> rows_of(const std::vector<double>& values, std::size_t width) {
  auto x = xt::xtensor<float, 2>::from_shape({values.size() / width, width});
  std::copy(values.begin(), values.end(), x.begin());
  return x;
}

void check_outputs(const xt::xtensor<float, 2>& got, const std::vector<double>& expected) {
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) CHECK(std::abs(got.data()[i] - expected[i]) <= 1e-5);
}

using TorchMlp = tn::Sequential<tn::Input<6>, tn::Dense<8, tn::ReLU>, tn::Dense<3, tn::Softmax>>;
using TorchCnn = tn::Sequential<tn::Input<8, 8, 1>, tn::Conv2D<4, 3, 3, tn::ReLU, tn::Same>, tn::MaxPooling2D<2>,
                                tn::BatchNormalization, tn::Conv2D<5, 3, 3, tn::Tanh>, tn::Flatten, tn::Dense<3, tn::Softmax>>;
using KerasCnn = tn::Sequential<tn::Input<6, 6, 2>, tn::Conv2D<3, 3, 3, tn::ReLU, tn::Same>, tn::MaxPooling2D<2>, tn::Flatten,
                                tn::Dense<4, tn::Softmax>>;

}  // namespace

TEST_CASE("onnx::load_weights: PyTorch's MLP and CNN give PyTorch's outputs within 1e-5") {
  const auto golden = tn::testing::read_golden_lines(onnx_data + "golden.txt");
  tn::Model<TorchMlp> mlp{1};
  tn::onnx::load_weights(mlp, onnx_data + "mlp.onnx");
  check_outputs(mlp.predict(rows_of(golden.at("mlp_input"), 6)), golden.at("mlp_output"));

  // Its Flatten reads channels-first: the Linear's 20 inputs are reordered into typenet's (H, W, C).
  tn::Model<TorchCnn> cnn{1};
  tn::onnx::load_weights(cnn, onnx_data + "cnn.onnx");
  check_outputs(cnn.predict(channels_last(golden.at("cnn_input"), 1, 8, 8)), golden.at("cnn_output"));
}

TEST_CASE("onnx::load_weights: Dense as a MatMul, with the bias in an Add (tf2onnx's Keras) or without (Linear without bias)") {
  const auto golden = tn::testing::read_golden_lines(onnx_data + "golden.txt");
  tn::Model<TorchMlp> mlp{1};
  tn::onnx::load_weights(mlp, onnx_data + "mlp_matmul.onnx");
  check_outputs(mlp.predict(rows_of(golden.at("mlp_matmul_input"), 6)), golden.at("mlp_matmul_output"));
  CHECK(std::all_of(mlp.parameters().begin() + 6 * 8, mlp.parameters().begin() + 6 * 8 + 8, [](float b) { return b == 0.0f; }));

  // Channels-last in, as typenet takes it; the Reshape flattens a channels-last image: no reordering.
  tn::Model<KerasCnn> cnn{1};
  tn::onnx::load_weights(cnn, onnx_data + "keras_cnn.onnx");
  check_outputs(cnn.predict(rows_of(golden.at("keras_cnn_input"), 6 * 6 * 2)), golden.at("keras_cnn_output"));
}

TEST_CASE("onnx::load_weights: typenet's own export loads back bit for bit") {
  tn::Model<TorchCnn> a{5}, b{6};
  a.compile(tn::Adam{}, tn::CategoricalCrossentropy{});
  auto x = xt::xtensor<float, 2>::from_shape({16, 64});
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(i % 13) / 13.0f;
  auto y = xt::xtensor<float, 2>::from_shape({16, 3});
  y.fill(1.0f / 3.0f);
  a.fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0});  // moving statistics away from 0 and 1
  const auto path = std::filesystem::temp_directory_path() / "typenet_test_roundtrip.onnx";
  tn::onnx::save(a, path);
  tn::onnx::load_weights(b, path);
  CHECK(std::equal(a.parameters().begin(), a.parameters().end(), b.parameters().begin()));
  CHECK(std::equal(a.non_trainable_parameters().begin(), a.non_trainable_parameters().end(),
                   b.non_trainable_parameters().begin()));
  std::filesystem::remove(path);
}

TEST_CASE("onnx::save after_fixed_prefix: a HOG network's layers after HOG, taking predict_fixed_prefix's rows") {
  using Net = tn::Sequential<tn::Input<28, 28, 1>, tn::Hog<8, 4>, tn::Dense<16, tn::ReLU>, tn::Dropout<0.5>,
                             tn::Dense<10, tn::Softmax>>;
  static_assert(!tn::onnx::exportable<Net> && tn::onnx::exportable_after_fixed_prefix<Net>);
  constexpr std::size_t features = Net::layer<1>::output_shape::size;
  tn::Model<Net> a{3}, b{4};
  const auto path = std::filesystem::temp_directory_path() / "typenet_test_hog.onnx";
  tn::onnx::save(a, path, tn::onnx::after_fixed_prefix);
  const auto onnx = read_onnx(path);
  CHECK(dims_of(onnx.graph().input(0)) == std::vector<std::int64_t>{-1, static_cast<std::int64_t>(features)});
  CHECK(op_types(onnx) == std::vector<std::string>{"Gemm", "Relu", "Gemm", "Softmax", "Identity"});
  CHECK(onnx.metadata_props(3).key() == "input_is_output_of");
  CHECK(onnx.metadata_props(3).value() == "hog");
  CHECK(initializer(onnx, "dense/kernel").dims(0) == static_cast<std::int64_t>(features));

  auto x = xt::xtensor<float, 2>::from_shape({3, 784});
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(i % 29) / 29.0f;
  const auto hog = a.predict_fixed_prefix(x);
  REQUIRE(hog.shape(1) == features);
  // Layer 1 alone, run by hand on the first image, is what predict_fixed_prefix gives.
  using Hog = Net::layer<1>;
  std::vector<float> by_hand(features), scratch(Hog::scratch_per_sample);
  Hog::forward({.params = nullptr, .in = x.data(), .out = by_hand.data(), .scratch = scratch.data(), .batch = 1,
                .training = false, .rng = nullptr});
  CHECK(std::equal(by_hand.begin(), by_hand.end(), hog.data()));

  tn::onnx::load_weights(b, path, tn::onnx::after_fixed_prefix);
  CHECK(std::equal(a.parameters().begin(), a.parameters().end(), b.parameters().begin()));
  // The whole network's reader sees a graph that starts after HOG, and says so.
  using Whole = tn::Sequential<tn::Input<28, 28, 1>, tn::Flatten, tn::Dense<16, tn::ReLU>, tn::Dense<10, tn::Softmax>>;
  tn::Model<Whole> whole{1};
  CHECK_THROWS_WITH(tn::onnx::load_weights(whole, path), doctest::Contains("the graph's input has shape (392), the network's is (28, 28, 1)"));
  std::filesystem::remove(path);
}

TEST_CASE("onnx::load_weights: another architecture, a wrong epsilon or a damaged file is refused, the model untouched") {
  using Wider = tn::Sequential<tn::Input<6>, tn::Dense<9, tn::ReLU>, tn::Dense<3, tn::Softmax>>;
  tn::Model<Wider> wider{1};
  const std::vector<float> before(wider.parameters().begin(), wider.parameters().end());
  CHECK_THROWS_WITH(tn::onnx::load_weights(wider, onnx_data + "mlp.onnx"),
                    doctest::Contains("has shape (8, 6), expected (9, 6)"));
  CHECK(std::equal(before.begin(), before.end(), wider.parameters().begin()));

  using Tanh = tn::Sequential<tn::Input<6>, tn::Dense<8, tn::Tanh>, tn::Dense<3, tn::Softmax>>;
  tn::Model<Tanh> tanh{1};
  try {
    tn::onnx::load_weights(tanh, onnx_data + "mlp.onnx");
    FAIL("a Relu loaded as a Tanh");
  } catch (const std::runtime_error& e) {  // the first difference, and both architectures
    const std::string what = e.what();
    CHECK(what.find("at layer 1 (dense): the network has the activation tanh, the file has Relu") != std::string::npos);
    CHECK(what.find("the network: Input(6) -> dense(tanh) -> dense_1(softmax)") != std::string::npos);
    CHECK(what.find("the file:    Gemm -> Relu <- -> Gemm -> Softmax") != std::string::npos);
  }

  using Keras = tn::Sequential<tn::Input<8, 8, 1>, tn::Conv2D<4, 3, 3, tn::ReLU, tn::Same>, tn::MaxPooling2D<2>,
                               tn::BatchNormalizationWith<0.99, 1e-5>, tn::Conv2D<5, 3, 3, tn::Tanh>, tn::Flatten,
                               tn::Dense<3, tn::Softmax>>;
  tn::Model<Keras> keras{1};
  CHECK_THROWS_WITH(tn::onnx::load_weights(keras, onnx_data + "cnn.onnx"), doctest::Contains("epsilon 0.001000"));

  // tf2onnx's Dense: an Add whose inputs are both computed has no bias to read.
  const auto path = std::filesystem::temp_directory_path() / "typenet_test_damaged.onnx";
  ::onnx::ModelProto keras_cnn = read_onnx(onnx_data + "keras_cnn.onnx");
  for (auto& node : *keras_cnn.mutable_graph()->mutable_node())
    if (node.op_type() == "Add") node.set_input(1, "matmul");
  std::ofstream(path, std::ios::binary) << keras_cnn.SerializeAsString();
  tn::Model<KerasCnn> no_bias{1};
  CHECK_THROWS_WITH(tn::onnx::load_weights(no_bias, path),
                    doctest::Contains("Add (node 7 'dense/BiasAdd'): neither input is an initializer (the Dense's bias)"));

  std::ifstream in(onnx_data + "cnn.onnx", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  tn::Model<TorchCnn> cnn{1};
  CHECK_THROWS_WITH(tn::onnx::load_weights(cnn, path), doctest::Contains("typenet_test_damaged.onnx: "));
  std::filesystem::remove(path);
  CHECK_THROWS_WITH(tn::onnx::load_weights(cnn, path), doctest::Contains("cannot read the file"));
}

}  // namespace test_onnx
#endif
