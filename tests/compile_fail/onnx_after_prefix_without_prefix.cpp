// expect: typenet::onnx (after_fixed_prefix): this network has no fixed prefix
// max-lines-clang: 14
#include <typenet/io/onnx.hpp>
#include <typenet/typenet.hpp>
namespace tn = typenet;
// Only a network that starts with a fixed function of the sample (Hog) has a part after it to export.
using Net = tn::Sequential<tn::Input<28, 28, 1>, tn::Flatten, tn::Dense<10, tn::Softmax>>;
void export_it(const tn::Model<Net>& model) { tn::onnx::save(model, "mlp.onnx", tn::onnx::after_fixed_prefix); }
