// expect: typenet::onnx::save: this layer has no ONNX form
// expect: refuse_layer<1, typenet::Hog<8, 4>
// max-lines-clang: 14
#include <typenet/io/onnx.hpp>
#include <typenet/typenet.hpp>
namespace tn = typenet;
// HOG has no ONNX operator: exporting a network that computes it is refused where it is asked for.
using Net = tn::Sequential<tn::Input<28, 28, 1>, tn::Hog<8, 4>, tn::Dense<10, tn::Softmax>>;
void export_it(const tn::Model<Net>& model) { tn::onnx::save(model, "hog.onnx"); }
