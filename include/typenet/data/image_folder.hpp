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
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "typenet/io/image.hpp"

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
inline ImageFolder load_image_folder(const std::filesystem::path& dir, const ImageFolderOptions& options,
                                     std::ostream* report = nullptr) {
  namespace fs = std::filesystem;
  const std::string who = "load_image_folder: " + dir.string();
  if (options.height == 0 || options.width == 0) throw std::invalid_argument(who + ": height and width must be > 0");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw std::runtime_error(who + ": not a folder");

  ImageFolder result;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_directory()) result.class_names.push_back(entry.path().filename().string());
  std::sort(result.class_names.begin(), result.class_names.end());
  if (result.class_names.empty())
    throw std::runtime_error(who + ": no class sub-folders (expected one folder per class, e.g. NORMAL/ and PNEUMONIA/)");
  if (result.class_names.size() > 256) throw std::runtime_error(who + ": more than 256 class sub-folders");

  const auto mode = options.grayscale ? io::ColorMode::grayscale : io::ColorMode::rgb;
  const std::size_t channels = options.grayscale ? 1 : 3;
  std::vector<float> pixels;
  std::vector<std::uint8_t> labels;
  for (std::size_t c = 0; c < result.class_names.size(); ++c) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir / result.class_names[c]))
      if (!entry.is_directory()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      try {
        const io::Image image = io::read_image(file, options.width, options.height, mode, io::Interpolation::area_or_bilinear,
                                                 options.max_pixels);
        pixels.insert(pixels.end(), image.pixels.begin(), image.pixels.end());
        labels.push_back(static_cast<std::uint8_t>(c));
        result.files.push_back(file);
      } catch (const std::exception& e) {  // ImageError names the file; other errors get its name here
        const std::string what = e.what();
        result.unreadable.push_back({file, what.starts_with(file.string()) ? what : file.string() + ": " + what});
      }
    }
  }
  if (report && !result.unreadable.empty()) *report << "load_image_folder: " << dir.string() << ": " << result.unreadable_report();
  if (labels.empty())
    throw std::runtime_error(who + ": no readable image in " + std::to_string(result.class_names.size()) + " class folders" +
                             (result.unreadable.empty() ? "" : "; " + result.unreadable_report()));
  result.images = xt::xtensor<float, 4>::from_shape({labels.size(), options.height, options.width, channels});
  std::copy(pixels.begin(), pixels.end(), result.images.data());
  result.labels = xt::xtensor<std::uint8_t, 1>::from_shape({labels.size()});
  std::copy(labels.begin(), labels.end(), result.labels.begin());
  return result;
}

}  // namespace typenet::data
