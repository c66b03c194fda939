#pragma once
// Sequential<Input<...>, Layer...>: a network as a type. Every layer is bound to the shape the
// previous one produces, so output shapes, parameter counts and buffer offsets are all
// compile-time constants. A Sequential without Input is a block that nests in another one.
//
// Misfits are reported once: the chain is always well formed (a layer that cannot take its
// input still names an output shape), and only the first layer whose `fits` is false has its
// `at_layer<Index, InputShape>` instantiated, so g++ prints one static_assert whose context line
// shows the layer, its index (Input is 0) and the shape it received. A layer that breaks the
// layer protocol takes its place as detail::Unbound and is reported the same way (layers/layer.hpp).
#include "typenet/layers/input.hpp"

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "typenet/network/shape.hpp"

namespace typenet {

template <class... Layers>
struct Sequential;

namespace detail {

template <class... Ts>
struct type_list {
  static constexpr std::size_t size = sizeof...(Ts);
};

template <class... Lists>
struct concat;
template <>
struct concat<> {
  using type = type_list<>;
};
template <class... A>
struct concat<type_list<A...>> {
  using type = type_list<A...>;
};
template <class... A, class... B, class... Rest>
struct concat<type_list<A...>, type_list<B...>, Rest...> {
  using type = typename concat<type_list<A..., B...>, Rest...>::type;
};

// Nested Sequential blocks are spliced into their parent's layer list.
template <class Layer>
struct expand {
  using type = type_list<Layer>;
};
template <class... Layers>
struct expand<Sequential<Layers...>> {
  using type = typename concat<typename expand<Layers>::type...>::type;
};

template <class In, class List>
struct bind_chain;
template <class In>
struct bind_chain<In, type_list<>> {
  using type = type_list<>;
  using output_shape = In;
};
template <class In, class Layer, class... Rest>
struct bind_chain<In, type_list<Layer, Rest...>> {
  using bound = typename bind_layer<Layer, In>::type;  // Unbound if the layer breaks the protocol
  using next = bind_chain<typename bound::output_shape, type_list<Rest...>>;
  using type = typename concat<type_list<bound>, typename next::type>::type;
  using output_shape = typename next::output_shape;
};

// Values a layer keeps but the optimizer never updates (BatchNormalization's moving statistics).
template <class Bound>
constexpr std::size_t non_trainable_count_of() {
  if constexpr (requires { Bound::non_trainable_count; })
    return Bound::non_trainable_count;
  else
    return 0;
}

inline constexpr std::size_t no_misfit = static_cast<std::size_t>(-1);

template <class... Bound>
constexpr std::size_t first_misfit(type_list<Bound...>) {
  constexpr bool fits[] = {Bound::fits..., true};
  for (std::size_t i = 0; i < sizeof...(Bound); ++i)
    if (!fits[i]) return i;
  return no_misfit;
}

// The misfit's `at_layer<Index, InputShape>`, whose static_assert explains it; `int` if none.
template <std::size_t Index, class List>
struct diagnose {
  using report = int;
};
template <std::size_t Index, class... Bound>
  requires(Index < sizeof...(Bound))
struct diagnose<Index, type_list<Bound...>> {
  using misfit = std::tuple_element_t<Index, std::tuple<Bound...>>;
  using report = typename misfit_report<misfit, Index>::type;
};

template <class List>
struct first_is_input : std::false_type {};
template <class First, class... Rest>
struct first_is_input<type_list<First, Rest...>> : std::bool_constant<is_input_v<First>> {};

template <class... Bound>
constexpr auto offsets(type_list<Bound...>, auto size_of) {
  std::array<std::size_t, sizeof...(Bound) + 1> at{};
  std::size_t i = 0;
  ((at[i + 1] = at[i] + size_of.template operator()<Bound>(), ++i), ...);
  return at;
}

}  // namespace detail

template <class... Layers>
struct Sequential {
  using layer_list = typename detail::concat<typename detail::expand<Layers>::type...>::type;
  static constexpr bool has_input = detail::first_is_input<layer_list>::value;
};

// The model form: a Sequential that starts with Input.
template <class First, class... Layers>
  requires is_input_v<First>
struct Sequential<First, Layers...> {
  using layer_list = typename detail::concat<typename detail::expand<First>::type,
                                             typename detail::expand<Layers>::type...>::type;
  static constexpr bool has_input = true;
  using input_shape = typename First::shape;
  using layers = typename detail::bind_chain<input_shape, layer_list>::type;  // bound layers
  using output_shape = typename detail::bind_chain<input_shape, layer_list>::output_shape;
  static constexpr std::size_t layer_count = layers::size;

  static constexpr std::size_t misfit = detail::first_misfit(layers{});
  static constexpr bool valid = misfit == detail::no_misfit;
  static_assert(sizeof(typename detail::diagnose<misfit, layers>::report) > 0);

  template <std::size_t I>
  using layer = std::tuple_element_t<I, decltype([]<class... B>(detail::type_list<B...>) {
                                          return std::tuple<B...>{};
                                        }(layers{}))>;

  // Where each layer's parameters start in the model's one parameter buffer.
  static constexpr auto param_offset = detail::offsets(layers{}, []<class B>() { return B::param_count; });
  static constexpr std::size_t param_count = param_offset.back();
  // The same for the non-trainable values, which live in a buffer of their own.
  static constexpr auto non_trainable_offset =
      detail::offsets(layers{}, []<class B>() { return detail::non_trainable_count_of<B>(); });
  static constexpr std::size_t non_trainable_count = non_trainable_offset.back();
  // Per-sample scratch (dropout masks), laid out the same way.
  static constexpr auto scratch_offset = detail::offsets(layers{}, []<class B>() { return B::scratch_per_sample; });

  template <class F>
  static constexpr void for_each_layer(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (f.template operator()<I>(), ...); }(
        std::make_index_sequence<layer_count>{});
  }
  template <class F>
  static constexpr void for_each_layer_reversed(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (f.template operator()<layer_count - 1 - I>(), ...); }(
        std::make_index_sequence<layer_count>{});
  }
};

}  // namespace typenet
