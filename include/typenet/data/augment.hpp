#pragma once
// Seeded random augmentation of image batches, as Keras's RandomTranslation, RandomRotation,
// RandomZoom and RandomFlip layers (or ImageDataGenerator) do: every image gets its own random
// shift, rotation about its centre, zoom and optional horizontal flip, sampled bilinearly with
// fill_mode "nearest" (pixels outside the image repeat its edge). Flips are off by default:
// a mirrored chest X-ray puts the heart on the wrong side.
//
// Used on the fly: draw a fresh augmented copy of the training images before every epoch
// (KeepBest::on_epoch_begin), so the network never sees the same distortion twice.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <stdexcept>
#include <string>

#include "typenet/detail/random.hpp"

namespace typenet {

struct ImageAugmentation {
  double shift = 0.0;             // up to this fraction of the width (height) across (down), either way
  double rotation_degrees = 0.0;  // up to this many degrees, either way
  double zoom = 0.0;              // scale drawn from [1 - zoom, 1 + zoom]; > 1 magnifies
  bool horizontal_flip = false;   // mirror half of the images left-right
};

// One image's distortion: output pixel p shows input point c + R(-angle) (p - c - t) / scale,
// the inverse of zooming about the centre c, rotating by `angle` and moving by t; with `flip`
// the output is mirrored left-right afterwards.
struct AffineTransform {
  double angle_radians = 0.0, scale = 1.0, shift_x = 0.0, shift_y = 0.0;  // shifts in pixels
  bool flip = false;

  void apply(const float* in, float* out, std::size_t height, std::size_t width, std::size_t channels) const {
    const double cx = (static_cast<double>(width) - 1) / 2, cy = (static_cast<double>(height) - 1) / 2;
    const double cos_a = std::cos(angle_radians) / scale, sin_a = std::sin(angle_radians) / scale;
    for (std::size_t y = 0; y < height; ++y)
      for (std::size_t x = 0; x < width; ++x) {
        const double px = static_cast<double>(flip ? width - 1 - x : x) - cx - shift_x;
        const double py = static_cast<double>(y) - cy - shift_y;
        sample(in, height, width, channels, cy - sin_a * px + cos_a * py, cx + cos_a * px + sin_a * py,
               out + (y * width + x) * channels);
      }
  }

 private:
  // Bilinear, coordinates clamped to the image (fill_mode "nearest").
  static void sample(const float* in, std::size_t height, std::size_t width, std::size_t channels, double y, double x, float* out) {
    y = std::clamp(y, 0.0, static_cast<double>(height - 1));
    x = std::clamp(x, 0.0, static_cast<double>(width - 1));
    const std::size_t y0 = static_cast<std::size_t>(y), x0 = static_cast<std::size_t>(x);
    const std::size_t y1 = std::min(y0 + 1, height - 1), x1 = std::min(x0 + 1, width - 1);
    const float fy = static_cast<float>(y - static_cast<double>(y0)), fx = static_cast<float>(x - static_cast<double>(x0));
    for (std::size_t c = 0; c < channels; ++c) {
      auto at = [&](std::size_t r, std::size_t q) { return in[(r * width + q) * channels + c]; };
      const float top = at(y0, x0) + fx * (at(y0, x1) - at(y0, x0));
      const float bottom = at(y1, x0) + fx * (at(y1, x1) - at(y1, x0));
      out[c] = top + fy * (bottom - top);
    }
  }

};

class ImageAugmenter {
 public:
  ImageAugmenter(ImageAugmentation a, std::uint64_t seed) : a_(a), rng_(seed ^ 0xa06e47) {
    if (a.shift < 0 || a.shift >= 1 || a.rotation_degrees < 0 || a.rotation_degrees > 180 || a.zoom < 0 || a.zoom >= 1)
      throw std::invalid_argument("ImageAugmentation: shift and zoom must be in [0, 1), rotation_degrees in [0, 180]");
  }

  // The next random distortion for an image of height x width.
  AffineTransform draw(std::size_t height, std::size_t width) {
    AffineTransform t;
    t.angle_radians = a_.rotation_degrees * std::numbers::pi / 180.0 * symmetric();
    t.scale = 1.0 + a_.zoom * symmetric();
    t.shift_x = a_.shift * static_cast<double>(width) * symmetric();
    t.shift_y = a_.shift * static_cast<double>(height) * symmetric();
    t.flip = a_.horizontal_flip && rng_.uniform() < 0.5f;
    return t;
  }

  // `count` images of height x width x channels (channels last), from `in` to `out` (not the same buffer).
  void apply(const float* in, float* out, std::size_t count, std::size_t height, std::size_t width, std::size_t channels = 1) {
    if (in == out) throw std::invalid_argument("ImageAugmenter::apply: in and out must be different buffers");
    const std::size_t image = height * width * channels;
    for (std::size_t i = 0; i < count; ++i) draw(height, width).apply(in + i * image, out + i * image, height, width, channels);
  }

  // Any dense row-major arrays of images with samples first, (n, h, w) or (n, h, w, c): out gets in's shape.
  template <class Array>
  void apply(const Array& in, Array& out) {
    const auto& s = in.shape();
    if (s.size() != 3 && s.size() != 4)
      throw std::invalid_argument("ImageAugmenter::apply: images must be (n, h, w) or (n, h, w, c), got rank " + std::to_string(s.size()));
    if (out.shape() != in.shape()) out.resize(in.shape());
    apply(in.data(), out.data(), s[0], s[1], s[2], s.size() == 4 ? s[3] : 1);
  }

 private:
  double symmetric() { return 2.0 * static_cast<double>(rng_.uniform()) - 1.0; }

  ImageAugmentation a_;
  detail::Rng rng_;
};

}  // namespace typenet
