#pragma once
// The definitions of data/image_folder.hpp (typenet/config.hpp says where they are compiled).
#include <algorithm>
#include <ostream>
#include <stdexcept>

#include "typenet/data/image_folder.hpp"
#include "typenet/io/image.hpp"

namespace typenet::data {

TYPENET_INLINE ImageFolder load_image_folder(const std::filesystem::path& dir, const ImageFolderOptions& options,
                                             std::ostream* report) {
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
