// io/onnx.hpp: the exported graph read back with libonnx's protobuf classes: opset, the input
// and output as predict takes and gives them, the nodes with the layout Transposes, Keras's
// "same" padding as explicit pads, and the weights in ONNX's layouts. (That ONNX Runtime computes
// what predict computes is checked by tests/onnx/, where the runtime is installed.)
#ifdef TYPENET_HAVE_ONNX
#include <doctest/doctest.h>

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "typenet/io/onnx.hpp"
#include "typenet/typenet.hpp"

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
#endif
