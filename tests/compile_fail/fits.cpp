// The control case: the same kind of stacks, correctly written, must compile, so that the
// failures above are the diagnostics and not a broken harness.
#include <typenet/typenet.hpp>
namespace tn = typenet;
using Head = tn::Sequential<tn::Input<32>, tn::Dense<10, tn::Softmax>>;
using Net = tn::Sequential<tn::Input<28, 28, 1>, tn::Flatten, tn::Dense<32, tn::ReLU>, tn::Dropout<0.5>, Head>;
static_assert(Net::param_count == 784 * 32 + 32 + 330);
tn::Model<Net> model{42};
