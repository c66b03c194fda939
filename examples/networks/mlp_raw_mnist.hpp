#pragma once
// The networks of lab part 2a (MLPs on the raw MNIST pixels), shared by the example that trains
// them and the predict tool that runs them (examples/predict_networks.hpp).
#include <typenet/typenet.hpp>

namespace lab::mlp_raw_mnist {

namespace tn = typenet;

// The notebook's starter: two hidden units, small on purpose.
using Starter = tn::Sequential<tn::Input<784>, tn::Dense<2, tn::Sigmoid>, tn::Dense<10, tn::Softmax>>;
using Model1 = tn::Sequential<tn::Input<784>, tn::Dense<512, tn::Sigmoid>, tn::Dense<10, tn::Softmax>>;
using Model2 = tn::Sequential<tn::Input<784>, tn::Dense<512, tn::Sigmoid>, tn::Dropout<0.5>, tn::Dense<10, tn::Softmax>>;
using Model3 = tn::Sequential<tn::Input<784>, tn::Dense<512, tn::Sigmoid>, tn::Dropout<0.5>, tn::Dense<256, tn::ReLU>,
                              tn::Dropout<0.5>, tn::Dense<10, tn::Softmax>>;
static_assert(Starter::param_count == 1600);
static_assert(Model1::param_count == 407050);
static_assert(Model2::param_count == 407050);
static_assert(Model3::param_count == 535818);

}  // namespace lab::mlp_raw_mnist
