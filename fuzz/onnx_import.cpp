// ONNX import: typenet::onnx::load_weights on the input as an .onnx file, into the networks of
// the goldens (tests/data/onnx/make_torch_onnx.py): an MLP, a CNN with BatchNormalization and a
// channels-first Flatten, and a CNN laid out as tf2onnx writes Keras's (Dense as MatMul + Add). Protobuf parses the bytes; what typenet
// checks after it (tensor shapes against their data, the graph against the network) is what
// mutation reaches.
#include <new>

#include "fuzz_support.hpp"
#include "typenet/io/onnx.hpp"
#include "typenet/typenet.hpp"

namespace {
namespace tn = typenet;
using Mlp = tn::Sequential<tn::Input<6>, tn::Dense<8, tn::ReLU>, tn::Dense<3, tn::Softmax>>;
using Cnn = tn::Sequential<tn::Input<8, 8, 1>, tn::Conv2D<4, 3, 3, tn::ReLU, tn::Same>, tn::MaxPooling2D<2>,
                           tn::BatchNormalization, tn::Conv2D<5, 3, 3, tn::Tanh>, tn::Flatten, tn::Dense<3, tn::Softmax>>;
using KerasCnn = tn::Sequential<tn::Input<6, 6, 2>, tn::Conv2D<3, 3, 3, tn::ReLU, tn::Same>, tn::MaxPooling2D<2>, tn::Flatten,
                                tn::Dense<4, tn::Softmax>>;

template <class Net>
void load(const std::filesystem::path& path) {
  tn::Model<Net> model{1};
  try {
    tn::onnx::load_weights(model, path);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception&) {
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = typenet::fuzz::write_file("input.onnx", {data, size});
  load<Mlp>(path);
  load<Cnn>(path);
  load<KerasCnn>(path);
  return 0;
}
