#pragma once
// PNG decoding with libpng (Debian's libpng-dev: the PNG reference library, which Chromium,
// Firefox and OpenCV decode with and OSS-Fuzz fuzzes continuously), for io/image.hpp.
//
// The samples come out as the file stores them, as PIL reads them: no gamma correction (gAMA,
// iCCP and the other ancillary chunks are skipped unread), palettes expanded to RGB, gray of 1,
// 2 or 4 bits widened to 8, 16-bit samples cut to their high byte (png_set_strip_16, what PIL
// does for 16-bit RGB; PIL keeps 16-bit gray at 16 bits, mode "I"), interlaced images
// de-interlaced, and tRNS transparency turned into an alpha channel, which io/image.hpp then
// ignores as PIL's convert("L") and convert("RGB") do.
// A file may end after its pixel data without the IEND chunk (which holds nothing); anything
// shorter is an error.
//
// libpng reports errors by longjmp. Only the small functions below call setjmp, and every object
// the jump crosses or returns to is plain data (PngReader, libpng's own C frames): no C++
// destructor is skipped. The C++ side (the pixel vector, the error message) lives in
// decode_png, which never calls setjmp, and only calls libpng through those functions.
//
// A file cut short is an error (libpng's "Not enough image data", or the read callback running
// out of bytes), never zeros. libpng's warnings are dropped: they concern chunks that carry no
// pixels (a known-bad sRGB profile, extra compressed data after the image).
#include <csetjmp>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <png.h>

#include "typenet/io/decoded_image.hpp"

namespace typenet::io {

namespace detail {

// What libpng's callbacks reach through their user pointers. Plain data: see the top of the file.
struct PngReader {
  png_structp png = nullptr;
  png_infop info = nullptr;
  const unsigned char* data = nullptr;
  std::size_t size = 0, position = 0;
  char message[256] = {};
};

inline void png_on_error(png_structp png, png_const_charp message) {
  auto* reader = static_cast<PngReader*>(png_get_error_ptr(png));
  std::snprintf(reader->message, sizeof reader->message, "%s", message ? message : "unknown error");
  png_longjmp(png, 1);
}

inline void png_on_warning(png_structp, png_const_charp) {}

inline void png_read_memory(png_structp png, png_bytep out, std::size_t length) {
  auto* reader = static_cast<PngReader*>(png_get_io_ptr(png));
  if (length > reader->size - reader->position) png_error(png, "the file ends early (truncated)");
  std::memcpy(out, reader->data + reader->position, length);
  reader->position += length;
}

// The header (IHDR, PLTE, tRNS). False when libpng stopped with an error (reader.message).
inline bool png_read_header(PngReader& reader) {
  if (setjmp(png_jmpbuf(reader.png))) return false;
  // Every ancillary chunk but tRNS is skipped: none changes the samples PIL reads, and text,
  // profiles and the rest are parsing (and zlib decompression) that only a hostile file needs.
  png_set_keep_unknown_chunks(reader.png, PNG_HANDLE_CHUNK_NEVER, nullptr, -1);
  png_read_info(reader.png, reader.info);
  return true;
}

// Asks for 8-bit gray, gray + alpha, RGB or RGBA samples (see the top of the file); `passes` is 7
// for an interlaced image, else 1.
inline bool png_set_transforms(PngReader& reader, int& passes) {
  if (setjmp(png_jmpbuf(reader.png))) return false;
  png_structp png = reader.png;
  png_infop info = reader.info;
  const int color_type = png_get_color_type(png, info);
  if (png_get_bit_depth(png, info) == 16) png_set_strip_16(png);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(png, info) < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);
  return true;
}

inline bool png_read_some_rows(PngReader& reader, png_bytepp rows, png_uint_32 count) {
  if (setjmp(png_jmpbuf(reader.png))) return false;
  png_read_rows(reader.png, rows, nullptr, count);
  return true;
}

}  // namespace detail

// Decodes a PNG file's bytes; `name` is what errors call it. Throws ImageError.
inline DecodedImage decode_png(std::span<const unsigned char> bytes, const std::filesystem::path& name,
                               std::size_t max_pixels = default_max_image_pixels) {
  detail::PngReader reader;
  reader.data = bytes.data();
  reader.size = bytes.size();
  reader.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, detail::png_on_error, detail::png_on_warning);
  if (!reader.png) throw ImageError(name, "cannot decode the image (libpng: cannot start, out of memory?)");
  struct Destroy {
    detail::PngReader& reader;
    ~Destroy() { png_destroy_read_struct(&reader.png, reader.info ? &reader.info : nullptr, nullptr); }
  } destroy{reader};
  reader.info = png_create_info_struct(reader.png);
  if (!reader.info) throw ImageError(name, "cannot decode the image (libpng: cannot start, out of memory?)");
  png_set_read_fn(reader.png, &reader, detail::png_read_memory);
  auto failed = [&] { return ImageError(name, std::string("cannot decode the image (libpng: ") + reader.message + ")"); };

  if (!detail::png_read_header(reader)) throw failed();
  const png_uint_32 width = png_get_image_width(reader.png, reader.info);
  const png_uint_32 height = png_get_image_height(reader.png, reader.info);
  detail::checked_image_bytes(name, "PNG", width, height, 4, max_pixels);  // before any pixel memory
  int passes = 1;
  if (!detail::png_set_transforms(reader, passes)) throw failed();

  DecodedImage image;
  image.width = width;
  image.height = height;
  image.channels = png_get_channels(reader.png, reader.info);
  const std::size_t row_bytes = image.width * image.channels;
  if (image.channels < 1 || image.channels > 4 || png_get_rowbytes(reader.png, reader.info) != row_bytes)
    throw ImageError(name, "cannot decode the image (PNG: unexpected layout after conversion to 8 bits)");
  const std::size_t total = detail::checked_image_bytes(name, "PNG", width, height, image.channels, max_pixels);

  if (passes > 1) {
    // Interlaced: every pass fills part of every row, so all rows exist from the start.
    image.samples.resize(total);
    std::vector<png_bytep> rows(image.height);
    for (std::size_t r = 0; r < image.height; ++r) rows[r] = image.samples.data() + r * row_bytes;
    for (int pass = 0; pass < passes; ++pass)
      if (!detail::png_read_some_rows(reader, rows.data(), height)) throw failed();
  } else {
    const bool decoded = detail::read_rows_growing<64>(image, row_bytes, [&](png_bytep* rows, std::size_t count) {
      return detail::png_read_some_rows(reader, rows, static_cast<png_uint_32>(count));
    });
    if (!decoded) throw failed();
  }
  return image;
}

}  // namespace typenet::io
