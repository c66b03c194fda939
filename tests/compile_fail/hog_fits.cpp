// The control case for the Hog failures: the lab's HOG models, correctly written, compile, with
// their parameter counts (issue 3).
#include <typenet/typenet.hpp>
namespace tn = typenet;
using Model1 = tn::Sequential<tn::Input<28, 28, 1>, tn::Hog<8, 4>, tn::Dense<64, tn::ReLU>, tn::Dropout<0.5>,
                              tn::Dense<10, tn::Softmax>>;
using Model3 = tn::Sequential<tn::Input<28, 28>, tn::Hog<8, 7>, tn::Dense<200, tn::ReLU>, tn::Dense<10, tn::Softmax>>;
static_assert(Model1::param_count == 25802);
static_assert(Model3::param_count == 27810);
tn::Model<Model1> model{42};
