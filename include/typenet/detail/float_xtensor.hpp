#pragma once
// xt::xtensor<float, N>, the arrays Model::predict and a layer's get_weights() return, named
// without parsing xtensor's containers. Those are 70 of the 226 MB the compiler needs for a
// program that includes typenet/typenet.hpp, and a misfit's diagnostic waits for all of it; even
// xtensor/xtensor_forward.hpp costs 38. So the class templates are declared here as
// xtensor/xtensor_forward.hpp declares them, and the type is spelled as the alias xt::xtensor
// spells it, from the configuration macros of xtensor/xtensor_config.hpp (data container,
// allocator, layout): the same type however xtensor is configured.
//
// Returning one still takes the complete type: a program that calls predict or get_weights
// includes <xtensor/xtensor.hpp> (typenet/data.hpp does), as any program that names xt:: must.
// `Dependent` makes the type depend on a template's parameters, so that a template using it
// needs the complete type only where it is instantiated, not where it is defined.
// tests/unit/detail/test_float_xtensor.cpp checks that it is xt::xtensor<float, N>.
#include <array>
#include <cstddef>
#include <memory>  // std::allocator, xtensor's default

#include <xtensor/xlayout.hpp>  // layout_type and the configuration macros, without the containers

namespace xt {
template <class T, class A>
class uvector;
struct xtensor_expression_tag;
template <class EC, std::size_t N, layout_type L, class Tag>
class xtensor_container;
}  // namespace xt

namespace typenet::detail {

template <std::size_t N, class Dependent = void>
struct float_xtensor_of {
  template <class T, class A>
  using uvector = xt::uvector<T, A>;  // XTENSOR_DEFAULT_DATA_CONTAINER names it unqualified
  using type = xt::xtensor_container<XTENSOR_DEFAULT_DATA_CONTAINER(float, XTENSOR_DEFAULT_ALLOCATOR(float)), N,
                                     XTENSOR_DEFAULT_LAYOUT, xt::xtensor_expression_tag>;
};

// Where xtensor is not included, make_float_xtensor's message is the only error: it returns this
// stand-in, with which the caller's code stays well formed.
struct XtensorNotIncluded {
  float* data() const { return nullptr; }
};

// An array of `shape`, its elements left for the caller to write (xtensor's from_shape). Where
// xtensor is not included, one message says so instead of a page about an incomplete type.
template <std::size_t N, class Dependent = void>
auto make_float_xtensor(const std::array<std::size_t, N>& shape) {
  using Array = typename float_xtensor_of<N, Dependent>::type;
  constexpr bool xtensor_included = requires { sizeof(Array); };
  static_assert(xtensor_included,
                "typenet: Model::predict and get_weights() return an xt::xtensor: #include <xtensor/xtensor.hpp>");
  if constexpr (xtensor_included)
    return Array::from_shape(shape);
  else
    return XtensorNotIncluded{};
}

}  // namespace typenet::detail
