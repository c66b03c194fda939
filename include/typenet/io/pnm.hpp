#pragma once
// Binary PGM and PPM files (P5 gray, P6 RGB), for io/image.hpp: a header of text fields, then raw
// samples. typenet reads them itself: the format is a few lines, and a strict reader is simpler
// than trusting a general one with a hostile header.
//
// Strict: the magic, then width, height and maxval as decimal numbers (whitespace and # comments
// between them), one whitespace byte, then exactly width x height x channels samples, one byte
// each when maxval < 256 and two (big-endian) otherwise; a sample above maxval is an error. Any
// maxval other than 255 (1 to 65535) is scaled to 0..255 as PIL scales it, round(v / maxval * 255)
// in double precision, ties to even. (PIL keeps a 16-bit PGM at 16 bits, mode "I".)
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "typenet/io/decoded_image.hpp"

namespace typenet::io {

// Decodes a P5 or P6 file's bytes; `name` is what errors call it. Throws ImageError.
inline DecodedImage decode_pnm(std::span<const unsigned char> bytes, const std::filesystem::path& name,
                               std::size_t max_pixels = default_max_image_pixels) {
  const char* kind = bytes.size() >= 2 && bytes[1] == '6' ? "PPM" : "PGM";
  auto fail = [&](const std::string& why) { return ImageError(name, std::string("not a valid binary ") + kind + ": " + why); };
  if (bytes.size() < 2 || bytes[0] != 'P' || (bytes[1] != '5' && bytes[1] != '6')) throw fail("the file does not start with P5 or P6");
  auto space = [](unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };

  std::size_t at = 2;
  // A header field: at least one whitespace byte or comment before it, then 1 to 10 digits.
  auto field = [&](const char* what, std::uint64_t most) {
    const std::size_t start = at;
    while (at < bytes.size() && (space(bytes[at]) || bytes[at] == '#')) {
      if (bytes[at] == '#')
        while (at < bytes.size() && bytes[at] != '\n' && bytes[at] != '\r') ++at;
      else
        ++at;
    }
    if (at == start || at == bytes.size() || bytes[at] < '0' || bytes[at] > '9')
      throw fail(std::string("the header's ") + what + " is missing" + (at == bytes.size() ? " (the file ends)" : ""));
    std::uint64_t value = 0;
    for (int digits = 0; at < bytes.size() && bytes[at] >= '0' && bytes[at] <= '9'; ++at, ++digits) {
      if (digits == 10) throw fail(std::string("the header's ") + what + " has more than 10 digits");
      value = value * 10 + (bytes[at] - '0');
    }
    if (value > most) throw fail(std::string("the header's ") + what + " is " + std::to_string(value) + ", above " + std::to_string(most));
    return value;
  };
  const std::uint64_t width = field("width", 0xffffffffu), height = field("height", 0xffffffffu);
  const std::uint64_t maxval = field("maxval", 65535);
  if (maxval == 0) throw fail("the header's maxval is 0; it is 1 to 65535");
  if (at == bytes.size() || !space(bytes[at])) throw fail("no whitespace byte after the header's maxval");
  ++at;

  const std::size_t channels = bytes[1] == '6' ? 3 : 1, sample_bytes = maxval < 256 ? 1 : 2;
  const std::size_t expected = detail::checked_image_bytes(name, kind, width, height, channels, max_pixels, sample_bytes);
  const std::size_t present = bytes.size() - at;
  if (present != expected)
    throw fail(std::to_string(width) + " x " + std::to_string(height) + " pixels need " + std::to_string(expected) +
               " bytes after the header, the file has " + std::to_string(present) +
               (present < expected ? " (truncated)" : " (trailing data)"));

  DecodedImage image{static_cast<std::size_t>(width), static_cast<std::size_t>(height), channels, {}};
  const std::size_t count = expected / sample_bytes;
  image.samples.resize(count);
  const unsigned char* in = bytes.data() + at;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t v = sample_bytes == 1 ? in[i] : (std::uint32_t{in[2 * i]} << 8 | in[2 * i + 1]);
    if (v > maxval)
      throw fail("sample " + std::to_string(i) + " is " + std::to_string(v) + ", above maxval " + std::to_string(maxval));
    image.samples[i] = maxval == 255 ? static_cast<std::uint8_t>(v)
                                     : static_cast<std::uint8_t>(std::nearbyint(static_cast<double>(v) /
                                                                                static_cast<double>(maxval) * 255.0));
  }
  return image;
}

}  // namespace typenet::io
