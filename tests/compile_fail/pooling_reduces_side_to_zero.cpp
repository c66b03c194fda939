// expect: typenet::MaxPooling2D: the pool is larger than its input
// expect: typenet::MaxPooling2D<2, 2>::at_layer<10, typenet::Shape<1, 1, 128> >
#include <typenet/network.hpp>
namespace tn = typenet;
// The lab's five-stage pneumonia network, written for 128x128 images, on a 28x28 one:
// 28 -> 14 -> 7 -> 3 -> 1, and the fifth pooling has nothing left to pool.
template <std::size_t Filters>
using Block = tn::Sequential<tn::Conv2D<Filters, 3, 3, tn::ReLU, tn::Same>, tn::MaxPooling2D<2, 2>>;
using Net = tn::Sequential<tn::Input<28, 28, 1>, Block<8>, Block<16>, Block<32>, Block<64>, Block<128>, tn::Flatten,
                           tn::Dense<32, tn::ReLU>, tn::Dense<16, tn::ReLU>, tn::Dense<1, tn::Sigmoid>>;
static_assert(Net::param_count > 0);
