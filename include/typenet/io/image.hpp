#pragma once
// The one place typenet decodes and resizes images (the predict tool, image-folder data sets).
// Every image file may be hostile, so decoding goes to libraries made for untrusted input, chosen
// by the file's first bytes: PNG by libpng (io/decode_png.hpp), JPEG by libjpeg-turbo
// (io/decode_jpeg.hpp), binary PGM/PPM (P5/P6) by typenet's own strict reader (io/pnm.hpp).
// Anything else (BMP, GIF, TGA, TIFF, WebP, HDR, PSD, ...) is refused by its magic bytes with an
// ImageError naming the file and the formats typenet reads. A header claiming more than
// `max_pixels` pixels (default_max_image_pixels, 64 Mi, io/decoded_image.hpp) is refused before
// any decoding, and a file cut short is an error, never an image padded with zeros.
//
// Pixel values come out as floats in [0, 1] (the byte / 255, as load_mnist scales MNIST), rows
// top to bottom, channels interleaved, the samples PIL reads (no gamma correction; JPEG with
// libjpeg's defaults, as PIL). Grayscale is what Keras's load_img(color_mode="grayscale") gives,
// PIL's convert("L"): L = (19595 R + 38470 G + 7471 B + 2^15) >> 16 on the 8-bit values, alpha
// ignored. Resizing is stb_image_resize's (Debian's libstb holds its compiled implementation).
// The decoders and their libraries are in the definitions (io/image-inl.hpp, libtypenet_data).
#include "typenet/io/decoded_image.hpp"

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "typenet/config.hpp"

namespace typenet::io {

enum class ColorMode { grayscale, rgb };  // as Keras's color_mode

struct Image {
  std::size_t width = 0, height = 0, channels = 1;
  std::vector<float> pixels;  // height x width x channels, in [0, 1]

  float at(std::size_t row, std::size_t column, std::size_t channel = 0) const {
    return pixels[(row * width + column) * channels + channel];
  }
};

inline constexpr const char* readable_image_formats = "PNG, JPEG and binary PGM/PPM (P5/P6)";

// Decodes an image file's bytes; `name` is what errors call it. Throws ImageError for a format
// typenet does not read, a damaged or truncated file, or a header claiming more than max_pixels.
Image decode_image(std::span<const unsigned char> bytes, const std::filesystem::path& name,
                   ColorMode mode = ColorMode::grayscale, std::size_t max_pixels = default_max_image_pixels);

// Reads and decodes an image file. Throws ImageError naming the file when it cannot be read or
// is not an image (see decode_image).
Image read_image(const std::filesystem::path& path, ColorMode mode = ColorMode::grayscale,
                 std::size_t max_pixels = default_max_image_pixels);

enum class Interpolation {
  // Per axis: the average over each output pixel's area when shrinking (every input pixel
  // counts, in proportion to how much of it the output pixel covers), bilinear when growing.
  area_or_bilinear,
  // The input pixel under each output pixel's centre, as PIL's NEAREST (Keras's load_img default).
  nearest,
};

// The image resampled to width x height (pixel centres aligned, edges clamped).
Image resize_image(const Image& image, std::size_t width, std::size_t height,
                   Interpolation interpolation = Interpolation::area_or_bilinear);

// Reads an image file and resizes it to width x height.
Image read_image(const std::filesystem::path& path, std::size_t width, std::size_t height,
                 ColorMode mode = ColorMode::grayscale, Interpolation interpolation = Interpolation::area_or_bilinear,
                 std::size_t max_pixels = default_max_image_pixels);

// How an image fills a model's input: Input<H, W, C> (C 1 grayscale or 3 RGB), Input<H, W>,
// or a flat Input<N> with N a square (28 x 28 for the lab's Input<784>).
struct ImageLayout {
  std::size_t height = 0, width = 0;
  ColorMode mode = ColorMode::grayscale;
};

ImageLayout image_layout_for_input(std::span<const std::size_t> dims);

// The image file as one sample of that input: decoded, converted, resized, values in [0, 1].
std::vector<float> read_image_as_input(const std::filesystem::path& path, std::span<const std::size_t> input_dims,
                                       Interpolation interpolation = Interpolation::area_or_bilinear,
                                       std::size_t max_pixels = default_max_image_pixels);

}  // namespace typenet::io

#ifdef TYPENET_HEADER_ONLY
#include "typenet/io/image-inl.hpp"
#endif
