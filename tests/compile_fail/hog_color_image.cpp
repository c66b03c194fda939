// expect: typenet::Hog needs one grayscale image per sample
// expect: typenet::Hog<8, 4>::at_layer<1, typenet::Shape<28, 28, 3> >
#include <typenet/network.hpp>
namespace tn = typenet;
using Net = tn::Sequential<tn::Input<28, 28, 3>, tn::Hog<8, 4>, tn::Dense<10, tn::Softmax>>;
static_assert(Net::param_count > 0);
