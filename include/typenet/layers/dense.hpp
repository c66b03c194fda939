#pragma once
// Dense<units, Activation>: y = f(x W + b), W of shape (inputs, units) as Keras stores it.
#include "typenet/config.hpp"

#include <cmath>
#include <cstddef>
#include <string_view>

#include "typenet/layers/activations.hpp"
#include "typenet/detail/gemm.hpp"
#include "typenet/detail/sparse_rows.hpp"
#include "typenet/layers/layer.hpp"

namespace typenet {

namespace detail {
// Keras's get_config() of a Dense layer (compiled once, in libtypenet: the same for every Dense).
LayerConfig dense_config(std::size_t units, std::string_view activation);
}  // namespace detail

template <std::size_t Units, class Act = Linear>
struct Dense {
  static_assert(ActivationFunction<Act>, "typenet::Dense: the second argument must be an activation (ReLU, Sigmoid, ...)");

  template <std::size_t LayerIndex, class In>
  struct at_layer {
    static_assert(has_rank<In, 1>, "typenet::Dense needs a rank-1 input; put typenet::Flatten before it");
    static_assert(!has_rank<In, 1> || Units > 0, "typenet::Dense needs at least one unit");
  };

  template <class In>
  struct bind {
    using layer = Dense;
    using activation = Act;
    using input_shape = In;
    using output_shape = Shape<Units>;
    static constexpr std::size_t inputs = In::size;
    static constexpr std::size_t param_count = inputs * Units + Units;
    static constexpr WeightShape weights[] = {{"kernel", 2, {inputs, Units}}, {"bias", 1, {Units}}};
    // Which path forward took (one float, for backward), then the lists of a mostly-zero input's
    // nonzeros (detail/sparse_rows.hpp); after the batch's share of those, what the activation keeps.
    static constexpr std::size_t own_scratch = 1 + detail::sparse_scratch_per_sample(inputs);
    static constexpr std::size_t scratch_per_sample = own_scratch + kept_per_element<Act> * Units;
    static constexpr bool fits = In::rank == 1 && Units > 0;
    static constexpr bool aliases_input = false;
    static constexpr bool shown_in_summary = true;
    static constexpr std::string_view keras_class = "Dense";
    static constexpr std::string_view keras_name = "dense";

    static LayerConfig config() { return detail::dense_config(Units, Act::name); }

    // Glorot uniform for the kernel, zeros for the bias (Keras's defaults).
    static void initialize(float* params, detail::Rng& rng) {
      const float limit = std::sqrt(6.0f / static_cast<float>(inputs + Units));
      for (std::size_t i = 0; i < inputs * Units; ++i) params[i] = rng.uniform(-limit, limit);
      for (std::size_t i = 0; i < Units; ++i) params[inputs * Units + i] = 0.0f;
    }

    static void forward(const ForwardPass& p) {
      using detail::Transpose;
      const bool sparse = detail::input_is_sparse(p.in, p.batch, inputs);
      p.scratch[0] = sparse ? 1.0f : 0.0f;
      if (sparse) {
        detail::sparse_times(p.in, p.batch, inputs, p.params, Units, p.out, p.scratch + 1);
      } else {
        detail::gemm(Transpose::no, Transpose::no, p.batch, Units, inputs, p.in, p.params, p.out);
      }
      detail::activate<Act>(p.out, p.params + inputs * Units, p.batch, Units, p.scratch + p.batch * own_scratch);
    }

    static void backward(const BackwardPass& p) {
      using detail::Transpose;
      float* kernel_grad = p.grads;
      float* bias_grad = p.grads + inputs * Units;
      float* dz = p.dout;
      if (p.dout_is_preactivation)
        detail::sum_rows(dz, bias_grad, p.batch, Units);
      else
        detail::activation_backward<Act>(p.out, p.scratch + p.batch * own_scratch, dz, bias_grad, p.batch, Units);
      if (p.scratch[0] != 0.0f)  // forward's path, with its lists
        detail::sparse_transposed_times(p.in, p.batch, inputs, dz, Units, kernel_grad, p.scratch + 1);
      else
        detail::gemm(Transpose::yes, Transpose::no, inputs, Units, p.batch, p.in, dz, kernel_grad);
      if (p.din) detail::gemm(Transpose::no, Transpose::yes, p.batch, inputs, Units, dz, p.params, p.din);
    }
  };
};

}  // namespace typenet

#ifdef TYPENET_HEADER_ONLY
#include "typenet/layers/dense-inl.hpp"
#endif
