// HOG against scikit-image: golden values (tests/data/hog/golden.txt, written by make_golden.py
// next to it with Debian's python3-skimage) to 1e-5 through every entry point (hog, hog_batch,
// the Hog layer inside a Model), output lengths, bad inputs, the visualisation and its PNG, the
// layer's input gradient by finite differences, and fit's once-per-data-set fixed prefix.
#include <doctest/doctest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "support/random_arrays.hpp"
#include "typenet/features/hog.hpp"
#include "typenet/features/hog_visualization.hpp"
#include "typenet/io/decode_png.hpp"
#include "typenet/io/png.hpp"
#include "typenet/layers/hog.hpp"
#include "typenet/typenet.hpp"

namespace test_hog {

namespace tn = typenet;
namespace tf = typenet::features;
namespace fs = std::filesystem;

namespace {

constexpr double golden_tolerance = 1e-5;  // issue 3: "compared to 1e-5"

// ---- The golden file ---------------------------------------------------------------------------

struct GoldenImage {
  std::string name;
  std::size_t rows = 0, cols = 0;
  xt::xtensor<float, 2> pixels;
};

struct GoldenHog {
  std::string image;
  tf::HogOptions options;
  std::vector<float> values;
};

struct GoldenPicture {
  std::string image;
  std::size_t orientations = 0, pixels_per_cell = 0;
  std::vector<float> values;
};

struct Golden {
  std::vector<GoldenImage> images;
  std::vector<GoldenHog> hogs;
  std::vector<GoldenPicture> pictures;

  const GoldenImage& image(const std::string& name) const {
    for (const auto& i : images)
      if (i.name == name) return i;
    throw std::runtime_error("golden.txt has no image '" + name + "'");
  }
};

tf::BlockNorm parse_norm(const std::string& name, const std::string& where) {
  for (tf::BlockNorm norm : {tf::L1, tf::L1Sqrt, tf::L2, tf::L2Hys})
    if (tf::name_of(norm) == name) return norm;
  throw std::runtime_error(where + ": unknown block norm '" + name + "'; expected L1, L1-sqrt, L2 or L2-Hys");
}

// Two lines per record: a header, then its values. Errors name the file and line.
Golden load_golden(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path.string() + ": cannot open (made by make_golden.py next to it)");
  Golden golden;
  std::string header;
  std::size_t line_number = 0;
  auto read_values = [&](std::size_t count, const std::string& what) {
    std::string line;
    ++line_number;
    const std::string where = path.string() + ":" + std::to_string(line_number);
    if (!std::getline(in, line)) throw std::runtime_error(where + ": the file ends; expected the values of " + what);
    std::vector<float> values;
    values.reserve(count);
    std::istringstream numbers(line);
    std::string token;
    while (numbers >> token) {
      char* end = nullptr;
      values.push_back(std::strtof(token.c_str(), &end));
      if (*end != '\0') throw std::runtime_error(where + ": '" + token + "' is not a number");
    }
    if (values.size() != count)
      throw std::runtime_error(where + ": " + std::to_string(values.size()) + " values for " + what + ", expected " +
                               std::to_string(count));
    return values;
  };
  while (std::getline(in, header)) {
    ++line_number;
    const std::string where = path.string() + ":" + std::to_string(line_number);
    if (header.empty() || header[0] == '#') continue;
    std::istringstream fields(header);
    std::string kind;
    fields >> kind;
    if (kind == "image") {
      GoldenImage image;
      fields >> image.name >> image.rows >> image.cols;
      if (!fields) throw std::runtime_error(where + ": expected 'image <name> <rows> <cols>'");
      const auto pixels = read_values(image.rows * image.cols, "image " + image.name);
      image.pixels = xt::xtensor<float, 2>::from_shape({image.rows, image.cols});
      std::copy(pixels.begin(), pixels.end(), image.pixels.begin());
      golden.images.push_back(std::move(image));
    } else if (kind == "hog") {
      GoldenHog hog;
      std::string norm;
      std::size_t count = 0;
      fields >> hog.image >> hog.options.orientations >> hog.options.pixels_per_cell >> hog.options.cells_per_block >>
          norm >> count;
      if (!fields) throw std::runtime_error(where + ": expected 'hog <image> <n> <p> <b> <norm> <count>'");
      hog.options.block_norm = parse_norm(norm, where);
      hog.values = read_values(count, header);
      golden.hogs.push_back(std::move(hog));
    } else if (kind == "visualization") {
      GoldenPicture picture;
      std::size_t count = 0;
      fields >> picture.image >> picture.orientations >> picture.pixels_per_cell >> count;
      if (!fields) throw std::runtime_error(where + ": expected 'visualization <image> <n> <p> <count>'");
      picture.values = read_values(count, header);
      golden.pictures.push_back(std::move(picture));
    } else {
      throw std::runtime_error(where + ": unknown record '" + kind + "'; expected image, hog or visualization");
    }
  }
  return golden;
}

const Golden& golden() {
  static const Golden g = load_golden(fs::path(TYPENET_TEST_DATA) / "hog" / "golden.txt");
  return g;
}

template <class A, class B>
double max_difference(const A& got, const B& expected) {
  REQUIRE(got.size() == expected.size());
  double worst = 0.0;
  auto g = got.begin();
  for (auto e = expected.begin(); e != expected.end(); ++e, ++g)
    worst = std::max(worst, std::abs(static_cast<double>(*g) - static_cast<double>(*e)));
  return worst;
}

std::string describe(const GoldenHog& h) {
  return h.image + " with orientations " + std::to_string(h.options.orientations) + ", pixels_per_cell " +
         std::to_string(h.options.pixels_per_cell) + ", cells_per_block " + std::to_string(h.options.cells_per_block) +
         ", " + std::string(tf::name_of(h.options.block_norm));
}

// The golden 28x28 images as one (N, 28, 28) data set, and which golden record each row is.
struct Stack {
  xt::xtensor<float, 3> images;
  std::vector<const GoldenHog*> records;
};

Stack stack_28x28(std::size_t n, std::size_t p, std::size_t b, tf::BlockNorm norm) {
  std::vector<const GoldenHog*> records;
  for (const auto& h : golden().hogs) {
    const auto& o = h.options;
    if (o.orientations == n && o.pixels_per_cell == p && o.cells_per_block == b && o.block_norm == norm &&
        golden().image(h.image).rows == 28 && golden().image(h.image).cols == 28)
      records.push_back(&h);
  }
  Stack s{xt::xtensor<float, 3>::from_shape({records.size(), 28, 28}), records};
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& pixels = golden().image(records[i]->image).pixels;
    std::copy(pixels.begin(), pixels.end(), s.images.begin() + static_cast<std::ptrdiff_t>(i * 784));
  }
  return s;
}

// Checks a Model whose network is Input<28, 28, 1> then one Hog layer against the golden records.
template <std::size_t N, std::size_t P, std::size_t B, tf::BlockNorm Norm>
void check_layer_against_golden() {
  using Net = tn::Sequential<tn::Input<28, 28, 1>, tn::Hog<N, P, B, Norm>>;
  const Stack s = stack_28x28(N, P, B, Norm);
  REQUIRE(s.records.size() >= 3);
  tn::Model<Net> model;
  const auto features = model.predict(s.images, 4);  // batches of 4: rows past the first batch too
  REQUIRE(features.shape()[1] == Net::output_shape::size);
  for (std::size_t i = 0; i < s.records.size(); ++i) {
    INFO("the Hog layer on " << describe(*s.records[i]));
    const std::vector<float> row(features.data() + i * features.shape()[1], features.data() + (i + 1) * features.shape()[1]);
    CHECK(max_difference(row, s.records[i]->values) <= golden_tolerance);
  }
}

}  // namespace

// ---- Golden values ----------------------------------------------------------------------------

TEST_CASE("hog matches scikit-image on every fixture to 1e-5") {
  REQUIRE(golden().hogs.size() >= 50);  // make_golden.py writes 57; an empty file must not pass
  for (const auto& h : golden().hogs) {
    INFO(describe(h));
    const auto features = tf::hog(golden().image(h.image).pixels, h.options);
    CHECK(features.size() == h.values.size());
    CHECK(max_difference(features, h.values) <= golden_tolerance);
  }
}

TEST_CASE("hog_batch gives every image's golden row") {
  for (auto [n, p] : {std::pair<std::size_t, std::size_t>{8, 4}, {16, 4}, {8, 7}}) {
    const Stack s = stack_28x28(n, p, 1, tf::L2Hys);
    REQUIRE(s.records.size() >= 9);
    const auto features = tf::hog_batch(s.images, {.orientations = n, .pixels_per_cell = p, .cells_per_block = 1},
                                        {.verbose = 0});
    for (std::size_t i = 0; i < s.records.size(); ++i) {
      INFO("hog_batch row " << i << ": " << describe(*s.records[i]));
      const std::vector<float> row(features.data() + i * features.shape()[1],
                                   features.data() + (i + 1) * features.shape()[1]);
      CHECK(max_difference(row, s.records[i]->values) <= golden_tolerance);
    }
  }
}

TEST_CASE("the Hog layer gives the golden values, with every block norm") {
  check_layer_against_golden<8, 4, 1, tf::L2Hys>();
  check_layer_against_golden<16, 4, 1, tf::L2Hys>();
  check_layer_against_golden<8, 7, 1, tf::L2Hys>();
  check_layer_against_golden<9, 4, 2, tf::L1>();
  check_layer_against_golden<9, 4, 2, tf::L1Sqrt>();
  check_layer_against_golden<9, 4, 2, tf::L2>();
  check_layer_against_golden<9, 4, 2, tf::L2Hys>();
  check_layer_against_golden<6, 5, 3, tf::L2Hys>();
}

TEST_CASE("a constant image has no gradient: every feature is 0") {
  const xt::xtensor<float, 2> flat = xt::ones<float>({28, 28}) * 0.5f;
  for (tf::BlockNorm norm : {tf::L1, tf::L1Sqrt, tf::L2, tf::L2Hys}) {
    const auto features = tf::hog(flat, {.orientations = 8, .pixels_per_cell = 4, .cells_per_block = 2, .block_norm = norm});
    CHECK(features.size() == 6 * 6 * 4 * 8);
    CHECK(std::all_of(features.begin(), features.end(), [](float v) { return v == 0.0f; }));
  }
}

TEST_CASE("gradients on a bin edge go to the bin that starts there, as in scikit-image") {
  // A diagonal ramp's gradients are at exactly 45 degrees, a vertical ramp's at 90: with 8 bins of
  // 22.5 degrees those are the first values of bins 2 and 4. Inside the image every cell has its
  // whole mass in that bin, which L2-Hys turns into 1 (0.2 after clipping, renormalised).
  const auto& diagonal = golden().image("diagonal").pixels;
  const auto& vertical = golden().image("ramp_vertical").pixels;
  const tf::HogOptions lab{.orientations = 8, .pixels_per_cell = 4, .cells_per_block = 1};
  const auto d = tf::hog(diagonal, lab), v = tf::hog(vertical, lab);
  const std::size_t cell = (3 * 7 + 3) * 8;  // the cell in the middle
  for (std::size_t o = 0; o < 8; ++o) {
    CHECK(d[cell + o] == doctest::Approx(o == 2 ? 1.0 : 0.0).epsilon(1e-4));
    CHECK(v[cell + o] == doctest::Approx(o == 4 ? 1.0 : 0.0).epsilon(1e-4));
  }
}

TEST_CASE("hog_visualization matches scikit-image's visualize=True picture") {
  REQUIRE(golden().pictures.size() >= 10);
  for (const auto& picture : golden().pictures) {
    INFO(picture.image << " with orientations " << picture.orientations << ", pixels_per_cell " << picture.pixels_per_cell);
    const auto got = tf::hog_visualization(golden().image(picture.image).pixels,
                                           {.orientations = picture.orientations,
                                            .pixels_per_cell = picture.pixels_per_cell,
                                            .cells_per_block = 1});
    CHECK(max_difference(got, picture.values) <= golden_tolerance);
  }
}

// ---- Shapes and lengths ------------------------------------------------------------------------

template <std::size_t N, std::size_t P, std::size_t B = 1>
using HogOf28 = typename tn::Sequential<tn::Input<28, 28, 1>, tn::Hog<N, P, B>>::output_shape;

// The lab's hog_size = 28*28*n/(p*p) for every (n, p) it mentions, and blocks of 2 and 3 cells.
static_assert(std::is_same_v<HogOf28<8, 4>, tn::Shape<392>>);
static_assert(std::is_same_v<HogOf28<16, 4>, tn::Shape<784>>);
static_assert(std::is_same_v<HogOf28<8, 7>, tn::Shape<128>>);
static_assert(std::is_same_v<HogOf28<8, 2>, tn::Shape<1568>>);
static_assert(std::is_same_v<HogOf28<8, 14>, tn::Shape<32>>);
static_assert(std::is_same_v<HogOf28<9, 4, 2>, tn::Shape<6 * 6 * 2 * 2 * 9>>);
static_assert(std::is_same_v<HogOf28<9, 8, 3>, tn::Shape<81>>);  // scikit-image's defaults: one block
static_assert(std::is_same_v<HogOf28<8, 5>, tn::Shape<5 * 5 * 8>>);  // 3 pixels left over per axis
static_assert(std::is_same_v<tn::Sequential<tn::Input<28, 28>, tn::Hog<8, 4>>::output_shape, tn::Shape<392>>);
static_assert(tn::Sequential<tn::Input<28, 28, 1>, tn::Hog<8, 4>, tn::Dense<64, tn::ReLU>, tn::Dropout<0.5>,
                             tn::Dense<10, tn::Softmax>>::param_count == 25802);

TEST_CASE("output length for every (orientations, pixels_per_cell, cells_per_block) the lab mentions") {
  for (std::size_t n : {4, 8, 9, 16})
    for (std::size_t p : {2, 4, 7, 14}) {
      INFO("orientations " << n << ", pixels_per_cell " << p);
      const std::size_t lab_hog_size = 28 * 28 * n / (p * p);
      CHECK(tf::hog_feature_count(28, 28, {.orientations = n, .pixels_per_cell = p, .cells_per_block = 1}) == lab_hog_size);
      const xt::xtensor<float, 2> image = xt::zeros<float>({28, 28});
      CHECK(tf::hog(image, {.orientations = n, .pixels_per_cell = p, .cells_per_block = 1}).size() == lab_hog_size);
    }
  CHECK(tf::hog_feature_count(28, 28, {.orientations = 8, .pixels_per_cell = 4, .cells_per_block = 2}) == 6 * 6 * 4 * 8);
  CHECK(tf::hog_feature_count(28, 28, {.orientations = 8, .pixels_per_cell = 4, .cells_per_block = 8}) == 0);
}

// ---- Bad inputs -------------------------------------------------------------------------------

TEST_CASE("bad inputs are refused with what was expected") {
  const xt::xtensor<float, 2> image = xt::zeros<float>({28, 28});
  const tf::HogOptions lab{.orientations = 8, .pixels_per_cell = 4, .cells_per_block = 1};
  auto with = [&](auto change) {
    tf::HogOptions o = lab;
    change(o);
    return o;
  };
  CHECK_THROWS_WITH_AS(tf::hog(image, with([](auto& o) { o.orientations = 0; })),
                       "hog: orientations must be at least 1, got 0", std::invalid_argument);
  CHECK_THROWS_WITH_AS(tf::hog(image, with([](auto& o) { o.pixels_per_cell = 0; })),
                       "hog: pixels_per_cell must be at least 1, got 0", std::invalid_argument);
  CHECK_THROWS_WITH_AS(tf::hog(image, with([](auto& o) { o.cells_per_block = 0; })),
                       "hog: cells_per_block must be at least 1, got 0", std::invalid_argument);
  CHECK_THROWS_WITH_AS(tf::hog(image, with([](auto& o) { o.pixels_per_cell = 32; })),
                       "hog: a 28x28 image holds 0x0 cells of 32x32 pixels, less than one block of 1x1 cells; it "
                       "needs at least 32 rows and 32 columns",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(tf::hog(image, with([](auto& o) { o.cells_per_block = 8; })),
                       "hog: a 28x28 image holds 7x7 cells of 4x4 pixels, less than one block of 8x8 cells; it "
                       "needs at least 32 rows and 32 columns",
                       std::invalid_argument);

  const xt::xtensor<float, 2> empty = xt::zeros<float>({0, 28});
  CHECK_THROWS_WITH_AS(tf::hog(empty, lab),
                       "hog: the image is empty (shape (0, 28)); expected one grayscale image (rows, cols) or (rows, cols, 1)",
                       std::invalid_argument);
  const xt::xtensor<float, 3> color = xt::zeros<float>({28, 28, 3});
  CHECK_THROWS_WITH_AS(tf::hog(color, lab),
                       "hog: expected one grayscale image (rows, cols) or (rows, cols, 1), got shape (28, 28, 3)",
                       std::invalid_argument);
  xt::xtensor<float, 2> broken = image;
  broken(3, 5) = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH_AS(tf::hog(broken, lab), "hog: pixel (3, 5) is nan; HOG needs finite pixel values",
                       std::invalid_argument);

  xt::xtensor<float, 3> batch = xt::zeros<float>({4, 28, 28});
  batch(2, 27, 0) = std::numeric_limits<float>::infinity();
  CHECK_THROWS_WITH_AS(tf::hog_batch(batch, lab, {.verbose = 0}),
                       "hog_batch: image 2: pixel (27, 0) is inf; HOG needs finite pixel values", std::invalid_argument);
  const xt::xtensor<float, 2> rows = xt::zeros<float>({4, 784});
  CHECK_THROWS_WITH_AS(tf::hog_batch(rows, lab, {.verbose = 0}),
                       "hog_batch: expected grayscale images (N, rows, cols) or (N, rows, cols, 1), got shape (4, 784)",
                       std::invalid_argument);
  const xt::xtensor<float, 3> none = xt::zeros<float>({0, 28, 28});
  CHECK_THROWS_WITH_AS(tf::hog_batch(none, lab, {.verbose = 0}), "hog_batch: there are no images (shape (0, 28, 28))",
                       std::invalid_argument);
}

TEST_CASE("hog_batch accepts (N, rows, cols, 1) and reports its progress like fit") {
  const Stack s = stack_28x28(8, 4, 1, tf::L2Hys);
  xt::xtensor<float, 4> channels = xt::xtensor<float, 4>::from_shape({s.images.shape()[0], 28, 28, 1});
  std::copy(s.images.begin(), s.images.end(), channels.begin());
  std::ostringstream log;
  const auto features = tf::hog_batch(channels, {.orientations = 8, .pixels_per_cell = 4, .cells_per_block = 1},
                                      {.verbose = 1, .out = &log});
  CHECK(max_difference(std::vector<float>(features.begin(), features.begin() + 392), s.records[0]->values) <=
        golden_tolerance);
  const std::string total = std::to_string(s.images.shape()[0]);
  CHECK(log.str().rfind(total + "/" + total + " [==============================] - ", 0) == 0);
}

// ---- Visualisation PNG ------------------------------------------------------------------------

namespace {
struct DecodedPng {
  std::size_t width = 0, height = 0;
  std::vector<std::uint8_t> pixels;
};

// Decoded by libpng (io/decode_png.hpp), the reader the predict tool uses; a PNG must hold one
// gray channel.
DecodedPng decode_gray_png(const std::string& png) {
  REQUIRE(png.substr(0, 8) == "\x89PNG\r\n\x1a\n");
  typenet::io::DecodedImage decoded =
      typenet::io::decode_png({reinterpret_cast<const unsigned char*>(png.data()), png.size()}, "visualisation.png");
  CHECK(decoded.channels == 1);
  return {decoded.width, decoded.height, std::move(decoded.samples)};
}
}  // namespace

TEST_CASE("encode_gray_png writes a PNG that decodes to its pixels") {
  std::vector<std::uint8_t> pixels(7 * 3);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(i * 12);
  const DecodedPng d = decode_gray_png(tn::io::encode_gray_png(7, 3, pixels));
  CHECK(d.width == 7);
  CHECK(d.height == 3);
  CHECK(d.pixels == pixels);
  CHECK_THROWS_WITH_AS(tn::io::encode_gray_png(7, 2, pixels), "encode_gray_png: 7x2 pixels expected, got 21",
                       std::invalid_argument);
}

TEST_CASE("write_hog_visualization puts each image beside its HOG picture") {
  xt::xtensor<float, 3> images = xt::xtensor<float, 3>::from_shape({3, 28, 28});
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& pixels = golden().image(i == 2 ? "random" : "mnist_test_" + std::to_string(i)).pixels;
    std::copy(pixels.begin(), pixels.end(), images.begin() + static_cast<std::ptrdiff_t>(i * 784));
  }
  const fs::path png = fs::temp_directory_path() / ("typenet_hog_" + std::to_string(::getpid()) + ".png");
  const tf::HogOptions lab{.orientations = 8, .pixels_per_cell = 4, .cells_per_block = 1};
  tf::write_hog_visualization(png, images, lab, {.zoom = 2, .per_row = 2});
  std::ifstream in(png, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove(png);
  const DecodedPng d = decode_gray_png(bytes);
  // 2 pairs per row, 2 rows; panels 56 px, 2 px between image and picture, 6 px around pairs.
  CHECK(d.width == 6 + 2 * (56 + 2 + 56 + 6));
  CHECK(d.height == 6 + 2 * (56 + 6));
  auto at = [&](std::size_t x, std::size_t y) { return d.pixels[y * d.width + x]; };
  // Image 1 (second pair of the first row), its pixel (r, c) at zoom 2; its picture scaled to its largest value.
  const std::size_t x0 = 6 + 120, y0 = 6;
  const auto picture = tf::hog_visualization(xt::xtensor<float, 2>(xt::view(images, 1)), lab);
  const float top = *std::max_element(picture.begin(), picture.end());
  for (std::size_t r = 0; r < 28; r += 3)
    for (std::size_t c = 0; c < 28; c += 5) {
      CHECK(at(x0 + 2 * c + 1, y0 + 2 * r + 1) == std::lround(255.0f * images(1, r, c)));
      CHECK(at(x0 + 58 + 2 * c, y0 + 2 * r) == std::lround(255.0f * picture(r, c) / top));
    }
  CHECK(at(0, 0) == 255);  // the sheet is white
}

// ---- The layer's input gradient ---------------------------------------------------------------

namespace {
// L = sum_k w_k out_k through the bound layer's own forward and backward. Checks dL/dimage with
// central differences at every pixel whose perturbation leaves every pixel's bin unchanged (HOG
// jumps where an orientation crosses a bin edge; that is where it has no gradient).
template <std::size_t Rows, std::size_t Cols, std::size_t N, std::size_t P, std::size_t B, tf::BlockNorm Norm>
void check_input_gradient() {
  using L = typename tn::Hog<N, P, B, Norm>::template bind<tn::Shape<Rows, Cols>>;
  constexpr std::size_t pixels = Rows * Cols, outputs = L::output_shape::size;
  auto image = tn::testing::random_matrix(1, pixels, 3, 0.0f, 1.0f);
  const auto w = tn::testing::random_matrix(1, outputs, 4, -1.0f, 1.0f);
  std::vector<float> out(outputs), scratch(L::scratch_per_sample), din(pixels), dout(w.begin(), w.end());
  auto forward = [&](const float* x) {
    L::forward(tn::ForwardPass{nullptr, x, out.data(), scratch.data(), 1, false, nullptr});
    double loss = 0.0;
    for (std::size_t k = 0; k < outputs; ++k) loss += static_cast<double>(w(0, k)) * out[k];
    return loss;
  };
  forward(image.data());
  L::backward(tn::BackwardPass{nullptr, nullptr, image.data(), out.data(), dout.data(), din.data(), scratch.data(), 1, false});

  const tf::HogGeometry g = L::geometry;
  auto bins = [&](const float* x) {
    std::vector<std::size_t> b(pixels);
    for (std::size_t i = 0; i < pixels; ++i)
      b[i] = tf::detail::vote_of(tf::detail::gradient_at(x, g, i / Cols, i % Cols), N).bin;
    return b;
  };
  const auto unperturbed = bins(image.data());
  const float h = 1e-3f;
  std::size_t checked = 0;
  double largest = 0.0;
  for (std::size_t i = 0; i < pixels; ++i) {
    const float original = image[i];
    image[i] = original + h;
    const double up = forward(image.data());
    const bool same_up = bins(image.data()) == unperturbed;
    image[i] = original - h;
    const double down = forward(image.data());
    const bool same_down = bins(image.data()) == unperturbed;
    image[i] = original;
    if (!same_up || !same_down) continue;
    const double numeric = (up - down) / (2.0 * h);
    INFO("pixel " << i << ": analytic " << din[i] << ", numeric " << numeric);
    CHECK(std::abs(numeric - din[i]) <= 2e-3 + 2e-2 * std::abs(numeric));
    largest = std::max(largest, std::abs(numeric));
    ++checked;
  }
  CHECK(checked >= pixels * 8 / 10);
  CHECK(largest > 1e-2);  // a gradient that vanished everywhere would check nothing
}
}  // namespace

TEST_CASE("gradient: Hog's input gradient matches finite differences, with every block norm") {
  SUBCASE("L2-Hys, 1x1 blocks") { check_input_gradient<12, 12, 5, 3, 1, tf::L2Hys>(); }
  SUBCASE("L2-Hys, 2x2 blocks") { check_input_gradient<12, 13, 5, 3, 2, tf::L2Hys>(); }
  SUBCASE("L2") { check_input_gradient<12, 12, 6, 4, 2, tf::L2>(); }
  SUBCASE("L1") { check_input_gradient<12, 12, 6, 4, 2, tf::L1>(); }
  SUBCASE("L1-sqrt") { check_input_gradient<12, 12, 6, 4, 2, tf::L1Sqrt>(); }
}

// ---- The fixed prefix in fit --------------------------------------------------------------------

namespace {
// out = 2 in, and a count of the samples it has seen: a precomputable layer that can be watched.
struct CountingDouble {
  static inline std::size_t samples_seen = 0;

  template <std::size_t LayerIndex, class In>
  struct at_layer {};

  template <class In>
  struct bind : tn::detail::ParameterFree {
    using layer = CountingDouble;
    using input_shape = In;
    using output_shape = In;
    static constexpr bool fits = true;
    static constexpr bool precomputable = true;
    static constexpr std::string_view keras_class = "CountingDouble";
    static constexpr std::string_view keras_name = "counting_double";
    static void forward(const tn::ForwardPass& p) {
      samples_seen += p.batch;
      for (std::size_t i = 0; i < p.batch * In::size; ++i) p.out[i] = 2.0f * p.in[i];
    }
    static void backward(const tn::BackwardPass& p) {
      if (p.din)
        for (std::size_t i = 0; i < p.batch * In::size; ++i) p.din[i] = 2.0f * p.dout[i];
    }
  };
};
}  // namespace

static_assert(tn::Model<tn::Sequential<tn::Input<6>, CountingDouble, tn::Dense<3>>>::fixed_prefix == 2);
static_assert(tn::Model<tn::Sequential<tn::Input<2, 3>, tn::Flatten, CountingDouble, tn::Dense<3>>>::fixed_prefix == 3);
static_assert(tn::Model<tn::Sequential<tn::Input<6>, tn::Dropout<0.5>, CountingDouble, tn::Dense<3>>>::fixed_prefix == 0);
static_assert(tn::Model<tn::Sequential<tn::Input<6>, tn::Dense<6>, CountingDouble, tn::Dense<3>>>::fixed_prefix == 0);
static_assert(tn::Model<tn::Sequential<tn::Input<28, 28>, tn::Flatten, tn::Dense<3>>>::fixed_prefix == 0);
static_assert(tn::Model<tn::Sequential<tn::Input<28, 28>, tn::Hog<8, 4>, tn::Dense<3>>>::fixed_prefix == 2);

TEST_CASE("fit runs a fixed prefix once per data set, not once per epoch; predict runs it every time") {
  using Net = tn::Sequential<tn::Input<6>, CountingDouble, tn::Dense<4, tn::Tanh>, tn::Dense<3, tn::Softmax>>;
  const auto x = tn::testing::random_matrix(50, 6, 1);
  const auto y = tn::testing::one_hot_cycle(50, 3);
  tn::Model<Net> model{2};
  model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
  CountingDouble::samples_seen = 0;
  model.fit(x, y, {.batch_size = 8, .epochs = 4, .verbose = 0, .validation_split = 0.2});
  CHECK(CountingDouble::samples_seen == 50);  // 40 training rows and 10 validation rows, once

  const auto x_val = tn::testing::random_matrix(20, 6, 2);
  const auto y_val = tn::testing::one_hot_cycle(20, 3);
  CountingDouble::samples_seen = 0;
  model.fit(x, y, {.batch_size = 8, .epochs = 3, .verbose = 0, .validation_data = tn::ValidationData{x_val, y_val}});
  CHECK(CountingDouble::samples_seen == 70);

  CountingDouble::samples_seen = 0;
  model.predict(x);
  model.evaluate(x, y);
  CHECK(CountingDouble::samples_seen == 100);
}

TEST_CASE("a network that starts with Hog trains exactly as its head does on hog_batch features") {
  using Net = tn::Sequential<tn::Input<28, 28, 1>, tn::Hog<8, 4>, tn::Dense<16, tn::ReLU>, tn::Dropout<0.5>,
                             tn::Dense<10, tn::Softmax>>;
  using Head = tn::Sequential<tn::Input<392>, tn::Dense<16, tn::ReLU>, tn::Dropout<0.5>, tn::Dense<10, tn::Softmax>>;
  static_assert(Net::param_count == Head::param_count);
  const auto flat = tn::testing::random_matrix(120, 784, 9, 0.0f, 1.0f);
  xt::xtensor<float, 3> images = xt::xtensor<float, 3>::from_shape({120, 28, 28});
  std::copy(flat.begin(), flat.end(), images.begin());
  const auto y = tn::testing::one_hot_cycle(120, 10);
  const auto features = tf::hog_batch(images, {.orientations = 8, .pixels_per_cell = 4, .cells_per_block = 1}, {.verbose = 0});

  tn::Model<Net> whole{6};
  tn::Model<Head> head{6};
  whole.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
  head.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
  const tn::FitOptions options{.batch_size = 16, .epochs = 3, .verbose = 0, .validation_split = 0.25};
  const tn::History h_whole = whole.fit(images, y, options);
  const tn::History h_head = head.fit(features, y, options);
  for (const char* metric : {"loss", "accuracy", "val_loss", "val_accuracy"}) {
    INFO(metric);
    CHECK(h_whole[metric] == h_head[metric]);
  }
  CHECK(std::equal(whole.parameters().begin(), whole.parameters().end(), head.parameters().begin()));
  // predict on raw images runs HOG too.
  const auto p_whole = whole.predict(images), p_head = head.predict(features);
  CHECK(max_difference(p_whole, p_head) == 0.0);
}

TEST_CASE("summary lists Hog with its output shape and no parameters") {
  tn::Model<tn::Sequential<tn::Input<28, 28, 1>, tn::Hog<8, 4>, tn::Dense<10, tn::Softmax>>> model;
  std::ostringstream out;
  model.summary(out);
  CHECK(out.str().find(" hog (Hog)                   (None, 392)               0         \n") != std::string::npos);
  CHECK(out.str().find("Total params: 3,930 ") != std::string::npos);
}

}  // namespace test_hog
