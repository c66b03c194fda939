// What README.md's code fragments (its ```cpp blocks without a main) take as given:
// check_readme.cmake compiles each as the body of readme_fragment(model, x, y) after this header.
#include <memory>

#include <xtensor/xtensor.hpp>

#include "typenet/io/onnx.hpp"
#include "typenet/typenet.hpp"

namespace tn = typenet;
using ReadmeNet = tn::Sequential<tn::Input<28, 28>, tn::Flatten, tn::Dense<10, tn::Softmax>>;
