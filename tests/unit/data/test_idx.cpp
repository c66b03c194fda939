// IDX reading, MNIST loading and one-hot labels. Every file is written by the test itself into a
// fresh temporary folder, so the corrupt cases are exact and nothing depends on a download.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <xtensor/xtensor.hpp>
#include <zlib.h>

#include "typenet/data.hpp"

namespace test_idx {

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using typenet::data::load_mnist;
using typenet::data::read_idx_images;
using typenet::data::read_idx_labels;
using typenet::data::to_categorical;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "typenet-idx-test-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  fs::path operator/(const std::string& name) const { return path / name; }
};

void put_be32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

// An IDX file: magic (0, 0, type, ndim), big-endian dimensions, then `data` as is.
Bytes idx_bytes(std::uint8_t type, const std::vector<std::uint32_t>& dims, const Bytes& data) {
  Bytes out{0, 0, type, static_cast<std::uint8_t>(dims.size())};
  for (auto d : dims) put_be32(out, d);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

Bytes counting(std::size_t n, unsigned step = 1) {
  Bytes data(n);
  for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<std::uint8_t>((i * step) % 251);
  return data;
}

Bytes images_file(std::uint32_t count, std::uint32_t rows, std::uint32_t cols, const Bytes& pixels) {
  return idx_bytes(0x08, {count, rows, cols}, pixels);
}

Bytes labels_file(const Bytes& labels) { return idx_bytes(0x08, {static_cast<std::uint32_t>(labels.size())}, labels); }

void write_plain(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

void write_gzip(const fs::path& path, const Bytes& bytes) {
  gzFile gz = gzopen(path.c_str(), "wb");
  REQUIRE(gz != nullptr);
  if (!bytes.empty()) REQUIRE(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
  REQUIRE(gzclose(gz) == Z_OK);
}

Bytes read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The message of the std::runtime_error that `f` throws; fails the test if it throws nothing.
template <class F>
std::string runtime_error_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  FAIL("expected a std::runtime_error, none was thrown");
  return {};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("idx: reads plain and gzipped files, detecting gzip by content not by name") {
  TempDir dir;
  const Bytes pixels = counting(3 * 2 * 4);
  const Bytes labels{7, 0, 9};
  write_plain(dir / "images", images_file(3, 2, 4, pixels));
  write_plain(dir / "plain-named.gz", images_file(3, 2, 4, pixels));
  write_gzip(dir / "gzipped-without-extension", images_file(3, 2, 4, pixels));
  write_gzip(dir / "labels.gz", labels_file(labels));
  write_plain(dir / "labels", labels_file(labels));

  for (const char* name : {"images", "plain-named.gz", "gzipped-without-extension"}) {
    CAPTURE(name);
    auto images = read_idx_images(dir / name);
    REQUIRE(images.shape(0) == 3);
    REQUIRE(images.shape(1) == 2);
    REQUIRE(images.shape(2) == 4);
    CHECK(images(0, 0, 0) == 0);
    CHECK(images(0, 1, 0) == 4);   // row-major: second row starts after 4 columns
    CHECK(images(1, 0, 0) == 8);   // second image starts after 2 * 4 pixels
    CHECK(images(2, 1, 3) == 23);
    CHECK(std::equal(images.begin(), images.end(), pixels.begin(), pixels.end()));
  }
  for (const char* name : {"labels", "labels.gz"}) {
    CAPTURE(name);
    auto read = read_idx_labels(dir / name);
    REQUIRE(read.size() == 3);
    CHECK(read(0) == 7);
    CHECK(read(1) == 0);
    CHECK(read(2) == 9);
  }
}

TEST_CASE("idx: data larger than the read buffers arrives intact") {
  TempDir dir;
  // 3 MB, more than the reader's 1 MiB input buffer, in a pattern that compresses poorly enough
  // that the compressed stream also spans several buffers.
  const Bytes pixels = counting(3 * 1000 * 1000, 7919);
  write_plain(dir / "big", images_file(3, 1000, 1000, pixels));
  write_gzip(dir / "big.gz", images_file(3, 1000, 1000, pixels));
  for (const char* name : {"big", "big.gz"}) {
    CAPTURE(name);
    auto images = read_idx_images(dir / name);
    REQUIRE(images.size() == pixels.size());
    CHECK(std::equal(images.begin(), images.end(), pixels.begin(), pixels.end()));
  }
}

TEST_CASE("idx: concatenated gzip members read as one stream") {
  TempDir dir;
  const Bytes whole = labels_file({1, 2, 3, 4, 5});
  write_gzip(dir / "a.gz", Bytes(whole.begin(), whole.begin() + 7));
  write_gzip(dir / "b.gz", Bytes(whole.begin() + 7, whole.end()));
  Bytes joined = read_all(dir / "a.gz");
  Bytes second = read_all(dir / "b.gz");
  joined.insert(joined.end(), second.begin(), second.end());
  write_plain(dir / "joined.gz", joined);
  auto labels = read_idx_labels(dir / "joined.gz");
  REQUIRE(labels.size() == 5);
  CHECK(labels(0) == 1);
  CHECK(labels(4) == 5);
}

TEST_CASE("idx: header errors name the file, the byte and what was expected") {
  TempDir dir;
  const Bytes good = images_file(3, 2, 4, counting(24));

  SUBCASE("first magic byte not zero") {
    Bytes bad = good;
    bad[0] = 0x89;
    write_plain(dir / "bad", bad);
    std::string message = runtime_error_of([&] { read_idx_images(dir / "bad"); });
    CHECK(message == (dir / "bad").string() +
                         ": byte 0: expected 0x00 (an IDX file starts with two zero bytes), found 0x89 (not an IDX file?)");
  }
  SUBCASE("second magic byte not zero") {
    Bytes bad = good;
    bad[1] = 0x01;
    write_plain(dir / "bad", bad);
    std::string message = runtime_error_of([&] { read_idx_images(dir / "bad"); });
    CHECK(contains(message, (dir / "bad").string() + ": byte 1: expected 0x00"));
    CHECK(contains(message, "found 0x01"));
  }
  SUBCASE("type code other than unsigned byte") {
    Bytes bad = good;
    bad[2] = 0x0d;
    write_plain(dir / "train-images-idx3-ubyte", bad);
    std::string message = runtime_error_of([&] { read_idx_images(dir / "train-images-idx3-ubyte"); });
    CHECK(message == (dir / "train-images-idx3-ubyte").string() +
                         ": byte 2: expected IDX type code 0x08 (unsigned byte), found 0x0d (32-bit float)");
  }
  SUBCASE("type code that is not an IDX type at all, in a gzipped file") {
    Bytes bad = good;
    bad[2] = 0x42;
    write_gzip(dir / "bad.gz", bad);
    std::string message = runtime_error_of([&] { read_idx_images(dir / "bad.gz"); });
    CHECK(contains(message, ": byte 2: expected IDX type code 0x08 (unsigned byte), found 0x42 (not an IDX type)"));
  }
  SUBCASE("images file read as labels, and labels read as images") {
    write_plain(dir / "images", good);
    write_plain(dir / "labels", labels_file({1, 2}));
    CHECK(runtime_error_of([&] { read_idx_labels(dir / "images"); }) ==
          (dir / "images").string() + ": byte 3: expected 1 dimension (labels), found 3");
    CHECK(runtime_error_of([&] { read_idx_images(dir / "labels"); }) ==
          (dir / "labels").string() + ": byte 3: expected 3 dimensions (images), found 1");
  }
  SUBCASE("zero dimension") {
    write_plain(dir / "empty-rows", idx_bytes(0x08, {2, 0, 4}, {}));
    CHECK(runtime_error_of([&] { read_idx_images(dir / "empty-rows"); }) ==
          (dir / "empty-rows").string() + ": byte 8: expected a non-zero size for dimension 1, found 0");
    write_plain(dir / "no-labels", idx_bytes(0x08, {0}, {}));
    CHECK(contains(runtime_error_of([&] { read_idx_labels(dir / "no-labels"); }),
                   ": byte 4: expected a non-zero size for dimension 0, found 0"));
  }
  SUBCASE("dimensions too large to hold") {
    write_plain(dir / "overflow", idx_bytes(0x08, {0xffffffffu, 0xffffffffu, 0xffffffffu}, {}));
    CHECK(runtime_error_of([&] { read_idx_images(dir / "overflow"); }) ==
          (dir / "overflow").string() +
              ": byte 8: expected dimensions whose product fits in memory, found a product above 2^63");
    // Above PTRDIFF_MAX but below SIZE_MAX: xtensor's strides would overflow (undefined), so the
    // header is refused as it is read, gzipped or not.
    write_gzip(dir / "above-ptrdiff.gz", idx_bytes(0x08, {0x80000000u, 0x80000000u, 2}, {}));
    CHECK(runtime_error_of([&] { read_idx_images(dir / "above-ptrdiff.gz"); }) ==
          (dir / "above-ptrdiff.gz").string() +
              ": byte 12: expected dimensions whose product fits in memory, found a product above 2^63");
  }
  SUBCASE("a gzip file that claims more than its size can inflate to") {
    // 2^48 bytes from a file of a few dozen: deflate expands at most 1032:1, so nothing is
    // allocated for it (this once tried to allocate all of it).
    write_gzip(dir / "huge.gz", idx_bytes(0x08, {65536, 65536, 65536}, {1, 2, 3}));
    const auto gz_size = fs::file_size(dir / "huge.gz");
    CHECK(runtime_error_of([&] { read_idx_images(dir / "huge.gz"); }) ==
          (dir / "huge.gz").string() + ": byte 16: expected at most " + std::to_string(gz_size * 1032) +
              " uncompressed bytes from a gzip file of this size (deflate expands at most 1032:1), found a "
              "header declaring 281474976710656 bytes of data");
    // MNIST's training images in a 1 KiB file: refused the same way.
    write_gzip(dir / "small.gz", idx_bytes(0x08, {60000, 28, 28}, Bytes(100, 7)));
    CHECK(contains(runtime_error_of([&] { read_idx_images(dir / "small.gz"); }),
                   "found a header declaring 47040000 bytes of data"));
  }
  SUBCASE("file ends inside the header") {
    write_plain(dir / "empty", {});
    CHECK(runtime_error_of([&] { read_idx_images(dir / "empty"); }) ==
          (dir / "empty").string() + ": byte 0: expected the 4-byte IDX magic number, found the end of the file");
    write_plain(dir / "cut", Bytes(good.begin(), good.begin() + 6));
    CHECK(runtime_error_of([&] { read_idx_images(dir / "cut"); }) ==
          (dir / "cut").string() + ": byte 6: expected the 4-byte size of dimension 0 of 3, found the end of the file");
    write_gzip(dir / "cut.gz", Bytes(good.begin(), good.begin() + 13));
    CHECK(contains(runtime_error_of([&] { read_idx_images(dir / "cut.gz"); }),
                   ": byte 13: expected the 4-byte size of dimension 2 of 3, found the end of the file"));
  }
  SUBCASE("missing file") {
    std::string message = runtime_error_of([&] { read_idx_labels(dir / "nowhere"); });
    CHECK(contains(message, (dir / "nowhere").string() + ": cannot open"));
    CHECK(contains(message, "No such file"));
  }
}

TEST_CASE("idx: the data must be exactly as long as the header says, plain or gzipped") {
  TempDir dir;
  const Bytes good = images_file(3, 2, 4, counting(24));  // 16-byte header + 24 bytes = 40
  const std::string short_message =
      ": byte 35: expected 24 bytes of data after the 16-byte header (length 40), found the end of the file after 19";
  const std::string trailing_message =
      ": byte 40: expected the end of the file after 24 bytes of data (length 40), found 3 more bytes";

  Bytes truncated(good.begin(), good.end() - 5);
  Bytes padded = good;
  padded.insert(padded.end(), {0, 0, 0});
  write_plain(dir / "truncated", truncated);
  write_gzip(dir / "truncated.gz", truncated);
  write_plain(dir / "padded", padded);
  write_gzip(dir / "padded.gz", padded);

  for (const char* name : {"truncated", "truncated.gz"}) {
    CAPTURE(name);
    CHECK(runtime_error_of([&] { read_idx_images(dir / name); }) == (dir / name).string() + short_message);
  }
  for (const char* name : {"padded", "padded.gz"}) {
    CAPTURE(name);
    CHECK(runtime_error_of([&] { read_idx_images(dir / name); }) == (dir / name).string() + trailing_message);
  }
  // Dimensions are big-endian: 0x01020304 is 16909060, not 67305985; a plain file is checked
  // against its size before the reader allocates that much.
  write_plain(dir / "huge-claim", idx_bytes(0x08, {0x01020304}, {1, 2}));
  CHECK(runtime_error_of([&] { read_idx_labels(dir / "huge-claim"); }) ==
        (dir / "huge-claim").string() +
            ": byte 10: expected 16909060 bytes of data after the 8-byte header (length 16909068), found the end of "
            "the file after 2");
  // One byte too many is as wrong as many.
  Bytes one_extra = labels_file({1, 2});
  one_extra.push_back(9);
  write_plain(dir / "one-extra", one_extra);
  CHECK(contains(runtime_error_of([&] { read_idx_labels(dir / "one-extra"); }),
                 ": byte 10: expected the end of the file after 2 bytes of data (length 10), found 1 more byte"));
}

TEST_CASE("idx: damaged gzip streams are errors, never silently short data") {
  TempDir dir;
  const Bytes good = images_file(3, 2, 4, counting(24));
  write_gzip(dir / "good.gz", good);
  const Bytes compressed = read_all(dir / "good.gz");
  REQUIRE(compressed.size() > 20);
  const fs::path bad = dir / "bad.gz";

  SUBCASE("cut in the middle of the deflate data") {
    write_plain(bad, Bytes(compressed.begin(), compressed.begin() + static_cast<std::ptrdiff_t>(compressed.size() / 2)));
    std::string message = runtime_error_of([&] { read_idx_images(bad); });
    CHECK(contains(message, bad.string() + ": byte "));
    CHECK(contains(message, "expected more gzip data, found the end of the compressed file (truncated .gz?)"));
  }
  SUBCASE("cut inside the trailer: all data present, but the CRC cannot be checked") {
    write_plain(bad, Bytes(compressed.begin(), compressed.end() - 4));
    std::string message = runtime_error_of([&] { read_idx_images(bad); });
    CHECK(contains(message, bad.string() + ": byte 40: expected more gzip data"));
  }
  SUBCASE("invalid deflate block") {
    Bytes corrupt = compressed;
    corrupt[10] = 0xff;  // first byte after the 10-byte gzip header: final block of reserved type 3
    write_plain(bad, corrupt);
    std::string message = runtime_error_of([&] { read_idx_images(bad); });
    CHECK(contains(message, bad.string() + ": byte 0: expected a valid gzip stream, found corrupt data"));
    CHECK(contains(message, "invalid block type"));
  }
  SUBCASE("CRC mismatch") {
    Bytes corrupt = compressed;
    corrupt[corrupt.size() - 8] ^= 0xff;  // the trailer is CRC-32 then length, 4 bytes each
    write_plain(bad, corrupt);
    std::string message = runtime_error_of([&] { read_idx_images(bad); });
    CHECK(contains(message, bad.string() + ": byte 40: expected a valid gzip stream, found corrupt data"));
    CHECK(contains(message, "incorrect data check"));
  }
  SUBCASE("garbage after the gzip stream") {
    Bytes padded = compressed;
    padded.insert(padded.end(), {'j', 'u', 'n', 'k'});
    write_plain(bad, padded);
    std::string message = runtime_error_of([&] { read_idx_images(bad); });
    CHECK(contains(message, bad.string() + ": byte 40: expected the end of the file or another gzip member"));
    CHECK(contains(message, "found 0x6a"));
  }
}

namespace {

// A small MNIST-shaped folder: `train_count` and `test_count` images of 28x28 whose first pixel
// is 0, second 255, third 51, and labels 0, 1, 2, ... modulo 10.
void write_fake_mnist(const fs::path& dir, std::uint32_t train_count, std::uint32_t test_count, bool gzip) {
  auto write = [&](const std::string& name, const Bytes& bytes) {
    if (gzip) write_gzip(dir / (name + ".gz"), bytes);
    else write_plain(dir / name, bytes);
  };
  for (auto [prefix, count] : {std::pair{std::string("train"), train_count}, std::pair{std::string("t10k"), test_count}}) {
    Bytes pixels(std::size_t{count} * 28 * 28, 128);
    Bytes labels(count);
    for (std::uint32_t i = 0; i < count; ++i) {
      pixels[i * 784 + 0] = 0;
      pixels[i * 784 + 1] = 255;
      pixels[i * 784 + 2] = 51;
      labels[i] = static_cast<std::uint8_t>(i % 10);
    }
    write(prefix + "-images-idx3-ubyte", images_file(count, 28, 28, pixels));
    write(prefix + "-labels-idx1-ubyte", labels_file(labels));
  }
}

}  // namespace

TEST_CASE("mnist: loads the four files, plain or gzipped, and scales pixels to [0, 1]") {
  for (bool gzip : {false, true}) {
    CAPTURE(gzip);
    TempDir dir;
    write_fake_mnist(dir.path, 3, 2, gzip);
    auto mnist = load_mnist(dir.path);
    REQUIRE(mnist.train_images.shape(0) == 3);
    REQUIRE(mnist.train_images.shape(1) == 28);
    REQUIRE(mnist.train_images.shape(2) == 28);
    REQUIRE(mnist.test_images.shape(0) == 2);
    REQUIRE(mnist.train_labels.size() == 3);
    REQUIRE(mnist.test_labels.size() == 2);
    CHECK(mnist.train_images(2, 0, 0) == 0.0f);
    CHECK(mnist.train_images(2, 0, 1) == 1.0f);
    CHECK(mnist.train_images(2, 0, 2) == doctest::Approx(0.2f));
    CHECK(mnist.test_images(1, 27, 27) == doctest::Approx(128.0f / 255.0f));
    CHECK(mnist.train_labels(2) == 2);
    CHECK(mnist.test_labels(1) == 1);
  }
}

TEST_CASE("mnist: inconsistent or missing files are reported with the folder and file") {
  TempDir dir;
  write_fake_mnist(dir.path, 3, 2, false);

  SUBCASE("fewer labels than images") {
    write_plain(dir / "train-labels-idx1-ubyte", labels_file({4, 2}));
    std::string message = runtime_error_of([&] { load_mnist(dir.path); });
    CHECK(message == "load_mnist: " + (dir / "train-images-idx3-ubyte").string() + " has 3 images but " +
                         (dir / "train-labels-idx1-ubyte").string() + " has 2 labels; expected the same count");
  }
  SUBCASE("images that are not 28x28") {
    write_plain(dir / "t10k-images-idx3-ubyte", images_file(2, 28, 27, Bytes(2 * 28 * 27, 0)));
    CHECK(runtime_error_of([&] { load_mnist(dir.path); }) ==
          "load_mnist: " + (dir / "t10k-images-idx3-ubyte").string() + ": expected 28x28 images, found 28x27");
  }
  SUBCASE("a file missing under both names") {
    fs::remove(dir / "t10k-labels-idx1-ubyte");
    std::string message = runtime_error_of([&] { load_mnist(dir.path); });
    CHECK(contains(message, "folder '" + dir.path.string() + "'"));
    CHECK(contains(message, "has neither 't10k-labels-idx1-ubyte' nor 't10k-labels-idx1-ubyte.gz'"));
  }
  SUBCASE("no such folder") {
    CHECK(contains(runtime_error_of([&] { load_mnist(dir / "absent"); }),
                   "folder '" + (dir / "absent").string() + "' does not exist"));
  }
  SUBCASE("a label that is not a digit") {
    write_plain(dir / "t10k-labels-idx1-ubyte", labels_file({3, 10}));
    CHECK(runtime_error_of([&] { load_mnist(dir.path); }) ==
          "load_mnist: " + (dir / "t10k-labels-idx1-ubyte").string() +
              ": label 1 (byte 9) is 10; expected a digit class 0 to 9");
  }
  SUBCASE("a corrupt file inside the folder keeps the IDX reader's message") {
    Bytes bad = labels_file({1, 2});
    bad[2] = 0x0c;
    write_plain(dir / "t10k-labels-idx1-ubyte", bad);
    CHECK(runtime_error_of([&] { load_mnist(dir.path); }) ==
          (dir / "t10k-labels-idx1-ubyte").string() +
              ": byte 2: expected IDX type code 0x08 (unsigned byte), found 0x0c (32-bit integer)");
  }
}

TEST_CASE("mnist: the real data set, when third_party/install.sh has fetched it") {
  // TYPENET_TEST_DATA is <root>/tests/data (which may not exist, so no "..": the OS would not resolve it).
  const fs::path dir = fs::path(TYPENET_TEST_DATA).parent_path().parent_path() / "data" / "mnist";
  if (!fs::exists(dir / "train-images-idx3-ubyte") && !fs::exists(dir / "train-images-idx3-ubyte.gz")) {
    MESSAGE("skipped: no MNIST in " << dir.string() << " (run third_party/install.sh)");
    return;
  }
  auto mnist = load_mnist(dir);
  CHECK(mnist.train_images.shape(0) == 60000);
  CHECK(mnist.test_images.shape(0) == 10000);
  CHECK(mnist.train_labels.size() == 60000);
  CHECK(mnist.test_labels.size() == 10000);
  // The well-known first labels of each split.
  const std::vector<int> train_first{5, 0, 4, 1, 9, 2, 1, 3, 1, 4};
  const std::vector<int> test_first{7, 2, 1, 0, 4, 1, 4, 9, 5, 9};
  for (std::size_t i = 0; i < 10; ++i) {
    CHECK(mnist.train_labels(i) == train_first[i]);
    CHECK(mnist.test_labels(i) == test_first[i]);
  }
  CHECK(*std::min_element(mnist.train_images.begin(), mnist.train_images.end()) == 0.0f);
  CHECK(*std::max_element(mnist.train_images.begin(), mnist.train_images.end()) == 1.0f);
}

TEST_CASE("categorical: one-hot rows like Keras's to_categorical") {
  xt::xtensor<std::uint8_t, 1> labels = {3, 0, 9, 3};
  auto one_hot = to_categorical(labels, 10);
  REQUIRE(one_hot.shape(0) == 4);
  REQUIRE(one_hot.shape(1) == 10);
  for (std::size_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    float row_sum = 0;
    for (std::size_t k = 0; k < 10; ++k) {
      CHECK(one_hot(i, k) == (k == labels(i) ? 1.0f : 0.0f));
      row_sum += one_hot(i, k);
    }
    CHECK(row_sum == 1.0f);
  }

  xt::xtensor<int, 1> wide = {1, 0};
  auto two = to_categorical(wide, 2);
  CHECK(two(0, 1) == 1.0f);
  CHECK(two(0, 0) == 0.0f);
  CHECK(two(1, 0) == 1.0f);
}

TEST_CASE("categorical: labels outside [0, num_classes) name their position and value") {
  xt::xtensor<std::uint8_t, 1> too_big = {1, 10, 2};
  CHECK_THROWS_WITH_AS(to_categorical(too_big, 10), "to_categorical: label 10 at position 1 is outside [0, 10)",
                       std::out_of_range);
  xt::xtensor<int, 1> negative = {0, 1, -1};
  CHECK_THROWS_WITH_AS(to_categorical(negative, 3), "to_categorical: label -1 at position 2 is outside [0, 3)",
                       std::out_of_range);
  // Negative labels must not wrap around to a valid class when there are many classes.
  xt::xtensor<std::int8_t, 1> small_negative = {-1};
  CHECK_THROWS_WITH_AS(to_categorical(small_negative, 300), "to_categorical: label -1 at position 0 is outside [0, 300)",
                       std::out_of_range);
  xt::xtensor<std::uint8_t, 1> fine = {0, 1, 2};
  CHECK_THROWS_AS(to_categorical(fine, 0), std::invalid_argument);
}

}  // namespace test_idx
