#pragma once
// What typenet's image decoders (io/decode_png.hpp, io/decode_jpeg.hpp, io/pnm.hpp) share: the
// 8-bit samples they hand to io/image.hpp, the error they throw, and the pixel limit they check
// from the header before decoding.
//
// Every image file may be hostile (a download, a data set from the web): a 74-byte file can claim
// 13743 x 13322 pixels, and a decoder that believes it allocates gigabytes and spends seconds
// making up zeros. So the header's width and height are checked against a limit, and their
// products for overflow, before any pixel memory is taken.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace typenet::io {

// An image that cannot be read or decoded; what() starts with the file's path.
class ImageError : public std::runtime_error {
 public:
  ImageError(const std::filesystem::path& path, const std::string& what)
      : std::runtime_error(path.string() + ": " + what), path_(path) {}
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The most pixels (width x height) typenet decodes by default: 64 Mi = 67,108,864, an 8192 x 8192
// image. Photographs of 50 megapixels pass; memory stays bounded by what the limit allows (for
// RGB, 192 MiB of 8-bit samples, then 768 MiB of floats). Every reader takes a `max_pixels` to
// raise or lower it. (PIL warns at 89 million pixels and refuses twice that.)
inline constexpr std::size_t default_max_image_pixels = std::size_t{64} * 1024 * 1024;

// A decoded image as the formats store it: 8 bits per sample, rows top to bottom, channels
// interleaved (1 gray, 2 gray + alpha, 3 RGB, 4 RGBA).
struct DecodedImage {
  std::size_t width = 0, height = 0, channels = 0;
  std::vector<std::uint8_t> samples;  // height x width x channels
};

namespace detail {

// Checks a header's claim before decoding: width and height at least 1, at most `max_pixels`
// pixels, and width x height x channels x bytes_per_sample representable. Returns that byte count.
// `format` names the header in the error ("PNG", "JPEG", "PGM").
inline std::size_t checked_image_bytes(const std::filesystem::path& name, const char* format, std::uint64_t width,
                                       std::uint64_t height, std::size_t channels, std::size_t max_pixels,
                                       std::size_t bytes_per_sample = 1) {
  const std::string claim = std::to_string(width) + " x " + std::to_string(height) + " pixels";
  if (width == 0 || height == 0)
    throw ImageError(name, std::string("the ") + format + " header claims " + claim + "; an image has at least 1 x 1");
  constexpr std::uint64_t most = std::numeric_limits<std::size_t>::max();
  const bool overflows = width > most / height || width * height > most / channels ||
                         width * height * channels > most / bytes_per_sample;
  if (overflows || width * height > max_pixels)
    throw ImageError(name, std::string("the ") + format + " header claims " + claim +
                               (overflows ? "" : " (" + std::to_string(width * height) + ")") +
                               ", more than the limit of " + std::to_string(max_pixels) +
                               " (max_pixels); not decoded");
  return static_cast<std::size_t>(width * height * channels * bytes_per_sample);
}

// Decodes image.height rows of `row_bytes` into image.samples, up to Chunk rows per call of
// read(rows, count) (which returns false when the decoder failed), the buffer growing with the
// rows decoded: a file that claims many rows but holds few fails before taking the memory its
// header asked for.
template <std::size_t Chunk, class ReadRows>
bool read_rows_growing(DecodedImage& image, std::size_t row_bytes, ReadRows read) {
  std::array<std::uint8_t*, Chunk> rows{};
  for (std::size_t done = 0; done < image.height;) {
    const std::size_t count = std::min(Chunk, image.height - done);
    image.samples.resize((done + count) * row_bytes);
    for (std::size_t i = 0; i < count; ++i) rows[i] = image.samples.data() + (done + i) * row_bytes;
    if (!read(rows.data(), count)) return false;
    done += count;
  }
  return true;
}

}  // namespace detail
}  // namespace typenet::io
