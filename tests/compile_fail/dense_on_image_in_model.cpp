// expect: typenet::Dense needs a rank-1 input; put typenet::Flatten before it
// expect: at_layer<1, typenet::Shape<28, 28, 1> >
// expect: typenet::Dense<512, typenet::ReLU>
// The same misfit as dense_on_image.cpp, met where a user's program meets it: in a Model, with all
// of typenet included. The diagnostic must stay the same one short message.
// max-lines-clang: 15
#include <typenet/typenet.hpp>
namespace tn = typenet;
using Net = tn::Sequential<tn::Input<28, 28, 1>, tn::Dense<512, tn::ReLU>, tn::Dense<10, tn::Softmax>>;
tn::Model<Net> model{42};
