// The control case for the CNN diagnostics: the lab's CNNs, correctly written, must compile, so
// that the failures beside it are the diagnostics and not a broken harness.
#include <typenet/typenet.hpp>
namespace tn = typenet;
template <std::size_t Filters>
using Block = tn::Sequential<tn::Conv2D<Filters, 2, 2, tn::ReLU, tn::Same>, tn::MaxPooling2D<2, 2>>;
using Starter = tn::Sequential<tn::Input<28, 28, 1>, Block<2>, Block<2>, Block<2>, tn::Flatten, tn::Dense<2, tn::ReLU>,
                               tn::Dense<10, tn::Softmax>>;
static_assert(Starter::param_count == 114);
static_assert(std::is_same_v<Starter::layer<6>::output_shape, tn::Shape<3, 3, 2>>);
using Pneumonia = tn::Sequential<tn::Input<128, 128, 1>, Block<8>, Block<16>, Block<32>, Block<64>, Block<128>>;
static_assert(std::is_same_v<Pneumonia::output_shape, tn::Shape<4, 4, 128>>);
using Normalized = tn::Sequential<tn::Input<28, 28, 1>, tn::Conv2D<8, 3, 3, tn::Linear, tn::Same, 2>,
                                  tn::Activation<tn::ReLU>, tn::AvgPool2D<2>, tn::GlobalAveragePooling2D, tn::Dense<10, tn::Softmax>>;
static_assert(std::is_same_v<Normalized::layer<1>::output_shape, tn::Shape<14, 14, 8>>);
tn::Model<Starter> starter{42};
tn::Model<Normalized> normalized{42};
