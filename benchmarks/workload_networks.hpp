#pragma once
// The benchmark workloads' networks (benchmarks/README.md), shared by bench_typenet and bench_mpi.
#include <type_traits>

#include "typenet/typenet.hpp"

namespace bench {

namespace tn = typenet;

using W1 = tn::Sequential<tn::Input<28, 28, 1>, tn::Flatten, tn::Dense<512, tn::Sigmoid>, tn::Dense<10, tn::Softmax>>;
using W2 = tn::Sequential<tn::Input<28, 28, 1>, tn::Flatten, tn::Dense<512, tn::Sigmoid>, tn::Dropout<0.5>,
                          tn::Dense<256, tn::ReLU>, tn::Dropout<0.5>, tn::Dense<10, tn::Softmax>>;
using W3 = tn::Sequential<tn::Input<28, 28, 1>, tn::Conv2D<32, 3, 3, tn::ReLU>, tn::MaxPooling2D<2, 2>,
                          tn::Conv2D<64, 3, 3, tn::ReLU>, tn::MaxPooling2D<2, 2>, tn::Flatten, tn::Dense<128, tn::ReLU>,
                          tn::Dropout<0.5>, tn::Dense<10, tn::Softmax>>;
static_assert(std::is_same_v<W3::layer<4>::output_shape, tn::Shape<5, 5, 64>>);

}  // namespace bench
