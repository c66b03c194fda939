// Not a misfit but a guard on what every misfit waits for: typenet/typenet.hpp must not parse
// xtensor's containers (70 MB of the compiler's memory, 30% of its cost; Model declares the
// xt::xtensor predict returns, typenet/detail/float_xtensor.hpp). Like fits.cpp, it must compile.
// Then xtensor comes after typenet's declarations, which must agree with its own: the arrays
// predict and get_weights return are xtensor's xt::xtensor<float, N>.
#include <typenet/typenet.hpp>
#if defined(XTENSOR_CONTAINER_HPP) || defined(XTENSOR_FORWARD_HPP)
#error "typenet/typenet.hpp includes xtensor's containers: name them through typenet/detail/float_xtensor.hpp"
#endif
#include <tuple>
#include <type_traits>
#include <xtensor/xtensor.hpp>
namespace tn = typenet;
using Net = tn::Sequential<tn::Input<4>, tn::Dense<3, tn::Softmax>>;
void predict_and_get_weights(tn::Model<Net>& model, const xt::xtensor<float, 2>& x) {
  static_assert(std::is_same_v<decltype(model.predict(x)), xt::xtensor<float, 2>>);
  static_assert(std::is_same_v<decltype(model.layer<1>().get_weights()),
                               std::tuple<xt::xtensor<float, 2>, xt::xtensor<float, 1>>>);
}
