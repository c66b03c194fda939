#pragma once
// Dropout<rate>: in training, zeroes each element with probability `rate` and scales the rest
// by 1 / (1 - rate) (inverted dropout, as Keras does); at inference it passes values through.
#include <algorithm>
#include <string_view>

#include "typenet/layers/layer.hpp"

namespace typenet {

template <double Rate>
struct Dropout {
  template <std::size_t LayerIndex, class In>
  struct at_layer {
    static_assert(Rate >= 0.0 && Rate < 1.0, "typenet::Dropout: the rate must be in [0, 1)");
  };

  template <class In>
  struct bind : detail::ParameterFree {
    using layer = Dropout;
    using input_shape = In;
    using output_shape = In;
    static constexpr std::size_t scratch_per_sample = In::size;  // the mask, already scaled
    static constexpr bool fits = Rate >= 0.0 && Rate < 1.0;
    static constexpr std::string_view keras_class = "Dropout";
    static constexpr std::string_view keras_name = "dropout";

    static LayerConfig config() { return {"Dropout", {{"rate", Rate}, {"seed", nullptr}, {"noise_shape", nullptr}}}; }

    static void forward(const ForwardPass& p) {
      const std::size_t n = p.batch * In::size;
      if (!p.training || Rate == 0.0) {
        std::copy(p.in, p.in + n, p.out);
        return;
      }
      const float keep_scale = static_cast<float>(1.0 / (1.0 - Rate));
      const float rate = static_cast<float>(Rate);
      for (std::size_t i = 0; i < n; ++i) {
        p.scratch[i] = p.rng->uniform() < rate ? 0.0f : keep_scale;
        p.out[i] = p.in[i] * p.scratch[i];
      }
    }

    static void backward(const BackwardPass& p) {
      if (!p.din) return;
      const std::size_t n = p.batch * In::size;
      if (Rate == 0.0) {
        std::copy(p.dout, p.dout + n, p.din);
        return;
      }
      for (std::size_t i = 0; i < n; ++i) p.din[i] = p.dout[i] * p.scratch[i];
    }
  };
};

}  // namespace typenet
