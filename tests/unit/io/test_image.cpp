// Image files (io/image.hpp): decoding each format, grayscale as PIL computes it, resizing with
// hand-worked values, how an image fills a model's input, and the errors for files that are not
// images.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <stb/stb_image_write.h>

#include "typenet/io/image.hpp"
#include "typenet/io/png.hpp"

namespace io = typenet::io;
namespace fs = std::filesystem;

namespace {

struct ImageDir {
  fs::path path;
  ImageDir() {
    static int counter = 0;
    path = fs::temp_directory_path() / ("typenet_image_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ImageDir() { fs::remove_all(path); }
  fs::path operator/(const std::string& name) const { return path / name; }
};

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void append(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

// A PNG of `channels` interleaved 8-bit channels per pixel.
std::string png_of(int width, int height, int channels, const std::vector<std::uint8_t>& pixels) {
  std::string png;
  REQUIRE(stbi_write_png_to_func(append, &png, width, height, channels, pixels.data(), width * channels));
  return png;
}

std::vector<float> scaled(const std::vector<int>& bytes) {
  std::vector<float> v;
  for (int b : bytes) v.push_back(static_cast<float>(b) / 255.0f);
  return v;
}

std::string error_of(const fs::path& p) {
  try {
    (void)io::read_image(p);
  } catch (const io::ImageError& e) {
    CHECK(e.path() == p);
    return e.what();
  }
  FAIL("read_image accepted " << p);
  return {};
}

void check_near(const std::vector<float>& got, const std::vector<float>& expected, float tolerance = 1e-6f) {
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(std::abs(got[i] - expected[i]) <= tolerance);
}

}  // namespace

TEST_CASE("a grayscale PNG decodes to its bytes / 255") {
  ImageDir dir;
  std::vector<std::uint8_t> pixels(5 * 3);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(i * 17);
  io::write_gray_png(dir / "g.png", 5, 3, pixels);
  const io::Image image = io::read_image(dir / "g.png");
  CHECK(image.width == 5);
  CHECK(image.height == 3);
  CHECK(image.channels == 1);
  for (std::size_t i = 0; i < pixels.size(); ++i) CHECK(image.pixels[i] == static_cast<float>(pixels[i]) / 255.0f);
  CHECK(image.at(2, 1) == static_cast<float>(pixels[11]) / 255.0f);  // row 2, column 1
}

TEST_CASE("colour becomes gray as PIL's convert(\"L\") makes it, alpha ignored") {
  // Golden values from tests/data/image/pil_grayscale.py.
  const std::vector<float> pil = scaled({76, 150, 29, 124, 255});
  const std::vector<std::uint8_t> rgb = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 200, 30, 255, 255, 255};
  std::vector<std::uint8_t> rgba;
  for (std::size_t i = 0; i < 5; ++i) {
    rgba.insert(rgba.end(), rgb.begin() + 3 * i, rgb.begin() + 3 * i + 3);
    rgba.push_back(static_cast<std::uint8_t>(40 * i));
  }
  const std::string rgb_png = png_of(5, 1, 3, rgb), rgba_png = png_of(5, 1, 4, rgba);
  auto bytes = [](const std::string& s) { return std::span(reinterpret_cast<const unsigned char*>(s.data()), s.size()); };
  CHECK(io::decode_image(bytes(rgb_png), "rgb.png").pixels == pil);
  CHECK(io::decode_image(bytes(rgba_png), "rgba.png").pixels == pil);

  SUBCASE("gray with alpha keeps the gray") {
    const std::string png = png_of(2, 1, 2, {10, 0, 200, 255});
    CHECK(io::decode_image(bytes(png), "ga.png").pixels == scaled({10, 200}));
  }
  SUBCASE("rgb mode keeps colours and repeats gray") {
    const io::Image colour = io::decode_image(bytes(rgb_png), "rgb.png", io::ColorMode::rgb);
    CHECK(colour.channels == 3);
    CHECK(colour.pixels == scaled({255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 200, 30, 255, 255, 255}));
    const std::string gray = png_of(2, 1, 1, {7, 90});
    CHECK(io::decode_image(bytes(gray), "g.png", io::ColorMode::rgb).pixels == scaled({7, 7, 7, 90, 90, 90}));
  }
}

TEST_CASE("binary PGM and JPEG files decode") {
  ImageDir dir;
  write_bytes(dir / "p.pgm", std::string("P5\n# a comment\n3 2\n255\n") + std::string{'\0', '\x40', '\x80', '\xc0', '\xff', '\x01'});
  CHECK(io::read_image(dir / "p.pgm").pixels == scaled({0, 64, 128, 192, 255, 1}));

  // JPEG is lossy: a flat gray image comes back within a level or two.
  std::string jpeg;
  const std::vector<std::uint8_t> flat(16 * 16, 128);
  REQUIRE(stbi_write_jpg_to_func(append, &jpeg, 16, 16, 1, flat.data(), 100));
  write_bytes(dir / "flat.jpg", jpeg);
  const io::Image image = io::read_image(dir / "flat.jpg");
  CHECK(image.width == 16);
  for (float v : image.pixels) CHECK(std::abs(v * 255.0f - 128.0f) <= 2.0f);
}

TEST_CASE("shrinking averages over each output pixel's area") {
  SUBCASE("3 -> 2: each output pixel covers one and a half input pixels") {
    const io::Image row{3, 1, 1, {0.0f, 0.5f, 1.0f}};
    // (0 * 1 + 0.5 * 0.5) / 1.5 and (0.5 * 0.5 + 1 * 1) / 1.5
    check_near(io::resize_image(row, 2, 1).pixels, {1.0f / 6, 5.0f / 6});
  }
  SUBCASE("4x4 -> 2x2: the mean of each 2x2 block") {
    const io::Image square{4, 4, 1, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}};
    check_near(io::resize_image(square, 2, 2).pixels, {2.5f, 4.5f, 10.5f, 12.5f});
  }
  SUBCASE("56x56 -> 28x28 for an MNIST-sized input") {
    io::Image big{56, 56, 1, std::vector<float>(56 * 56)};
    for (std::size_t i = 0; i < big.pixels.size(); ++i) big.pixels[i] = static_cast<float>((i * 37) % 101) / 100.0f;
    const io::Image small = io::resize_image(big, 28, 28);
    for (std::size_t r = 0; r < 28; r += 5)
      for (std::size_t c = 0; c < 28; c += 3) {
        const float mean = (big.at(2 * r, 2 * c) + big.at(2 * r, 2 * c + 1) + big.at(2 * r + 1, 2 * c) +
                            big.at(2 * r + 1, 2 * c + 1)) / 4;
        CHECK(small.at(r, c) == doctest::Approx(mean).epsilon(1e-5));
      }
  }
}

TEST_CASE("growing interpolates bilinearly between pixel centres") {
  const io::Image row{2, 1, 1, {0.0f, 1.0f}};
  // Output centres fall at input positions -0.25 (clamped), 0.25, 0.75 and 1.25 (clamped).
  check_near(io::resize_image(row, 4, 1).pixels, {0.0f, 0.25f, 0.75f, 1.0f});
  // Each axis on its own: 2x1 -> 4x2 repeats the interpolated row.
  check_near(io::resize_image(row, 4, 2).pixels, {0.0f, 0.25f, 0.75f, 1.0f, 0.0f, 0.25f, 0.75f, 1.0f});
}

TEST_CASE("resizing keeps a flat image flat, keeps channels apart, and refuses empty sizes") {
  const io::Image flat{37, 23, 1, std::vector<float>(37 * 23, 0.3f)};
  for (const auto& [w, h] : {std::pair{28, 28}, {100, 7}, {5, 60}})
    for (float v : io::resize_image(flat, w, h).pixels) CHECK(v == doctest::Approx(0.3f).epsilon(1e-5));
  const io::Image colour{2, 1, 3, {1, 0, 0.5f, 0, 1, 0.5f}};
  check_near(io::resize_image(colour, 1, 1).pixels, {0.5f, 0.5f, 0.5f});
  CHECK_THROWS_AS(io::resize_image(flat, 0, 3), std::invalid_argument);
}

TEST_CASE("nearest picks the input pixel under each output centre, as PIL's NEAREST") {
  const io::Image row{4, 1, 1, {0, 1, 2, 3}};
  CHECK(io::resize_image(row, 2, 1, io::Interpolation::nearest).pixels == std::vector<float>{1, 3});
  CHECK(io::resize_image(row, 8, 1, io::Interpolation::nearest).pixels == std::vector<float>{0, 0, 1, 1, 2, 2, 3, 3});
  CHECK(io::resize_image(row, 3, 1, io::Interpolation::nearest).pixels == std::vector<float>{0, 2, 3});
}

TEST_CASE("an image fills a model's input") {
  auto layout = [](std::vector<std::size_t> dims) { return io::image_layout_for_input(dims); };
  CHECK(layout({784}).height == 28);
  CHECK(layout({784}).width == 28);
  CHECK(layout({28, 28, 1}).mode == io::ColorMode::grayscale);
  CHECK(layout({64, 32, 3}).mode == io::ColorMode::rgb);
  CHECK(layout({64, 32, 3}).width == 32);
  CHECK(layout({10, 20}).height == 10);
  CHECK_THROWS_WITH_AS(layout({10}), "an input of shape (10) is not a square image; cannot feed it an image",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(layout({5, 5, 2}),
                       "an input of shape (5, 5, 2) is not an image; images fill (side*side), (height, width) or "
                       "(height, width, 1 or 3)",
                       std::invalid_argument);

  ImageDir dir;
  std::vector<std::uint8_t> pixels(56 * 56);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = (i / 56 / 2 + i % 56 / 2) % 2 ? 255 : 0;  // 2x2 checks
  io::write_gray_png(dir / "checks.png", 56, 56, pixels);
  const std::vector<float> input = io::read_image_as_input(dir / "checks.png", std::vector<std::size_t>{784});
  REQUIRE(input.size() == 784);
  for (std::size_t i = 0; i < 784; ++i) CHECK(input[i] == ((i / 28 + i % 28) % 2 ? 1.0f : 0.0f));
}

TEST_CASE("files that are not images get an error naming the file and what is wrong") {
  ImageDir dir;
  CHECK(error_of(dir / "missing.png") == (dir / "missing.png").string() + ": cannot open: No such file or directory");
  CHECK(error_of(dir.path) == dir.path.string() + ": is a folder, not an image file");
  write_bytes(dir / "empty.png", "");
  CHECK(error_of(dir / "empty.png") == (dir / "empty.png").string() + ": the file is empty, not an image");
  write_bytes(dir / "notes.txt", "these are not pixels\n");
  CHECK(error_of(dir / "notes.txt") ==
        (dir / "notes.txt").string() +
            ": not an image typenet can read (stb_image: unknown image type); readable formats are PNG, JPEG, BMP, GIF, "
            "TGA and binary PGM/PPM (P5/P6)");
  // An ASCII PGM is a format stb_image does not read.
  write_bytes(dir / "ascii.pgm", "P2\n2 1\n255\n0 255\n");
  CHECK(error_of(dir / "ascii.pgm").find("not an image typenet can read") != std::string::npos);

  // A PNG cut short: recognised as a PNG, but its pixels are missing.
  const std::string png = io::encode_gray_png(20, 20, std::vector<std::uint8_t>(400, 9));
  write_bytes(dir / "cut.png", png.substr(0, png.size() / 2));
  const std::string cut = error_of(dir / "cut.png");
  CHECK(cut.rfind((dir / "cut.png").string() + ": cannot decode the image (stb_image: ", 0) == 0);
}
