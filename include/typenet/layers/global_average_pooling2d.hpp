#pragma once
// GlobalAveragePooling2D: (height, width, channels) -> (channels), the mean of each channel over
// the image, as keras.layers.GlobalAveragePooling2D. A parameter-free alternative to
// Flatten + Dense at the end of a CNN.
#include <algorithm>
#include <cstddef>
#include <string_view>

#include "typenet/detail/parallel.hpp"
#include "typenet/layers/layer.hpp"
#include "typenet/layers/spatial.hpp"

namespace typenet {

struct GlobalAveragePooling2D {
  template <std::size_t LayerIndex, class In>
  struct at_layer {
    static_assert(has_rank<In, 3>, "typenet::GlobalAveragePooling2D needs a (height, width, channels) input; In above has another rank");
  };

  template <class In>
  struct bind : detail::ParameterFree {
    using layer = GlobalAveragePooling2D;
    using input_shape = In;
    using image = detail::ImageSides<In>;
    static constexpr std::size_t pixels = image::height * image::width, C = image::channels;
    using output_shape = Shape<C>;
    static constexpr bool fits = image::is_image;
    static constexpr std::string_view keras_class = "GlobalAveragePooling2D";
    static constexpr std::string_view keras_name = "global_average_pooling2d";

    static void forward(const ForwardPass& p) {
      constexpr float scale = 1.0f / static_cast<float>(pixels);
      detail::parallel_for(p.batch, grain, [&](std::size_t b0, std::size_t b1) {
        for (std::size_t b = b0; b < b1; ++b) {
          const float* image_in = p.in + b * pixels * C;
          float* out = p.out + b * C;
          std::fill(out, out + C, 0.0f);
          for (std::size_t i = 0; i < pixels; ++i)
            for (std::size_t c = 0; c < C; ++c) out[c] += image_in[i * C + c];
          for (std::size_t c = 0; c < C; ++c) out[c] *= scale;
        }
      });
    }

    static void backward(const BackwardPass& p) {
      if (!p.din) return;
      constexpr float scale = 1.0f / static_cast<float>(pixels);
      detail::parallel_for(p.batch, grain, [&](std::size_t b0, std::size_t b1) {
        for (std::size_t b = b0; b < b1; ++b) {
          const float* dout = p.dout + b * C;
          float* din = p.din + b * pixels * C;
          for (std::size_t i = 0; i < pixels; ++i)
            for (std::size_t c = 0; c < C; ++c) din[i * C + c] = dout[c] * scale;
        }
      });
    }

   private:
    static constexpr std::size_t grain = detail::grain_for(pixels * C);
  };
};

}  // namespace typenet
