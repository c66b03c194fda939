#pragma once
// Image data sets laid out one sub-folder per class, as Keras's image_dataset_from_directory
// reads them and as the Kaggle chest X-ray set ships (chest_xray/train/NORMAL/*.jpeg,
// chest_xray/train/PNEUMONIA/*.jpeg, the same under val/ and test/):
//
//   auto train = typenet::data::load_image_folder("chest_xray/train", {.height = 128, .width = 128});
//   // train.images (n, 128, 128, 1) in [0, 1]; train.labels 0 = NORMAL, 1 = PNEUMONIA (sorted names)
//
// Classes are the sub-folders in sorted (byte) order. Every regular file in them is decoded
// (io/image.hpp: PNG, JPEG or binary PGM/PPM, PIL's grayscale, area-averaging when shrinking,
// bilinear when growing); a file that cannot be decoded (a format typenet does not read, a
// damaged or truncated file, more pixels than `max_pixels`) does not stop the load and is not skipped silently:
// it is listed in `unreadable` with the reason, and the list is printed at the end.
#include "typenet/io/image.hpp"  // programs that include this header also call read_image

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "typenet/config.hpp"

namespace typenet::data {

struct ImageFolderOptions {
  std::size_t height = 0, width = 0;
  bool grayscale = true;  // false: RGB, 3 channels
  // A file whose header claims more pixels is left out unread (io/decoded_image.hpp).
  std::size_t max_pixels = io::default_max_image_pixels;
};

struct UnreadableImage {
  std::filesystem::path path;
  std::string reason;
};

struct ImageFolder {
  xt::xtensor<float, 4> images;               // (n, height, width, channels), values in [0, 1]
  xt::xtensor<std::uint8_t, 1> labels;        // index into class_names
  std::vector<std::string> class_names;       // the sub-folders, sorted
  std::vector<std::filesystem::path> files;   // the file of each image
  std::vector<UnreadableImage> unreadable;    // files left out, with why

  // "N files could not be read:" and one line per file; empty when all were read.
  std::string unreadable_report() const {
    if (unreadable.empty()) return {};
    std::string s = std::to_string(unreadable.size()) + " file" + (unreadable.size() == 1 ? "" : "s") +
                    " could not be read and " + (unreadable.size() == 1 ? "is" : "are") + " left out:\n";
    for (const auto& u : unreadable) s += "  " + u.reason + "\n";
    return s;
  }
};

// Loads `dir`; writes the unreadable-file report to `report` (nullptr: only in the result).
// Throws when `dir` is not a folder, has no class sub-folders, or yields no image at all.
ImageFolder load_image_folder(const std::filesystem::path& dir, const ImageFolderOptions& options,
                              std::ostream* report = nullptr);

}  // namespace typenet::data

#ifdef TYPENET_HEADER_ONLY
#include "typenet/data/image_folder-inl.hpp"
#endif
