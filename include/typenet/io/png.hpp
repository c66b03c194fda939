#pragma once
// 8-bit grayscale PNG files with nothing but zlib (already a dependency for gzipped IDX files):
// for pictures that are pixels rather than plots, such as HOG visualisations.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "typenet/io/atomic_file.hpp"

namespace typenet::io {

namespace detail {
inline void append_be32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

// One chunk: length, type, data, and the CRC of type and data.
inline void append_png_chunk(std::string& out, std::string_view type, std::string_view data) {
  append_be32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t crc_from = out.size();
  out += type;
  out += data;
  const auto* bytes = reinterpret_cast<const Bytef*>(out.data() + crc_from);
  append_be32(out, static_cast<std::uint32_t>(crc32(0L, bytes, static_cast<uInt>(out.size() - crc_from))));
}
}  // namespace detail

// The PNG file of a width x height image of 8-bit gray levels, row-major (0 black, 255 white).
inline std::string encode_gray_png(std::size_t width, std::size_t height, std::span<const std::uint8_t> pixels) {
  if (width == 0 || height == 0 || width > 0x7fffffff || height > 0x7fffffff)
    throw std::invalid_argument("encode_gray_png: a PNG needs a width and height in [1, 2^31), got " +
                                std::to_string(width) + "x" + std::to_string(height));
  if (pixels.size() != width * height)
    throw std::invalid_argument("encode_gray_png: " + std::to_string(width) + "x" + std::to_string(height) +
                                " pixels expected, got " + std::to_string(pixels.size()));
  // Each row starts with its filter type; 0 ("None") keeps the writer trivial.
  std::vector<Bytef> raw;
  raw.reserve(height * (width + 1));
  for (std::size_t r = 0; r < height; ++r) {
    raw.push_back(0);
    raw.insert(raw.end(), pixels.begin() + static_cast<std::ptrdiff_t>(r * width),
               pixels.begin() + static_cast<std::ptrdiff_t>((r + 1) * width));
  }
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(packed_size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size, raw.data(), static_cast<uLong>(raw.size()),
                Z_BEST_COMPRESSION) != Z_OK)
    throw std::runtime_error("encode_gray_png: zlib could not compress the image");
  packed.resize(packed_size);

  std::string header;
  detail::append_be32(header, static_cast<std::uint32_t>(width));
  detail::append_be32(header, static_cast<std::uint32_t>(height));
  header += std::string{8, 0, 0, 0, 0};  // bit depth 8, colour type 0 (gray), deflate, filter 0, no interlace

  std::string png = "\x89PNG\r\n\x1a\n";
  detail::append_png_chunk(png, "IHDR", header);
  detail::append_png_chunk(png, "IDAT", packed);
  detail::append_png_chunk(png, "IEND", {});
  return png;
}

// Writes the image to `path` atomically (see atomic_file.hpp).
inline void write_gray_png(const std::filesystem::path& path, std::size_t width, std::size_t height,
                           std::span<const std::uint8_t> pixels) {
  write_file_atomically(path, encode_gray_png(width, height, pixels));
}

}  // namespace typenet::io
