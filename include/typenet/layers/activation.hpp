#pragma once
// Activation<A>: an activation as a layer of its own, like keras.layers.Activation.
#include "typenet/layers/activations.hpp"

#include <algorithm>
#include <string_view>

#include "typenet/layers/layer.hpp"

namespace typenet {

template <class Act>
struct Activation {
  static_assert(ActivationFunction<Act>, "typenet::Activation: the argument must be an activation (ReLU, Sigmoid, ...)");

  template <std::size_t LayerIndex, class In>
  struct at_layer {};

  template <class In>
  struct bind : detail::ParameterFree {
    using layer = Activation;
    using activation = Act;
    using input_shape = In;
    using output_shape = In;
    static constexpr bool fits = true;
    static constexpr std::size_t scratch_per_sample = kept_per_element<Act> * In::size;
    static constexpr std::string_view keras_class = "Activation";
    static constexpr std::string_view keras_name = "activation";

    static LayerConfig config() { return {"Activation", {{"activation", Act::name}}}; }

    // Softmax works on the last axis, so rows are the leading dimensions.
    static constexpr std::size_t cols = In::rank == 0 ? 1 : In::dims[In::rank - 1];

    static void forward(const ForwardPass& p) {
      std::copy(p.in, p.in + p.batch * In::size, p.out);
      detail::activate<Act>(p.out, nullptr, p.batch * In::size / cols, cols, p.scratch);
    }

    static void backward(const BackwardPass& p) {
      if (!p.din) return;
      if (!p.dout_is_preactivation)
        detail::activation_backward<Act>(p.out, p.scratch, p.dout, nullptr, p.batch * In::size / cols, cols);
      std::copy(p.dout, p.dout + p.batch * In::size, p.din);
    }
  };
};

}  // namespace typenet
