#pragma once
// How a window (a convolution kernel or a pooling window) slides over a channels-last image,
// all at compile time: the image's sides, Keras's two paddings, and the output sides; and the same as
// run-time numbers (WindowGeometry) for the loops that serve every shape.
//
// Every function here also answers for inputs that are not images or that the window does not
// fit, with sides of at least 1, so that a misfit layer still binds to a usable shape and only
// its own static_assert speaks (see sequential.hpp).
#include "typenet/network/shape.hpp"

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace typenet {

// No padding: the window stays inside the image; out = floor((in - k) / stride) + 1.
struct Valid {
  static constexpr std::string_view name = "valid";
  static constexpr std::size_t output_side(std::size_t in, std::size_t window, std::size_t stride) {
    return in >= window && stride > 0 ? (in - window) / stride + 1 : 0;
  }
  static constexpr std::size_t padding_before(std::size_t, std::size_t, std::size_t) { return 0; }
};

// Zero padding so that out = ceil(in / stride). When the padding is odd, the extra row or
// column goes after the image (bottom, right), as in Keras/TensorFlow; this matters for
// stride > 1, where PyTorch's symmetric padding would shift every output by one pixel.
struct Same {
  static constexpr std::string_view name = "same";
  static constexpr std::size_t output_side(std::size_t in, std::size_t, std::size_t stride) {
    return stride > 0 ? (in + stride - 1) / stride : 0;
  }
  static constexpr std::size_t padding_before(std::size_t in, std::size_t window, std::size_t stride) {
    const std::size_t out = output_side(in, window, stride);
    if (out == 0) return 0;
    const std::size_t needed = (out - 1) * stride + window;
    return needed > in ? (needed - in) / 2 : 0;
  }
};

template <class P>
concept Padding = requires {
  { P::name } -> std::convertible_to<std::string_view>;
  { P::output_side(1, 1, 1) } -> std::same_as<std::size_t>;
  { P::padding_before(1, 1, 1) } -> std::same_as<std::size_t>;
};

namespace detail {

// The sides of a (height, width, channels) shape; 1 for the axes a shape of another rank lacks.
template <class S>
struct ImageSides {
  static constexpr bool is_image = S::rank == 3;
  static constexpr std::size_t height = is_image ? S::dims[0] : 1;
  static constexpr std::size_t width = is_image ? S::dims[is_image ? 1 : 0] : 1;
  static constexpr std::size_t channels = is_image ? S::dims[is_image ? 2 : 0] : 1;
};

// A window sliding over a channels-last image, as run-time numbers: what the loops that are the
// same for every shape take (im2col, pooling), so that a translation unit compiles them once
// rather than once for each layer's shape. Pooling slides by its own size on each axis, hence a
// stride per axis.
struct WindowGeometry {
  std::size_t in_height, in_width, channels;
  std::size_t window_height, window_width;
  std::size_t stride_y, stride_x;
  std::size_t pad_top, pad_left;
  std::size_t out_height, out_width;
  constexpr std::size_t image_size() const { return in_height * in_width * channels; }
  constexpr std::size_t patch() const { return window_height * window_width * channels; }
  constexpr std::size_t out_pixels() const { return out_height * out_width; }
};

// A WindowH x WindowW window sliding by Stride over the image S with padding P.
template <class S, class P, std::size_t WindowH, std::size_t WindowW, std::size_t Stride>
struct SlidingWindow {
  using image = ImageSides<S>;
  static constexpr std::size_t in_height = image::height, in_width = image::width, channels = image::channels;
  static constexpr std::size_t window_height = WindowH, window_width = WindowW, stride = Stride;
  // The true output sides; 0 when the window does not fit.
  static constexpr std::size_t out_height_or_zero = P::output_side(in_height, WindowH, Stride);
  static constexpr std::size_t out_width_or_zero = P::output_side(in_width, WindowW, Stride);
  static constexpr bool fits = image::is_image && WindowH > 0 && WindowW > 0 && Stride > 0 &&
                               out_height_or_zero > 0 && out_width_or_zero > 0;
  // The sides used for buffers: never 0, so a misfit layer stays well formed.
  static constexpr std::size_t out_height = std::max<std::size_t>(out_height_or_zero, 1);
  static constexpr std::size_t out_width = std::max<std::size_t>(out_width_or_zero, 1);
  static constexpr std::size_t out_pixels = out_height * out_width;
  static constexpr std::size_t pad_top = P::padding_before(in_height, WindowH, Stride);
  static constexpr std::size_t pad_left = P::padding_before(in_width, WindowW, Stride);
  static constexpr WindowGeometry geometry{in_height, in_width, channels, WindowH, WindowW, Stride, Stride,
                                           pad_top,   pad_left, out_height, out_width};
};

}  // namespace detail

}  // namespace typenet
