#pragma once
// The definitions of io/image.hpp (typenet/config.hpp says where they are compiled).
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string_view>

#include <stb/stb_image_resize.h>

#include "typenet/io/decode_jpeg.hpp"
#include "typenet/io/decode_png.hpp"
#include "typenet/io/image.hpp"
#include "typenet/io/pnm.hpp"

namespace typenet::io {

namespace detail {

enum class ImageFormat { png, jpeg, pnm, other };

// The format the first bytes announce; for the formats typenet refuses, `refused` says which it
// looks like (or shows the first bytes), for the error.
inline ImageFormat image_format_of(std::span<const unsigned char> bytes, std::string& refused) {
  using namespace std::string_view_literals;  // "..."sv keeps the NUL bytes of a magic
  auto starts = [&](std::string_view magic) {
    return bytes.size() >= magic.size() && std::equal(magic.begin(), magic.end(), bytes.begin(),
                                                      [](char m, unsigned char b) { return static_cast<unsigned char>(m) == b; });
  };
  if (starts("\x89PNG\r\n\x1a\n"sv)) return ImageFormat::png;
  if (starts("\xff\xd8\xff"sv)) return ImageFormat::jpeg;
  if (starts("P5"sv) || starts("P6"sv)) return ImageFormat::pnm;  // io/pnm.hpp says what else is wrong

  auto tga_footer = [&] {
    constexpr std::string_view footer = "TRUEVISION-XFILE.\0"sv;
    return bytes.size() >= 26 + footer.size() &&
           std::equal(footer.begin(), footer.end(), bytes.end() - static_cast<std::ptrdiff_t>(footer.size()),
                      [](char m, unsigned char b) { return static_cast<unsigned char>(m) == b; });
  };
  // TGA has no magic at the start; its header has a colour-map flag of 0 or 1, an image type
  // from a short list and a usual pixel depth (as stb_image guesses it), or a version-2 footer.
  auto tga_header = [&] {
    if (bytes.size() < 18 || bytes[1] > 1) return false;
    const unsigned type = bytes[2], depth = bytes[16];
    return (type == 1 || type == 2 || type == 3 || type == 9 || type == 10 || type == 11) &&
           (depth == 8 || depth == 15 || depth == 16 || depth == 24 || depth == 32);
  };
  if (starts("BM"sv)) refused = "a BMP file";
  else if (starts("GIF87a"sv) || starts("GIF89a"sv)) refused = "a GIF file";
  else if (starts("II*\0"sv) || starts("MM\0*"sv)) refused = "a TIFF file";
  else if (starts("RIFF"sv) && bytes.size() >= 12 && std::string_view(reinterpret_cast<const char*>(bytes.data()) + 8, 4) == "WEBP")
    refused = "a WebP file";
  else if (starts("#?RADIANCE"sv) || starts("#?RGBE"sv)) refused = "a Radiance HDR file";
  else if (starts("8BPS"sv)) refused = "a Photoshop PSD file";
  else if (starts("\x53\x80\xf6\x34"sv)) refused = "a Softimage PIC file";
  else if (starts("\0\0\1\0"sv)) refused = "an ICO file";
  else if (starts("P1"sv) || starts("P4"sv)) refused = "a PBM bitmap (P1/P4)";
  else if (starts("P2"sv) || starts("P3"sv)) refused = "a plain-text (ASCII) PGM/PPM (P2/P3)";
  else if (starts("P7"sv)) refused = "a PAM file (P7)";
  else if (tga_footer() || tga_header()) refused = "a TGA file, by its header";
  else {
    static constexpr char hex[] = "0123456789abcdef";
    refused = "unrecognised first bytes";
    for (std::size_t i = 0; i < std::min<std::size_t>(bytes.size(), 8); ++i)
      refused += std::string{' ', hex[bytes[i] >> 4], hex[bytes[i] & 15]};
  }
  return ImageFormat::other;
}

}  // namespace detail

TYPENET_INLINE Image decode_image(std::span<const unsigned char> bytes, const std::filesystem::path& name, ColorMode mode,
                                  std::size_t max_pixels) {
  if (bytes.empty()) throw ImageError(name, "the file is empty, not an image");
  std::string refused;
  DecodedImage decoded;
  switch (detail::image_format_of(bytes, refused)) {
    case detail::ImageFormat::png: decoded = decode_png(bytes, name, max_pixels); break;
    case detail::ImageFormat::jpeg: decoded = decode_jpeg(bytes, name, max_pixels); break;
    case detail::ImageFormat::pnm: decoded = decode_pnm(bytes, name, max_pixels); break;
    case detail::ImageFormat::other:
      throw ImageError(name, "not an image typenet can read (" + refused + "); readable formats are " + readable_image_formats);
  }

  Image image;
  image.width = decoded.width;
  image.height = decoded.height;
  image.channels = mode == ColorMode::rgb ? 3 : 1;
  const std::size_t count = image.width * image.height;
  const std::size_t stride = decoded.channels;  // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
  if (stride < 1 || stride > 4 || decoded.samples.size() != count * stride)
    throw std::logic_error("decode_image: a decoder returned " + std::to_string(decoded.samples.size()) + " samples for " +
                           std::to_string(count) + " pixels of " + std::to_string(stride) + " channels");
  image.pixels.resize(count * image.channels);
  const std::uint8_t* in = decoded.samples.data();
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

TYPENET_INLINE Image read_image(const std::filesystem::path& path, ColorMode mode, std::size_t max_pixels) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw ImageError(path, "is a folder, not an image file");
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file) throw ImageError(path, std::string("cannot open: ") + std::strerror(errno));
  std::vector<unsigned char> bytes;
  unsigned char buffer[1 << 16];
  for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0;)
    bytes.insert(bytes.end(), buffer, buffer + got);
  if (std::ferror(file.get())) throw ImageError(path, std::string("cannot read: ") + std::strerror(errno));
  return decode_image(bytes, path, mode, max_pixels);
}

TYPENET_INLINE Image resize_image(const Image& image, std::size_t width, std::size_t height, Interpolation interpolation) {
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

TYPENET_INLINE Image read_image(const std::filesystem::path& path, std::size_t width, std::size_t height, ColorMode mode,
                                Interpolation interpolation, std::size_t max_pixels) {
  return resize_image(read_image(path, mode, max_pixels), width, height, interpolation);
}

TYPENET_INLINE ImageLayout image_layout_for_input(std::span<const std::size_t> dims) {
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

TYPENET_INLINE std::vector<float> read_image_as_input(const std::filesystem::path& path,
                                                      std::span<const std::size_t> input_dims,
                                                      Interpolation interpolation, std::size_t max_pixels) {
  const ImageLayout layout = image_layout_for_input(input_dims);
  return read_image(path, layout.width, layout.height, layout.mode, interpolation, max_pixels).pixels;
}

}  // namespace typenet::io
