// Image files (io/image.hpp, io/decode_png.hpp, io/decode_jpeg.hpp, io/pnm.hpp): decoding each
// format to PIL's pixels, grayscale as PIL computes it, resizing with hand-worked values, how an
// image fills a model's input, and the errors for files that are not images or that lie: formats
// typenet refuses, truncated and damaged files, headers claiming more than the pixel limit.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <stb/stb_image_write.h>
#include <zlib.h>

#include "support/file_bytes.hpp"
#include "typenet/io/image.hpp"
#include "typenet/io/png.hpp"

namespace test_image {

namespace io = typenet::io;
namespace fs = std::filesystem;
using typenet::testing::read_bytes;
using typenet::testing::write_bytes;

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


std::span<const unsigned char> span_of(const std::string& s) {
  return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

// The error decode_image gives for a file's bytes (which must fail).
std::string decode_error(const std::string& file, const fs::path& name = "in/memory.img",
                         std::size_t max_pixels = io::default_max_image_pixels) {
  try {
    (void)io::decode_image(span_of(file), name, io::ColorMode::grayscale, max_pixels);
  } catch (const io::ImageError& e) {
    CHECK(e.path() == name);
    return e.what();
  }
  FAIL("decode_image accepted " << file.size() << " bytes");
  return {};
}

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string png_chunk(const std::string& type, const std::string& data) {
  const std::string body = type + data;
  return be32(static_cast<std::uint32_t>(data.size())) + body +
         be32(static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
}

// A PNG written by hand, so that every colour type, bit depth and interlacing can be tested and a
// header can lie. `scanlines` is the uncompressed image data: each row (or each row of each
// interlace pass) as a filter byte followed by the packed samples. `chunks` go before IDAT.
std::string png_file(std::uint32_t width, std::uint32_t height, int bit_depth, int colour_type, const std::string& scanlines,
                     const std::string& chunks = "", bool interlaced = false) {
  const std::string ihdr = be32(width) + be32(height) +
                           std::string{static_cast<char>(bit_depth), static_cast<char>(colour_type), 0, 0,
                                       static_cast<char>(interlaced ? 1 : 0)};
  std::string compressed(compressBound(static_cast<uLong>(scanlines.size())), '\0');
  uLongf size = static_cast<uLongf>(compressed.size());
  REQUIRE(compress(reinterpret_cast<Bytef*>(compressed.data()), &size, reinterpret_cast<const Bytef*>(scanlines.data()),
                   static_cast<uLong>(scanlines.size())) == Z_OK);
  compressed.resize(size);
  return "\x89PNG\r\n\x1a\n" + png_chunk("IHDR", ihdr) + chunks + png_chunk("IDAT", compressed) + png_chunk("IEND", "");
}

// Rows of packed samples, each with filter byte 0 (none).
std::string unfiltered(const std::vector<std::string>& rows) {
  std::string out;
  for (const auto& row : rows) out += '\0' + row;
  return out;
}

// `pixels` (8-bit gray, row-major) as Adam7's seven passes, each a small image of its own.
std::string adam7(std::size_t width, std::size_t height, const std::vector<std::uint8_t>& pixels) {
  const int x0[] = {0, 4, 0, 2, 0, 1, 0}, y0[] = {0, 0, 4, 0, 2, 0, 1}, dx[] = {8, 8, 4, 4, 2, 2, 1}, dy[] = {8, 8, 8, 4, 4, 2, 2};
  std::string out;
  for (int pass = 0; pass < 7; ++pass)
    for (std::size_t y = static_cast<std::size_t>(y0[pass]); y < height; y += static_cast<std::size_t>(dy[pass])) {
      std::string row;
      for (std::size_t x = static_cast<std::size_t>(x0[pass]); x < width; x += static_cast<std::size_t>(dx[pass]))
        row += static_cast<char>(pixels[y * width + x]);
      if (!row.empty()) out += '\0' + row;
    }
  return out;
}

const std::string formats = "readable formats are PNG, JPEG and binary PGM/PPM (P5/P6)";
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

TEST_CASE("PNG colour types, bit depths and interlacing decode to the samples PIL reads") {
  auto gray = [](const std::string& png) { return io::decode_image(span_of(png), "t.png").pixels; };
  auto rgb = [](const std::string& png) { return io::decode_image(span_of(png), "t.png", io::ColorMode::rgb).pixels; };
  const std::string palette = png_chunk("PLTE", std::string("\xff\0\0\0\xff\0\0\0\xff", 9));  // red, green, blue

  SUBCASE("8-bit palette: each index becomes its colour") {
    const std::string png = png_file(3, 1, 8, 3, unfiltered({{2, 0, 1}}), palette);
    CHECK(rgb(png) == scaled({0, 0, 255, 255, 0, 0, 0, 255, 0}));
    CHECK(gray(png) == scaled({29, 76, 150}));  // PIL's convert("L") of blue, red, green
    // With transparency (tRNS): the same colours, alpha ignored.
    const std::string trns = png_file(3, 1, 8, 3, unfiltered({{2, 0, 1}}), palette + png_chunk("tRNS", std::string("\x00\x80", 2)));
    CHECK(rgb(trns) == scaled({0, 0, 255, 255, 0, 0, 0, 255, 0}));
  }
  SUBCASE("2-bit palette, indices packed four to a byte") {
    // 0b00'01'10'01: indices 0, 1, 2, 1
    CHECK(rgb(png_file(4, 1, 2, 3, unfiltered({"\x19"}), palette)) == scaled({255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 255, 0}));
  }
  SUBCASE("1-bit and 4-bit gray widen to 8 bits") {
    CHECK(gray(png_file(8, 1, 1, 0, unfiltered({"\xb1"}))) == scaled({255, 0, 255, 255, 0, 0, 0, 255}));  // 0b10110001
    CHECK(gray(png_file(3, 1, 4, 0, unfiltered({"\x0f\x70"}))) == scaled({0, 255, 119}));  // 0 -> 0, 15 -> 255, 7 -> 119
  }
  SUBCASE("16-bit samples keep their high byte") {
    CHECK(gray(png_file(3, 1, 16, 0, unfiltered({std::string("\x12\x34\xff\x00\x00\xff", 6)}))) == scaled({0x12, 0xff, 0x00}));
    CHECK(rgb(png_file(1, 1, 16, 2, unfiltered({std::string("\xab\xcd\x01\x02\xff\xff", 6)}))) == scaled({0xab, 0x01, 0xff}));
    // 16-bit RGBA: alpha ignored.
    CHECK(rgb(png_file(1, 1, 16, 6, unfiltered({std::string("\x10\x00\x20\x00\x30\x00\x00\x00", 8)}))) ==
          scaled({0x10, 0x20, 0x30}));
  }
  SUBCASE("gray with a transparent level (tRNS) keeps its levels") {
    CHECK(gray(png_file(2, 1, 8, 0, unfiltered({{10, 20}}), png_chunk("tRNS", std::string("\0\x0a", 2)))) == scaled({10, 20}));
  }
  SUBCASE("interlaced (Adam7) gives the same pixels as the plain image") {
    const std::size_t w = 11, h = 9;
    std::vector<std::uint8_t> pixels(w * h);
    std::vector<std::string> rows(h);
    for (std::size_t y = 0; y < h; ++y)
      for (std::size_t x = 0; x < w; ++x) {
        pixels[y * w + x] = static_cast<std::uint8_t>(x * 29 + y * 7);
        rows[y] += static_cast<char>(pixels[y * w + x]);
      }
    const std::vector<float> plain = gray(png_file(w, h, 8, 0, unfiltered(rows)));
    CHECK(plain == scaled(std::vector<int>(pixels.begin(), pixels.end())));
    CHECK(gray(png_file(w, h, 8, 0, adam7(w, h, pixels), "", true)) == plain);
  }
}

TEST_CASE("JPEG decodes to PIL's pixels") {
  // tests/data/image/make_jpeg_golden.py wrote the files and what PIL decodes from them: a colour
  // image with 2x2-subsampled chroma, a progressive one and a grayscale one, 19 x 13 pixels.
  const fs::path dir = fs::path(TYPENET_TEST_DATA) / "image";
  std::istringstream golden(read_bytes(dir / "jpeg_golden.txt"));
  int checked = 0;
  for (std::string line; std::getline(golden, line);) {
    std::istringstream fields(line);
    std::string name, mode;
    std::size_t width = 0, height = 0;
    fields >> name >> mode >> width >> height;
    std::vector<int> values;
    for (int v; fields >> v;) values.push_back(v);
    CAPTURE(name);
    CAPTURE(mode);
    const io::Image image = io::read_image(dir / name, mode == "RGB" ? io::ColorMode::rgb : io::ColorMode::grayscale);
    CHECK(image.width == width);
    CHECK(image.height == height);
    CHECK(image.pixels == scaled(values));
    ++checked;
  }
  CHECK(checked == 6);

  // JPEG is lossy: a flat gray image stb_image_write encodes comes back within a level or two.
  std::string jpeg;
  const std::vector<std::uint8_t> flat(16 * 16, 128);
  REQUIRE(stbi_write_jpg_to_func(append, &jpeg, 16, 16, 1, flat.data(), 100));
  const io::Image image = io::decode_image(span_of(jpeg), "flat.jpg");
  CHECK(image.width == 16);
  for (float v : image.pixels) CHECK(std::abs(v * 255.0f - 128.0f) <= 2.0f);

  // CMYK (Adobe) files are refused, saying why.
  const fs::path cmyk = dir / "cmyk.jpg";
  CHECK(error_of(cmyk) == cmyk.string() +
                              ": a CMYK (Adobe) JPEG with 4 components; typenet reads grayscale and colour (YCbCr or RGB) JPEGs");
}

TEST_CASE("binary PGM and PPM files decode strictly") {
  ImageDir dir;
  write_bytes(dir / "p.pgm", std::string("P5\n# a comment\n3 2\n255\n") + std::string{'\0', '\x40', '\x80', '\xc0', '\xff', '\x01'});
  CHECK(io::read_image(dir / "p.pgm").pixels == scaled({0, 64, 128, 192, 255, 1}));
  const std::string ppm = std::string("P6 2 1 255\n") + std::string{'\xff', '\0', '\0', '\x0a', '\xc8', '\x1e'};
  CHECK(io::decode_image(span_of(ppm), "p.ppm", io::ColorMode::rgb).pixels == scaled({255, 0, 0, 10, 200, 30}));
  CHECK(io::decode_image(span_of(ppm), "p.ppm").pixels == scaled({76, 124}));

  SUBCASE("another maxval is scaled to 0..255 as PIL scales it") {
    // PIL 9.4 gives these (round(v / maxval * 255), ties to even): maxval 6, and maxval 1000 in two bytes.
    const std::string six = std::string("P5\n5 1\n6\n") + std::string{0, 1, 3, 5, 6};
    CHECK(io::decode_image(span_of(six), "six.pgm").pixels == scaled({0, 42, 128, 212, 255}));
    std::string wide = "P6\n2 1\n1000\n";
    for (int v : {0, 2, 500, 999, 1000, 7}) wide += std::string{static_cast<char>(v >> 8), static_cast<char>(v & 255)};
    CHECK(io::decode_image(span_of(wide), "wide.ppm", io::ColorMode::rgb).pixels == scaled({0, 1, 128, 255, 255, 2}));
  }
  SUBCASE("exactly width x height x channels samples, and a header that parses") {
    const std::string header = "P5\n3 2\n255\n", pixels = "abcdef";
    auto error = [](const std::string& file) { return decode_error(file, "bad.pgm"); };
    CHECK(error(header + pixels.substr(0, 5)) ==
          "bad.pgm: not a valid binary PGM: 3 x 2 pixels need 6 bytes after the header, the file has 5 (truncated)");
    CHECK(error(header + pixels + "g") ==
          "bad.pgm: not a valid binary PGM: 3 x 2 pixels need 6 bytes after the header, the file has 7 (trailing data)");
    CHECK(error("P5\n3 2\n100\n" + pixels) == "bad.pgm: not a valid binary PGM: sample 4 is 101, above maxval 100");
    CHECK(error("P5\n3 2\n0\n" + pixels) == "bad.pgm: not a valid binary PGM: the header's maxval is 0; it is 1 to 65535");
    CHECK(error("P5\n3 2\n65536\n" + pixels) == "bad.pgm: not a valid binary PGM: the header's maxval is 65536, above 65535");
    CHECK(error("P5\n3 2\n255") == "bad.pgm: not a valid binary PGM: no whitespace byte after the header's maxval");
    CHECK(error("P5\n3\n") == "bad.pgm: not a valid binary PGM: the header's height is missing (the file ends)");
    CHECK(error("P5 -3 2 255\n") == "bad.pgm: not a valid binary PGM: the header's width is missing");
    CHECK(error("P5\n12345678901 2\n255\n") == "bad.pgm: not a valid binary PGM: the header's width has more than 10 digits");
    CHECK(error("P5\n0 2\n255\n") == "bad.pgm: the PGM header claims 0 x 2 pixels; an image has at least 1 x 1");
  }
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
            ": not an image typenet can read (unrecognised first bytes 74 68 65 73 65 20 61 72); readable formats are PNG, "
            "JPEG and binary PGM/PPM (P5/P6)");
}

TEST_CASE("formats typenet does not read are refused by their first bytes, naming the file and the formats read") {
  CHECK(std::string(io::readable_image_formats) == "PNG, JPEG and binary PGM/PPM (P5/P6)");
  auto le16 = [](unsigned v) { return std::string{static_cast<char>(v & 255), static_cast<char>(v >> 8)}; };
  // The 74-byte TGA that claims 13743 x 13322 pixels (stb_image decoded it for 4.6 s into 1.4 GB).
  const std::string tga = std::string("\0\0\x02", 3) + std::string(9, '\0') + le16(13743) + le16(13322) + std::string("\x18\0", 2) +
                          std::string(56, '\x7f');
  REQUIRE(tga.size() == 74);
  std::string junk;
  std::uint32_t state = 12345;
  for (int i = 0; i < 200; ++i) junk += static_cast<char>((state = state * 1103515245u + 12345u) >> 24);
  junk[0] = '\x17';
  struct Case {
    std::string name, bytes, what;
  };
  const std::vector<Case> cases = {
      {"a.bmp", "BM" + std::string(60, '\0'), "a BMP file"},
      {"a.gif", "GIF89a\x01\x00\x01\x00\x80\x00\x00" + std::string(20, '\0'), "a GIF file"},
      {"a.tga", tga, "a TGA file, by its header"},
      {"a.tif", std::string("II*\0\x08\0\0\0", 8), "a TIFF file"},
      {"a.webp", std::string("RIFF\x10\0\0\0WEBPVP8 ", 16), "a WebP file"},
      {"a.hdr", "#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 1 +X 1\n\x80\x80\x80\x80", "a Radiance HDR file"},
      {"a.psd", "8BPS\0\x01" + std::string(20, '\0'), "a Photoshop PSD file"},
      {"a.pic", "\x53\x80\xf6\x34" + std::string(100, '\0'), "a Softimage PIC file"},
      {"ascii.pgm", "P2\n2 1\n255\n0 255\n", "a plain-text (ASCII) PGM/PPM (P2/P3)"},
      {"junk.png", junk, "unrecognised first bytes 17"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const std::string error = decode_error(c.bytes, c.name);
    CHECK(error.rfind(c.name + ": not an image typenet can read (" + c.what, 0) == 0);
    CHECK(error.ends_with("); " + formats));
  }
}

TEST_CASE("truncated and damaged files are errors, not images padded with zeros") {
  SUBCASE("a PNG cut anywhere before its last chunk (IEND, which holds no pixels)") {
    const std::string png = io::encode_gray_png(20, 20, std::vector<std::uint8_t>(400, 9));
    for (std::size_t cut = 1; cut < png.size() - 12; ++cut) {
      CAPTURE(cut);
      const std::string error = decode_error(png.substr(0, cut), "cut.png");
      if (cut >= 8) CHECK(error.rfind("cut.png: cannot decode the image (libpng: ", 0) == 0);
    }
    CHECK(decode_error(png.substr(0, png.size() / 2), "cut.png") ==
          "cut.png: cannot decode the image (libpng: the file ends early (truncated))");
    CHECK(io::decode_image(span_of(png), "whole.png").pixels.size() == 400);
  }
  SUBCASE("a PNG whose compressed data ends before the last row") {
    std::vector<std::string> rows(4, std::string(5, '\x33'));
    std::string scanlines = unfiltered(rows);
    scanlines.resize(scanlines.size() - 6);  // the last row missing, in a valid zlib stream
    CHECK(decode_error(png_file(5, 4, 8, 0, scanlines), "short.png") ==
          "short.png: cannot decode the image (libpng: Not enough image data)");
  }
  SUBCASE("a PNG with a damaged CRC") {
    std::string png = io::encode_gray_png(4, 4, std::vector<std::uint8_t>(16, 200));
    png[29] = static_cast<char>(png[29] ^ 1);  // IHDR's CRC
    CHECK(decode_error(png, "crc.png").find("cannot decode the image (libpng: IHDR: CRC error)") != std::string::npos);
  }
  SUBCASE("a JPEG cut anywhere before its end marker") {
    for (const char* name : {"colour_420.jpg", "colour_progressive.jpg"}) {
      const std::string jpeg = read_bytes(fs::path(TYPENET_TEST_DATA) / "image" / name);
      for (std::size_t cut = 1; cut < jpeg.size() - 2; ++cut) {
        CAPTURE(cut);
        (void)decode_error(jpeg.substr(0, cut), name);
      }
      CHECK(decode_error(jpeg.substr(0, jpeg.size() - 100), "cut.jpg") ==
            "cut.jpg: cannot decode the image (libjpeg: Premature end of JPEG file)");
    }
  }
  SUBCASE("JPEGs with bad Huffman tables: errors, no crash") {
    // 9 bytes: a Huffman table (DHT) whose code counts are cut off (stb_image wrote past an array).
    CHECK(decode_error(std::string("\xff\xd8\xff\xc4\x00\x13\x10\xff\xff", 9), "huff.jpg")
              .rfind("huff.jpg: cannot decode the image (libjpeg: ", 0) == 0);
    // Complete counts adding up to more codes than a table holds.
    const std::string bogus = std::string("\xff\xd8\xff\xc4\x00\x23\x10", 7) + std::string(16, '\xff') + std::string(16, '\x01');
    CHECK(decode_error(bogus, "bogus.jpg") == "bogus.jpg: cannot decode the image (libjpeg: Bogus Huffman table definition)");
  }
}

TEST_CASE("a header claiming more than max_pixels is refused before any decoding") {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  // A PNG header claiming 100000 x 100000 RGBA pixels, followed by a few rows' worth of data: the
  // limit speaks first (libpng's own limit is 10^6 per side).
  const std::string png = png_file(100000, 100000, 8, 6, unfiltered({std::string(16, '\0')}));
  CHECK(decode_error(png, "big.png") ==
        "big.png: the PNG header claims 100000 x 100000 pixels (10000000000), more than the limit of 67108864 "
        "(max_pixels); not decoded");
  // A PGM header claiming 70000 x 70000 pixels: refused for its size, before the missing bytes.
  CHECK(decode_error("P5\n70000 70000\n255\nabc", "big.pgm") ==
        "big.pgm: the PGM header claims 70000 x 70000 pixels (4900000000), more than the limit of 67108864 "
        "(max_pixels); not decoded");
  // A product that overflows 64 bits.
  CHECK(decode_error("P6\n4294967295 4294967295\n65535\n", "huge.ppm") ==
        "huge.ppm: the PPM header claims 4294967295 x 4294967295 pixels, more than the limit of 67108864 (max_pixels); "
        "not decoded");
  // A JPEG whose frame header (SOF) claims 60000 x 60000 pixels.
  std::string jpeg = read_bytes(fs::path(TYPENET_TEST_DATA) / "image" / "colour_420.jpg");
  const std::size_t sof = jpeg.find("\xff\xc0");
  REQUIRE(sof != std::string::npos);
  for (std::size_t i : {sof + 5, sof + 7}) {
    jpeg[i] = static_cast<char>(60000 >> 8);
    jpeg[i + 1] = static_cast<char>(60000 & 255);
  }
  CHECK(decode_error(jpeg, "big.jpg") ==
        "big.jpg: the JPEG header claims 60000 x 60000 pixels (3600000000), more than the limit of 67108864 "
        "(max_pixels); not decoded");
  // Refused from the header alone: no time, and no memory, spent on the claim.
  CHECK(clock::now() - start < std::chrono::milliseconds(500));

  SUBCASE("the limit is the caller's to set") {
    const std::string small = io::encode_gray_png(20, 20, std::vector<std::uint8_t>(400, 9));
    CHECK(decode_error(small, "small.png", 399) ==
          "small.png: the PNG header claims 20 x 20 pixels (400), more than the limit of 399 (max_pixels); not decoded");
    CHECK(io::decode_image(span_of(small), "small.png", io::ColorMode::grayscale, 400).width == 20);
    ImageDir dir;
    write_bytes(dir / "small.png", small);
    CHECK_THROWS_AS(io::read_image(dir / "small.png", io::ColorMode::rgb, 100), io::ImageError);
    CHECK_THROWS_AS(io::read_image(dir / "small.png", 10, 10, io::ColorMode::rgb, io::Interpolation::nearest, 100),
                    io::ImageError);
    CHECK(io::read_image(dir / "small.png", 10, 10).width == 10);
    CHECK(io::default_max_image_pixels == 64u * 1024 * 1024);
  }
}

}  // namespace test_image
