#pragma once
// A convolution written out from Keras's definition (its padding from the documentation, the six
// loops of the sum), and the check that a Conv2D layer's predict equals it: shared by the tests of
// the layer (unit/layers/test_conv2d.cpp) and of its direct kernels (unit/detail/test_direct_conv.cpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "support/random_arrays.hpp"
#include "typenet/typenet.hpp"

namespace typenet::testing {

// Keras's padding, written out from its documentation rather than taken from the library.
struct Axis {
  std::size_t out, before;
};
inline Axis keras_axis(bool same, std::size_t in, std::size_t k, std::size_t s) {
  if (!same) return {(in - k) / s + 1, 0};
  const std::size_t out = (in + s - 1) / s;
  const std::size_t needed = (out - 1) * s + k;
  return {out, needed > in ? (needed - in) / 2 : 0};
}

// The six loops of a convolution of one image, x (H, W, C) and kernel (KH, KW, C, F).
inline std::vector<float> direct_convolution(const float* x, const float* kernel, const float* bias, std::size_t H, std::size_t W,
                                             std::size_t C, std::size_t F, std::size_t KH, std::size_t KW, std::size_t S, bool same) {
  const Axis ay = keras_axis(same, H, KH, S), ax = keras_axis(same, W, KW, S);
  std::vector<float> out(ay.out * ax.out * F);
  for (std::size_t oy = 0; oy < ay.out; ++oy)
    for (std::size_t ox = 0; ox < ax.out; ++ox)
      for (std::size_t f = 0; f < F; ++f) {
        double sum = bias[f];
        for (std::size_t ky = 0; ky < KH; ++ky)
          for (std::size_t kx = 0; kx < KW; ++kx)
            for (std::size_t c = 0; c < C; ++c) {
              const long y = static_cast<long>(oy * S + ky) - static_cast<long>(ay.before);
              const long xx = static_cast<long>(ox * S + kx) - static_cast<long>(ax.before);
              if (y < 0 || xx < 0 || y >= static_cast<long>(H) || xx >= static_cast<long>(W)) continue;
              sum += static_cast<double>(x[(y * W + xx) * C + c]) * kernel[((ky * KW + kx) * C + c) * F + f];
            }
        out[(oy * ax.out + ox) * F + f] = static_cast<float>(sum);
      }
  return out;
}

// Each output within 1e-5 relative (doctest's Approx); or, given `of_scale` (for Winograd, whose
// rounding grows with the largest values), each within of_scale times the largest output.
template <std::size_t H, std::size_t W, std::size_t C, std::size_t F, std::size_t KH, std::size_t KW, class Pad, std::size_t S>
void check_convolution_forward(double of_scale = 0.0) {
  using Net = typenet::Sequential<typenet::Input<H, W, C>, typenet::Conv2D<F, KH, KW, typenet::Linear, Pad, S>>;
  typenet::Model<Net> model{3};
  auto params = model.parameters();
  typenet::detail::Rng rng(5);
  for (float& p : params) p = rng.uniform(-1.0f, 1.0f);  // the bias too, so it is checked
  const std::size_t batch = 3;
  const auto x = random_matrix(batch, H * W * C, 17);
  const auto y = model.predict(x);
  const std::size_t out_size = Net::output_shape::size;
  REQUIRE(y.shape()[1] == out_size);
  for (std::size_t b = 0; b < batch; ++b) {
    const auto expected = direct_convolution(x.data() + b * H * W * C, params.data(), params.data() + KH * KW * C * F, H, W,
                                             C, F, KH, KW, S, std::is_same_v<Pad, typenet::Same>);
    REQUIRE(expected.size() == out_size);
    if (of_scale == 0.0) {
      for (std::size_t i = 0; i < out_size; ++i) CHECK(y(b, i) == doctest::Approx(expected[i]).epsilon(1e-5));
      continue;
    }
    double scale = 0.0;
    for (float e : expected) scale = std::max(scale, static_cast<double>(std::abs(e)));
    for (std::size_t i = 0; i < out_size; ++i) CHECK(std::abs(y(b, i) - expected[i]) <= of_scale * scale);
  }
}

}  // namespace typenet::testing
