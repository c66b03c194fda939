#pragma once
// The networks of lab part 4 (pneumonia from chest X-rays), shared by the example that trains
// them and anything that runs them later.
#include <typenet/typenet.hpp>

namespace lab::pneumonia_cnn {

namespace tn = typenet;

// The lab notebook's network for 128x128 grayscale X-rays: five blocks of Conv2D 3x3 same relu
// (8, 16, 32, 64, 128 filters) each followed by MaxPool 2x2 (128 -> 4), Flatten (2,048), Dense 32
// relu, Dense 16 relu, Dense 1 sigmoid. On a 28x28 input the fifth pooling has nothing left to
// pool, which is a compile error (tests/compile_fail/pooling_reduces_side_to_zero.cpp).
template <std::size_t Side>
using LabNet = tn::Sequential<tn::Input<Side, Side, 1>, tn::Conv2D<8, 3, 3, tn::ReLU, tn::Same>, tn::MaxPool2D<2>,
                              tn::Conv2D<16, 3, 3, tn::ReLU, tn::Same>, tn::MaxPool2D<2>,
                              tn::Conv2D<32, 3, 3, tn::ReLU, tn::Same>, tn::MaxPool2D<2>,
                              tn::Conv2D<64, 3, 3, tn::ReLU, tn::Same>, tn::MaxPool2D<2>,
                              tn::Conv2D<128, 3, 3, tn::ReLU, tn::Same>, tn::MaxPool2D<2>, tn::Flatten,
                              tn::Dense<32, tn::ReLU>, tn::Dense<16, tn::ReLU>, tn::Dense<1, tn::Sigmoid>>;
using Lab128 = LabNet<128>;
static_assert(Lab128::param_count == 164353);
static_assert(std::is_same_v<Lab128::layer<11>::output_shape, tn::Shape<2048>>);

// The same network adapted to PneumoniaMNIST's 28x28: the first three blocks (28 -> 14 -> 7 -> 3).
using Lab28 = tn::Sequential<tn::Input<28, 28, 1>, tn::Conv2D<8, 3, 3, tn::ReLU, tn::Same>, tn::MaxPool2D<2>,
                             tn::Conv2D<16, 3, 3, tn::ReLU, tn::Same>, tn::MaxPool2D<2>,
                             tn::Conv2D<32, 3, 3, tn::ReLU, tn::Same>, tn::MaxPool2D<2>, tn::Flatten,
                             tn::Dense<32, tn::ReLU>, tn::Dense<16, tn::ReLU>, tn::Dense<1, tn::Sigmoid>>;
static_assert(Lab28::param_count == 15681);

// Ours: two VGG-like stages (two 3x3 convolutions before each pooling see 5x5), dropout after
// each stage, and global average pooling instead of a large dense layer, which keeps it small
// (PneumoniaMNIST has 4,708 training images) and less sensitive to where in the frame a finding
// lies. Trained with random shifts, rotations and zoom for up to 30 epochs, the epoch kept by
// validation AUC (pneumonia_cnn.cpp); on seeds 42, 43 and 44 (2 threads) the test split's
// accuracy at 0.5 is 0.861, 0.910 and 0.907 (mean 0.893), AUC 0.970, 0.973 and 0.966 (mean
// 0.970), above ResNet-18 (28)'s published 0.854 and 0.944.
using Ours = tn::Sequential<tn::Input<28, 28, 1>, tn::Conv2D<16, 3, 3, tn::ReLU, tn::Same>,
                            tn::Conv2D<16, 3, 3, tn::ReLU, tn::Same>, tn::MaxPool2D<2>, tn::Dropout<0.1>,
                            tn::Conv2D<32, 3, 3, tn::ReLU, tn::Same>, tn::Conv2D<32, 3, 3, tn::ReLU, tn::Same>,
                            tn::MaxPool2D<2>, tn::Dropout<0.2>, tn::Conv2D<64, 3, 3, tn::ReLU, tn::Same>,
                            tn::GlobalAveragePooling2D, tn::Dense<64, tn::ReLU>, tn::Dropout<0.3>, tn::Dense<1, tn::Sigmoid>>;

}  // namespace lab::pneumonia_cnn
