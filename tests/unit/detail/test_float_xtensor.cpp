// detail/float_xtensor.hpp: the type it spells without parsing xtensor is xtensor's own
// xt::xtensor<float, N>. Were a later xtensor to spell its alias differently, both would still
// compile, but what predict returns would no longer be the type a program names. And
// make_float_xtensor gives an array of the shape asked. (compile_fail's
// typenet_parses_no_xtensor_containers.cpp checks the same with xtensor included after typenet.)
#include <doctest/doctest.h>

#include <type_traits>

#include <xtensor/xtensor.hpp>

#include "typenet/detail/float_xtensor.hpp"

namespace test_float_xtensor {

namespace tn = typenet;

static_assert(std::is_same_v<tn::detail::float_xtensor_of<1>::type, xt::xtensor<float, 1>>);
static_assert(std::is_same_v<tn::detail::float_xtensor_of<2>::type, xt::xtensor<float, 2>>);
static_assert(std::is_same_v<tn::detail::float_xtensor_of<4>::type, xt::xtensor<float, 4>>);
static_assert(std::is_same_v<tn::detail::float_xtensor_of<2, int>::type, xt::xtensor<float, 2>>);

TEST_CASE("make_float_xtensor: an xt::xtensor<float, N> of the shape asked") {
  auto array = tn::detail::make_float_xtensor<3>({2, 3, 4});
  static_assert(std::is_same_v<decltype(array), xt::xtensor<float, 3>>);
  CHECK(array.shape()[0] == 2);
  CHECK(array.shape()[1] == 3);
  CHECK(array.shape()[2] == 4);
  CHECK(array.size() == 24);
  array(1, 2, 3) = 5.0f;
  CHECK(array.data()[23] == 5.0f);
}

}  // namespace test_float_xtensor
