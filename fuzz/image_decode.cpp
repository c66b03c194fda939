// Images: decode_image on the input's bytes as they are (so the magic bytes choose PNG, JPEG,
// PGM/PPM or a refusal), then resize_image, as the predict tool and load_image_folder do. The
// input's length chooses the colour mode (odd: RGB) and the interpolation, leaving every byte to
// the file. The pixel limit is 1 Mi pixels here (the default is 64 Mi), so that an image at the
// limit stays within libFuzzer's memory limit: the limit itself is what is tested, not its size.
//
// Only ImageError is a refusal. Any other exception (std::bad_alloc included: memory taken on a
// header's word) is a finding, as is a crash.
#include <cstddef>
#include <cstdint>
#include <span>

#include "typenet/io/image.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace io = typenet::io;
  const auto mode = size % 2 ? io::ColorMode::rgb : io::ColorMode::grayscale;
  const auto interpolation = size % 4 < 2 ? io::Interpolation::area_or_bilinear : io::Interpolation::nearest;
  try {
    const io::Image image = io::decode_image(std::span(data, size), "input", mode, std::size_t{1} << 20);
    // Smaller and larger than most inputs, so that both the shrinking and the growing paths run.
    (void)io::resize_image(image, 7, 5, interpolation);
    if (image.width * image.height <= 4096) (void)io::resize_image(image, image.width * 2 + 1, image.height + 3, interpolation);
  } catch (const io::ImageError&) {
  }
  return 0;
}
