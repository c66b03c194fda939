// Image augmentation: each elementary transform on a small image whose result is known by hand,
// the random draws within their ranges, and reproducibility from the seed.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "typenet/data/augment.hpp"

namespace test_augment {

using doctest::Approx;
using typenet::AffineTransform;

namespace {
// 3x3 image, value 10 * row + column.
const std::vector<float> grid = {0, 1, 2, 10, 11, 12, 20, 21, 22};

std::vector<float> transformed(const AffineTransform& t, const std::vector<float>& in = grid, std::size_t side = 3) {
  std::vector<float> out(in.size());
  t.apply(in.data(), out.data(), side, side, 1);
  return out;
}

void check_image(const std::vector<float>& got, const std::vector<float>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i] == Approx(want[i]).epsilon(1e-5));
  }
}
}  // namespace

TEST_CASE("AffineTransform: identity, shift, flip, rotation and zoom, by hand") {
  check_image(transformed({}), grid);
  // Shifted one pixel right: column x shows column x - 1; the left edge repeats (fill "nearest").
  check_image(transformed({.shift_x = 1.0}), {0, 0, 1, 10, 10, 11, 20, 20, 21});
  // Half a pixel down: each row is the mean of itself and the one above.
  check_image(transformed({.shift_y = 0.5}), {0, 1, 2, 5, 6, 7, 15, 16, 17});
  check_image(transformed({.flip = true}), {2, 1, 0, 12, 11, 10, 22, 21, 20});
  // A quarter turn: output (y, x) shows input (2 - x, y).
  check_image(transformed({.angle_radians = std::numbers::pi / 2}), {20, 10, 0, 21, 11, 1, 22, 12, 2});
  // Zoom 2 about the centre: output (y, x) shows input (1 + (y - 1) / 2, 1 + (x - 1) / 2).
  check_image(transformed({.scale = 2.0}), {5.5, 6, 6.5, 10.5, 11, 11.5, 15.5, 16, 16.5});
  // Channels are transformed alike: a 1x2 RGB image shifted right by one pixel.
  const std::vector<float> rgb = {1, 2, 3, 4, 5, 6};
  std::vector<float> out(6);
  AffineTransform{.shift_x = 1.0}.apply(rgb.data(), out.data(), 1, 2, 3);
  check_image(out, {1, 2, 3, 1, 2, 3});
}

TEST_CASE("ImageAugmenter draws within the ranges, reproducibly from its seed") {
  typenet::ImageAugmenter a({.shift = 0.1, .rotation_degrees = 10, .zoom = 0.2}, 42);
  double max_angle = 0, max_shift = 0, min_scale = 2, max_scale = 0;
  for (int i = 0; i < 2000; ++i) {
    const auto t = a.draw(28, 28);
    max_angle = std::max(max_angle, std::abs(t.angle_radians));
    max_shift = std::max({max_shift, std::abs(t.shift_x), std::abs(t.shift_y)});
    min_scale = std::min(min_scale, t.scale);
    max_scale = std::max(max_scale, t.scale);
    CHECK_FALSE(t.flip);  // off by default
  }
  CHECK(max_angle <= 10 * std::numbers::pi / 180);
  CHECK(max_angle > 9 * std::numbers::pi / 180);  // the range is used, not just its middle
  CHECK(max_shift <= 2.8);
  CHECK(max_shift > 2.5);
  CHECK(min_scale >= 0.8);
  CHECK(min_scale < 0.82);
  CHECK(max_scale <= 1.2);
  CHECK(max_scale > 1.18);

  typenet::ImageAugmenter flips({.horizontal_flip = true}, 1);
  int flipped = 0;
  for (int i = 0; i < 1000; ++i) flipped += flips.draw(3, 3).flip;
  CHECK(flipped > 400);
  CHECK(flipped < 600);

  // Same seed, same images; another seed, other images.
  xt::xtensor<float, 3> images = xt::xtensor<float, 3>::from_shape({4, 5, 5});
  for (std::size_t i = 0; i < images.size(); ++i) images.data()[i] = static_cast<float>(i % 7);
  xt::xtensor<float, 3> a1, a2, b;
  typenet::ImageAugmenter({.shift = 0.2, .rotation_degrees = 20}, 7).apply(images, a1);
  typenet::ImageAugmenter({.shift = 0.2, .rotation_degrees = 20}, 7).apply(images, a2);
  typenet::ImageAugmenter({.shift = 0.2, .rotation_degrees = 20}, 8).apply(images, b);
  CHECK(a1 == a2);
  CHECK(a1 != b);
  CHECK(a1 != images);

  CHECK_THROWS_AS(typenet::ImageAugmenter({.zoom = 1.0}, 0), std::invalid_argument);
  CHECK_THROWS_AS(typenet::ImageAugmenter({.shift = -0.1}, 0), std::invalid_argument);
}

}  // namespace test_augment
