#pragma once
// The one place typenet decodes and resizes images (the predict tool, image-folder data sets).
// Decoding is stb_image's (PNG, JPEG, BMP, GIF, TGA, binary PGM/PPM); Debian's libstb holds the
// compiled implementation, so these headers only declare it and nothing is compiled twice.
//
// Pixel values come out as floats in [0, 1] (the byte / 255, as load_mnist scales MNIST), rows
// top to bottom, channels interleaved. Grayscale is what Keras's load_img(color_mode="grayscale")
// gives, PIL's convert("L"): L = (19595 R + 38470 G + 7471 B + 2^15) >> 16 on the 8-bit values,
// alpha ignored.
#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>

namespace typenet::io {

enum class ColorMode { grayscale, rgb };  // as Keras's color_mode

struct Image {
  std::size_t width = 0, height = 0, channels = 1;
  std::vector<float> pixels;  // height x width x channels, in [0, 1]

  float at(std::size_t row, std::size_t column, std::size_t channel = 0) const {
    return pixels[(row * width + column) * channels + channel];
  }
};

// An image that cannot be read or decoded; what() starts with the file's path.
class ImageError : public std::runtime_error {
 public:
  ImageError(const std::filesystem::path& path, const std::string& what)
      : std::runtime_error(path.string() + ": " + what), path_(path) {}
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline constexpr const char* readable_image_formats = "PNG, JPEG, BMP, GIF, TGA and binary PGM/PPM (P5/P6)";

// Decodes an image file's bytes; `name` is what errors call it.
inline Image decode_image(std::span<const unsigned char> bytes, const std::filesystem::path& name,
                          ColorMode mode = ColorMode::grayscale) {
  if (bytes.empty()) throw ImageError(name, "the file is empty, not an image");
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw ImageError(name, "the file is " + std::to_string(bytes.size()) + " bytes; images up to 2 GiB are read");
  int width = 0, height = 0, channels = 0;
  const std::unique_ptr<stbi_uc, void (*)(void*)> decoded(
      stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &width, &height, &channels, 0), stbi_image_free);
  if (!decoded) {
    const char* why = stbi_failure_reason();  // read before stbi_info overwrites it
    const std::string reason = why ? why : "unknown error";
    const bool known = stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &width, &height, &channels) != 0;
    throw ImageError(name, std::string(known ? "cannot decode the image" : "not an image typenet can read") +
                               " (stb_image: " + reason + "); readable formats are " + readable_image_formats);
  }

  Image image;
  image.width = static_cast<std::size_t>(width);
  image.height = static_cast<std::size_t>(height);
  image.channels = mode == ColorMode::rgb ? 3 : 1;
  const std::size_t count = image.width * image.height;
  const std::size_t stride = static_cast<std::size_t>(channels);  // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
  image.pixels.resize(count * image.channels);
  const stbi_uc* in = decoded.get();
  for (std::size_t i = 0; i < count; ++i, in += stride) {
    const bool color = stride >= 3;
    if (mode == ColorMode::grayscale) {
      const std::uint32_t luma =
          color ? (19595u * in[0] + 38470u * in[1] + 7471u * in[2] + 0x8000u) >> 16 : std::uint32_t{in[0]};
      image.pixels[i] = static_cast<float>(luma) / 255.0f;
    } else {
      for (std::size_t c = 0; c < 3; ++c) image.pixels[3 * i + c] = static_cast<float>(in[color ? c : 0]) / 255.0f;
    }
  }
  return image;
}

// Reads and decodes an image file. Throws ImageError naming the file when it cannot be read or
// is not an image.
inline Image read_image(const std::filesystem::path& path, ColorMode mode = ColorMode::grayscale) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw ImageError(path, "is a folder, not an image file");
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file) throw ImageError(path, std::string("cannot open: ") + std::strerror(errno));
  std::vector<unsigned char> bytes;
  unsigned char buffer[1 << 16];
  for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0;)
    bytes.insert(bytes.end(), buffer, buffer + got);
  if (std::ferror(file.get())) throw ImageError(path, std::string("cannot read: ") + std::strerror(errno));
  return decode_image(bytes, path, mode);
}

enum class Interpolation {
  // Per axis: the average over each output pixel's area when shrinking (every input pixel
  // counts, in proportion to how much of it the output pixel covers), bilinear when growing.
  area_or_bilinear,
  // The input pixel under each output pixel's centre, as PIL's NEAREST (Keras's load_img default).
  nearest,
};

// The image resampled to width x height (pixel centres aligned, edges clamped).
inline Image resize_image(const Image& image, std::size_t width, std::size_t height,
                          Interpolation interpolation = Interpolation::area_or_bilinear) {
  if (width == 0 || height == 0 || image.width == 0 || image.height == 0)
    throw std::invalid_argument("resize_image: cannot resize " + std::to_string(image.width) + "x" +
                                std::to_string(image.height) + " to " + std::to_string(width) + "x" + std::to_string(height));
  if (width == image.width && height == image.height) return image;
  Image out{width, height, image.channels, std::vector<float>(width * height * image.channels)};

  if (interpolation == Interpolation::nearest) {
    auto source = [](std::size_t o, std::size_t from, std::size_t to) {
      return std::min(from - 1, static_cast<std::size_t>((static_cast<double>(o) + 0.5) * static_cast<double>(from) /
                                                         static_cast<double>(to)));
    };
    for (std::size_t r = 0; r < height; ++r)
      for (std::size_t c = 0; c < width; ++c)
        for (std::size_t k = 0; k < image.channels; ++k)
          out.pixels[(r * width + c) * image.channels + k] =
              image.at(source(r, image.height, height), source(c, image.width, width), k);
    return out;
  }

  // stb_image_resize's box filter computes exactly each input pixel's coverage of the output
  // pixel, and its triangle filter is bilinear interpolation when growing.
  auto filter = [](std::size_t from, std::size_t to) { return to < from ? STBIR_FILTER_BOX : STBIR_FILTER_TRIANGLE; };
  const int ok = stbir_resize(image.pixels.data(), static_cast<int>(image.width), static_cast<int>(image.height), 0,
                              out.pixels.data(), static_cast<int>(width), static_cast<int>(height), 0, STBIR_TYPE_FLOAT,
                              static_cast<int>(image.channels), STBIR_ALPHA_CHANNEL_NONE, 0, STBIR_EDGE_CLAMP,
                              STBIR_EDGE_CLAMP, filter(image.width, width), filter(image.height, height),
                              STBIR_COLORSPACE_LINEAR, nullptr);
  if (!ok) throw std::runtime_error("resize_image: stb_image_resize failed (out of memory?)");
  return out;
}

// Reads an image file and resizes it to width x height.
inline Image read_image(const std::filesystem::path& path, std::size_t width, std::size_t height,
                        ColorMode mode = ColorMode::grayscale,
                        Interpolation interpolation = Interpolation::area_or_bilinear) {
  return resize_image(read_image(path, mode), width, height, interpolation);
}

// How an image fills a model's input: Input<H, W, C> (C 1 grayscale or 3 RGB), Input<H, W>,
// or a flat Input<N> with N a square (28 x 28 for the lab's Input<784>).
struct ImageLayout {
  std::size_t height = 0, width = 0;
  ColorMode mode = ColorMode::grayscale;
};

inline ImageLayout image_layout_for_input(std::span<const std::size_t> dims) {
  auto shape = [&] {
    std::string text = "(";
    for (std::size_t i = 0; i < dims.size(); ++i) text += (i ? ", " : "") + std::to_string(dims[i]);
    return text + ")";
  };
  if (dims.size() == 1) {
    std::size_t side = 0;
    while ((side + 1) * (side + 1) <= dims[0]) ++side;
    if (side * side != dims[0] || side == 0)
      throw std::invalid_argument("an input of shape " + shape() + " is not a square image; cannot feed it an image");
    return {side, side, ColorMode::grayscale};
  }
  if (dims.size() == 2) return {dims[0], dims[1], ColorMode::grayscale};
  if (dims.size() == 3 && (dims[2] == 1 || dims[2] == 3))
    return {dims[0], dims[1], dims[2] == 1 ? ColorMode::grayscale : ColorMode::rgb};
  throw std::invalid_argument("an input of shape " + shape() +
                              " is not an image; images fill (side*side), (height, width) or (height, width, 1 or 3)");
}

// The image file as one sample of that input: decoded, converted, resized, values in [0, 1].
inline std::vector<float> read_image_as_input(const std::filesystem::path& path, std::span<const std::size_t> input_dims,
                                              Interpolation interpolation = Interpolation::area_or_bilinear) {
  const ImageLayout layout = image_layout_for_input(input_dims);
  return read_image(path, layout.width, layout.height, layout.mode, interpolation).pixels;
}

}  // namespace typenet::io
