// expect: typenet::Model needs a Sequential that starts with typenet::Input<...>
#include <typenet/typenet.hpp>
namespace tn = typenet;
using Block = tn::Sequential<tn::Dense<64, tn::ReLU>, tn::Dense<10, tn::Softmax>>;
tn::Model<Block> model{42};
