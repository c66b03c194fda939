#pragma once
// JPEG decoding with libjpeg-turbo (Debian's libjpeg62-turbo-dev: what PIL, OpenCV, Chromium and
// Firefox decode JPEG with, fuzzed continuously by OSS-Fuzz), for io/image.hpp.
//
// The settings are PIL's (libjpeg's defaults): the accurate integer DCT (JDCT_ISLOW) and fancy
// upsampling of the chroma, full size, output RGB for colour files (YCbCr or RGB) and gray for
// grayscale ones; so the pixels are PIL's, and io/image.hpp makes them gray as PIL does.
// CMYK and YCCK files (Adobe's) are refused: they need a colour conversion PIL does its own way.
//
// libjpeg reports errors through error_exit, which here longjmps back to the small function that
// called libjpeg. Those functions hold no C++ object, and JpegReader (which the callbacks reach
// through client_data) is plain data, so the jump skips no destructor; the pixel vector and the
// messages live in decode_jpeg, which never calls setjmp.
//
// Warnings are errors: libjpeg warns, and goes on with made-up data, when the file ends early
// ("Premature end of JPEG file": the missing rows come out gray), when the entropy-coded data is
// corrupt, or when bytes are missing before a marker. typenet refuses such files rather than
// decode pixels the file does not hold.
#include <csetjmp>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>

#include "typenet/io/decoded_image.hpp"

namespace typenet::io {

namespace detail {

// A progressive JPEG may hold any number of scans, each a pass over the whole image: thousands
// of tiny ones take seconds to decode from a few kilobytes. Real files have about 10; libjpeg-
// turbo's own fuzzers and TurboJPEG's scan limit use 500.
inline constexpr int max_jpeg_scans = 500;

// What libjpeg's callbacks reach (through cinfo.client_data). Plain data: see the top of the file.
struct JpegReader {
  jpeg_decompress_struct cinfo;
  jpeg_error_mgr errors;
  jpeg_progress_mgr progress;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

inline void jpeg_on_error(j_common_ptr cinfo) {
  auto* reader = static_cast<JpegReader*>(cinfo->client_data);
  (*cinfo->err->format_message)(cinfo, reader->message);
  std::longjmp(reader->jump, 1);
}

// Level -1 is a warning (see the top of the file); higher levels are trace messages.
inline void jpeg_on_message(j_common_ptr cinfo, int level) {
  if (level < 0) jpeg_on_error(cinfo);
}

inline void jpeg_on_progress(j_common_ptr cinfo) {
  if (!cinfo->is_decompressor) return;
  if (reinterpret_cast<j_decompress_ptr>(cinfo)->input_scan_number > max_jpeg_scans) {
    auto* reader = static_cast<JpegReader*>(cinfo->client_data);
    std::snprintf(reader->message, sizeof reader->message, "more than %d scans in a progressive JPEG", max_jpeg_scans);
    std::longjmp(reader->jump, 1);
  }
}

// Each function below arms the jump, calls libjpeg, and returns false if libjpeg failed
// (reader.message says why).
inline bool jpeg_read_header_of(JpegReader& reader, const unsigned char* data, std::size_t size) {
  if (setjmp(reader.jump)) return false;
  jpeg_create_decompress(&reader.cinfo);  // keeps cinfo.err and cinfo.client_data
  reader.cinfo.progress = &reader.progress;
  jpeg_mem_src(&reader.cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&reader.cinfo, TRUE);
  return true;
}

inline bool jpeg_start(JpegReader& reader) {
  if (setjmp(reader.jump)) return false;
  jpeg_start_decompress(&reader.cinfo);  // reads every scan of a progressive file
  return true;
}

inline bool jpeg_read_rows(JpegReader& reader, JSAMPARRAY rows, JDIMENSION count) {
  if (setjmp(reader.jump)) return false;
  for (JDIMENSION done = 0; done < count;) {
    const JDIMENSION got = jpeg_read_scanlines(&reader.cinfo, rows + done, count - done);
    if (got == 0) {  // the memory source never suspends; guard against a loop anyway
      std::snprintf(reader.message, sizeof reader.message, "no rows decoded");
      return false;
    }
    done += got;
  }
  return true;
}

}  // namespace detail

// Decodes a JPEG file's bytes; `name` is what errors call it. Throws ImageError.
inline DecodedImage decode_jpeg(std::span<const unsigned char> bytes, const std::filesystem::path& name,
                                std::size_t max_pixels = default_max_image_pixels) {
  detail::JpegReader reader{};  // zeroed: jpeg_destroy_decompress is safe even if creation failed
  reader.cinfo.err = jpeg_std_error(&reader.errors);
  reader.errors.error_exit = detail::jpeg_on_error;
  reader.errors.emit_message = detail::jpeg_on_message;
  reader.cinfo.client_data = &reader;
  reader.progress.progress_monitor = detail::jpeg_on_progress;
  struct Destroy {
    detail::JpegReader& reader;
    ~Destroy() { jpeg_destroy_decompress(&reader.cinfo); }
  } destroy{reader};
  auto failed = [&] { return ImageError(name, std::string("cannot decode the image (libjpeg: ") + reader.message + ")"); };

  if (!detail::jpeg_read_header_of(reader, bytes.data(), bytes.size())) throw failed();
  jpeg_decompress_struct& cinfo = reader.cinfo;
  const bool gray = cinfo.jpeg_color_space == JCS_GRAYSCALE && cinfo.num_components == 1;
  const bool colour = (cinfo.jpeg_color_space == JCS_YCbCr || cinfo.jpeg_color_space == JCS_RGB) && cinfo.num_components == 3;
  if (!gray && !colour)
    throw ImageError(name, std::string("a ") +
                               (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK ? "CMYK (Adobe)"
                                                                                                        : "multi-channel") +
                               " JPEG with " + std::to_string(cinfo.num_components) +
                               " components; typenet reads grayscale and colour (YCbCr or RGB) JPEGs");
  const std::size_t channels = gray ? 1 : 3;
  detail::checked_image_bytes(name, "JPEG", cinfo.image_width, cinfo.image_height, channels, max_pixels);

  cinfo.out_color_space = gray ? JCS_GRAYSCALE : JCS_RGB;
  cinfo.dct_method = JDCT_ISLOW;
  cinfo.do_fancy_upsampling = TRUE;
  if (!detail::jpeg_start(reader)) throw failed();

  DecodedImage image;
  image.width = cinfo.output_width;
  image.height = cinfo.output_height;
  image.channels = static_cast<std::size_t>(cinfo.output_components);
  if (image.width != cinfo.image_width || image.height != cinfo.image_height || image.channels != channels)
    throw ImageError(name, "cannot decode the image (JPEG: unexpected output size)");
  const std::size_t row_bytes = image.width * image.channels;
  const bool decoded = detail::read_rows_growing<16>(image, row_bytes, [&](JSAMPROW* rows, std::size_t count) {
    return detail::jpeg_read_rows(reader, rows, static_cast<JDIMENSION>(count));
  });
  if (!decoded) throw failed();
  // jpeg_finish_decompress is not called: it would only read what follows the last row (up to
  // EOI, which holds no pixels), and jpeg_destroy_decompress frees everything without it.
  return image;
}

}  // namespace typenet::io
