#pragma once
// The networks of lab part 2b (MLPs on HOG features of MNIST), shared by the example that trains
// them and the predict tool that runs them (examples/predict_networks.hpp).
#include <typenet/typenet.hpp>

namespace lab::mlp_hog_mnist {

namespace tn = typenet;

using Starter = tn::Sequential<tn::Input<28, 28, 1>, tn::Hog<8, 4>, tn::Dense<2, tn::ReLU>, tn::Dense<10, tn::Softmax>>;
using Model1 = tn::Sequential<tn::Input<28, 28, 1>, tn::Hog<8, 4>, tn::Dense<64, tn::ReLU>, tn::Dropout<0.5>,
                              tn::Dense<10, tn::Softmax>>;
using Model2 = tn::Sequential<tn::Input<28, 28, 1>, tn::Hog<16, 4>, tn::Dense<64, tn::ReLU>, tn::Dropout<0.5>,
                              tn::Dense<10, tn::Softmax>>;
// The lab asks to try 7 pixels per cell: 4x4 cells of 8 bins, 128 features.
using Model3 = tn::Sequential<tn::Input<28, 28, 1>, tn::Hog<8, 7>, tn::Dense<200, tn::ReLU>, tn::Dense<10, tn::Softmax>>;
static_assert(std::is_same_v<Starter::layer<1>::output_shape, tn::Shape<392>>);  // hog_size = 28*28*8/(4*4)
static_assert(std::is_same_v<Model2::layer<1>::output_shape, tn::Shape<784>>);
static_assert(std::is_same_v<Model3::layer<1>::output_shape, tn::Shape<128>>);
static_assert(Starter::param_count == 816);
static_assert(Model1::param_count == 25802);
static_assert(Model2::param_count == 50890);
static_assert(Model3::param_count == 27810);

}  // namespace lab::mlp_hog_mnist
