// load_image_folder on a folder of PNG files this test writes: classes from the sorted
// sub-folders, pixel values after grayscale conversion and resizing, and files that cannot be
// decoded reported with the reason instead of stopping the load or vanishing.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <stb/stb_image_write.h>

#include "typenet/data/image_folder.hpp"
#include "typenet/io/png.hpp"

namespace test_image_folder {

namespace fs = std::filesystem;
using doctest::Approx;

namespace {

void write_uniform_gray(const fs::path& path, std::size_t side, std::uint8_t value) {
  typenet::io::write_gray_png(path, side, side, std::vector<std::uint8_t>(side * side, value));
}

fs::path fresh_folder(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("typenet_test_image_folder_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("load_image_folder reads one sub-folder per class, in sorted order, resized and grayscale") {
  const fs::path dir = fresh_folder("kaggle");
  fs::create_directories(dir / "PNEUMONIA");
  fs::create_directories(dir / "NORMAL");
  write_uniform_gray(dir / "NORMAL" / "b.png", 8, 51);   // 0.2
  write_uniform_gray(dir / "NORMAL" / "a.png", 4, 255);  // 1.0; both are shrunk to 2x2 by area averaging
  // An RGB pixel block of pure red: PIL's L = (19595 * 255 + 2^15) >> 16 = 76.
  std::vector<std::uint8_t> red(6 * 6 * 3, 0);
  for (std::size_t i = 0; i < red.size(); i += 3) red[i] = 255;
  REQUIRE(stbi_write_png((dir / "PNEUMONIA" / "red.png").c_str(), 6, 6, 3, red.data(), 18) != 0);
  // A 2x2 image with a gradient, kept at 2x2: the values come through unchanged.
  typenet::io::write_gray_png(dir / "PNEUMONIA" / "x.png", 2, 2, std::vector<std::uint8_t>{0, 85, 170, 255});

  std::ostringstream report;
  const auto folder = typenet::data::load_image_folder(dir, {.height = 2, .width = 2}, &report);
  CHECK(report.str().empty());
  CHECK(folder.unreadable.empty());
  CHECK(folder.class_names == std::vector<std::string>{"NORMAL", "PNEUMONIA"});
  REQUIRE(folder.images.shape() == std::array<std::size_t, 4>{4, 2, 2, 1});
  CHECK(std::vector<int>(folder.labels.begin(), folder.labels.end()) == std::vector<int>{0, 0, 1, 1});
  CHECK(folder.files[0].filename() == "a.png");  // sorted within the class
  CHECK(folder.images(0, 1, 1, 0) == Approx(1.0f));
  CHECK(folder.images(1, 0, 0, 0) == Approx(0.2f));
  CHECK(folder.images(2, 0, 1, 0) == Approx(76.0f / 255.0f));
  CHECK(folder.images(3, 0, 1, 0) == Approx(85.0f / 255.0f));
  CHECK(folder.images(3, 1, 0, 0) == Approx(170.0f / 255.0f));

  // RGB keeps the channels.
  const auto rgb = typenet::data::load_image_folder(dir, {.height = 3, .width = 3, .grayscale = false});
  REQUIRE(rgb.images.shape() == std::array<std::size_t, 4>{4, 3, 3, 3});
  CHECK(rgb.images(2, 1, 1, 0) == Approx(1.0f));
  CHECK(rgb.images(2, 1, 1, 1) == Approx(0.0f));
}

TEST_CASE("load_image_folder reports the files it cannot decode, with the reason, at the end") {
  const fs::path dir = fresh_folder("broken");
  fs::create_directories(dir / "normal");
  fs::create_directories(dir / "pneumonia");
  write_uniform_gray(dir / "normal" / "ok.png", 4, 0);
  std::ofstream(dir / "normal" / "notes.txt") << "not an image";
  write_uniform_gray(dir / "pneumonia" / "ok.png", 4, 255);
  {  // a PNG cut short: its header promises pixels that are not there
    const std::string png = typenet::io::encode_gray_png(16, 16, std::vector<std::uint8_t>(256, 7));
    std::ofstream(dir / "pneumonia" / "truncated.png", std::ios::binary) << png.substr(0, 40);
  }
  std::ofstream(dir / "stray.txt") << "files next to the class folders are not classes";

  std::ostringstream report;
  const auto folder = typenet::data::load_image_folder(dir, {.height = 4, .width = 4}, &report);
  CHECK(folder.images.shape()[0] == 2);
  CHECK(std::vector<int>(folder.labels.begin(), folder.labels.end()) == std::vector<int>{0, 1});
  REQUIRE(folder.unreadable.size() == 2);
  CHECK(folder.unreadable[0].path == dir / "normal" / "notes.txt");
  CHECK(folder.unreadable[0].reason.find((dir / "normal" / "notes.txt").string() + ": not an image") == 0);
  CHECK(folder.unreadable[1].path == dir / "pneumonia" / "truncated.png");
  CHECK(folder.unreadable[1].reason.find("truncated.png: cannot decode the image") != std::string::npos);
  const std::string text = report.str();
  CHECK(text.find("2 files could not be read and are left out:\n") != std::string::npos);
  CHECK(text.find("notes.txt: not an image") != std::string::npos);
  CHECK(text.find("truncated.png: cannot decode") != std::string::npos);
}

TEST_CASE("load_image_folder refuses folders it cannot make a data set of") {
  const fs::path empty = fresh_folder("empty");
  CHECK_THROWS_WITH_AS(typenet::data::load_image_folder(empty, {.height = 2, .width = 2}),
                       ("load_image_folder: " + empty.string() +
                        ": no class sub-folders (expected one folder per class, e.g. NORMAL/ and PNEUMONIA/)").c_str(),
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(typenet::data::load_image_folder(empty / "absent", {.height = 2, .width = 2}),
                       ("load_image_folder: " + (empty / "absent").string() + ": not a folder").c_str(), std::runtime_error);
  fs::create_directories(empty / "a");
  std::ofstream(empty / "a" / "x.png") << "garbage";
  const auto unreadable_only = [&] { typenet::data::load_image_folder(empty, {.height = 2, .width = 2}); };
  CHECK_THROWS_WITH_AS(unreadable_only(), doctest::Contains("no readable image in 1 class folders; 1 file could not be read"),
                       std::runtime_error);
  CHECK_THROWS_AS(typenet::data::load_image_folder(empty, {.height = 0, .width = 2}), std::invalid_argument);
}

TEST_CASE("load_image_folder leaves out images with more pixels than max_pixels") {
  const fs::path dir = fresh_folder("limit");
  fs::create_directories(dir / "a");
  write_uniform_gray(dir / "a" / "small.png", 4, 10);  // 16 pixels
  write_uniform_gray(dir / "a" / "large.png", 8, 20);  // 64 pixels
  const auto folder = typenet::data::load_image_folder(dir, {.height = 2, .width = 2, .max_pixels = 16});
  CHECK(folder.images.shape()[0] == 1);
  REQUIRE(folder.unreadable.size() == 1);
  CHECK(folder.unreadable[0].path == dir / "a" / "large.png");
  CHECK(folder.unreadable[0].reason ==
        (dir / "a" / "large.png").string() +
            ": the PNG header claims 8 x 8 pixels (64), more than the limit of 16 (max_pixels); not decoded");
  CHECK(typenet::data::ImageFolderOptions{}.max_pixels == typenet::io::default_max_image_pixels);
}

}  // namespace test_image_folder
