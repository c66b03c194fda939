// expect: typenet: Model::predict and get_weights() return an xt::xtensor: #include <xtensor/xtensor.hpp>
// typenet/typenet.hpp declares the xt::xtensor predict returns without parsing xtensor
// (detail/float_xtensor.hpp). A program that calls predict without including xtensor hears so in
// one message, not in a page about an incomplete type.
// max-lines-clang: 13
#include <typenet/typenet.hpp>
#include <vector>
namespace tn = typenet;
using Net = tn::Sequential<tn::Input<4>, tn::Dense<3, tn::Softmax>>;
int main() {
  tn::Model<Net> model{42};
  std::vector<float> pixels(8);
  auto probabilities = model.predict({pixels.data(), {2, {2, 4}}});
}
