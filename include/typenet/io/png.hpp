#pragma once
// 8-bit grayscale PNG files, for pictures that are pixels rather than plots (HOG visualisations).
// The encoding is stb_image_write's (Debian's libstb, see io/image.hpp); the write is atomic.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>

#include <stb/stb_image_write.h>

#include "typenet/io/atomic_file.hpp"

namespace typenet::io {

// The PNG file of a width x height image of 8-bit gray levels, row-major (0 black, 255 white).
inline std::string encode_gray_png(std::size_t width, std::size_t height, std::span<const std::uint8_t> pixels) {
  constexpr std::size_t limit = static_cast<std::size_t>(std::numeric_limits<int>::max());
  if (width == 0 || height == 0 || width > limit || height > limit || width * height > limit)
    throw std::invalid_argument("encode_gray_png: a PNG needs a width and height of at least 1 and at most 2^31 - 1 pixels in all, got " +
                                std::to_string(width) + "x" + std::to_string(height));
  if (pixels.size() != width * height)
    throw std::invalid_argument("encode_gray_png: " + std::to_string(width) + "x" + std::to_string(height) +
                                " pixels expected, got " + std::to_string(pixels.size()));
  std::string png;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
  };
  if (!stbi_write_png_to_func(append, &png, static_cast<int>(width), static_cast<int>(height), 1, pixels.data(),
                              static_cast<int>(width)))
    throw std::runtime_error("encode_gray_png: stb_image_write could not encode the " + std::to_string(width) + "x" +
                             std::to_string(height) + " image (out of memory?)");
  return png;
}

// Writes the image to `path` atomically (see atomic_file.hpp).
inline void write_gray_png(const std::filesystem::path& path, std::size_t width, std::size_t height,
                           std::span<const std::uint8_t> pixels) {
  write_file_atomically(path, encode_gray_png(width, height, pixels));
}

}  // namespace typenet::io
