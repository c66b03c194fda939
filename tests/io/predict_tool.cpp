// The predict tool end to end: a lab network trained briefly on the real MNIST and saved, test
// digits written as PNG (and PGM, and at twice the size) by this test, and the predict program
// run on them as a user would. Its classes and probabilities must be the model's own on the
// same digits, the digits' true classes must come out, and each kind of bad input must be
// reported while the other images are still classified.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <typenet/data.hpp>
#include <typenet/io/png.hpp>
#include <typenet/typenet.hpp>

#include "networks/mlp_raw_mnist.hpp"
#include "networks/pneumonia_cnn.hpp"

namespace predict_tool {

namespace tn = typenet;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t digits = 20;

struct Run {
  int status = -1;
  std::string out, err;
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Runs predict with `arguments` (already quoted for the shell), capturing stdout and stderr.
Run predict(const fs::path& dir, const std::string& arguments) {
  const fs::path out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string command = std::string("'") + TYPENET_PREDICT_EXE + "' " + arguments + " > '" + out.string() + "' 2> '" +
                              err.string() + "'";
  const int raw = std::system(command.c_str());
  Run run;
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  run.out = read_text(out);
  run.err = read_text(err);
  return run;
}

std::vector<std::vector<std::string>> tsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, '\t');) fields.push_back(cell);
    rows.push_back(fields);
  }
  return rows;
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

// What the test shares: the data, a trained model saved as the lab examples save theirs, the
// model's own probabilities for the test digits, and the digits as files.
struct Fixture {
  fs::path dir;
  tn::data::Mnist mnist;
  xt::xtensor<float, 2> expected;  // (digits, 10): the model's predict on the MNIST rows
  std::vector<fs::path> pngs;

  Fixture() {
    dir = fs::temp_directory_path() / ("typenet_predict_test_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    mnist = tn::data::load_mnist(TYPENET_MNIST_DIR);
    const std::size_t n = mnist.train_images.shape()[0];
    auto x = xt::xtensor<float, 2>::from_shape({n, 784});
    std::copy(mnist.train_images.begin(), mnist.train_images.end(), x.begin());
    tn::Model<lab::mlp_raw_mnist::Model1> model{42};
    model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
    model.fit(x, tn::data::to_categorical(mnist.train_labels, 10), {.batch_size = 128, .epochs = 3, .verbose = 0});
    model.save(dir / "model.typenet");

    auto test = xt::xtensor<float, 2>::from_shape({digits, 784});
    std::copy(mnist.test_images.begin(), mnist.test_images.begin() + digits * 784, test.begin());
    expected = model.predict(test);
    for (std::size_t i = 0; i < digits; ++i) {
      pngs.push_back(dir / ("digit_" + std::to_string(i) + ".png"));
      tn::io::write_gray_png(pngs.back(), 28, 28, bytes(i));
    }
  }
  ~Fixture() { fs::remove_all(dir); }

  std::vector<std::uint8_t> bytes(std::size_t i) const {
    std::vector<std::uint8_t> b(784);
    for (std::size_t k = 0; k < 784; ++k) b[k] = static_cast<std::uint8_t>(std::lround(mnist.test_images.data()[i * 784 + k] * 255.0f));
    return b;
  }
  std::size_t expected_class(std::size_t i) const {
    const float* row = expected.data() + i * 10;
    return static_cast<std::size_t>(std::max_element(row, row + 10) - row);
  }
  std::string model() const { return "--model " + quoted(dir / "model.typenet"); }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

}  // namespace

TEST_CASE("predict gives each PNG digit the model's class and probability, and the right class") {
  const Fixture& f = fixture();
  std::string images;
  for (const auto& p : f.pngs) images += " " + quoted(p);
  const Run run = predict(f.dir, f.model() + images);
  INFO("stderr: " << run.err);
  CHECK(run.status == 0);
  CHECK(run.err.empty());
  const auto rows = tsv(run.out);
  REQUIRE(rows.size() == digits);
  std::size_t right = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    REQUIRE(rows[i].size() == 3);
    CHECK(rows[i][0] == f.pngs[i].string());
    CHECK(rows[i][1] == std::to_string(f.expected_class(i)));
    CHECK(std::abs(std::stod(rows[i][2]) - f.expected(i, f.expected_class(i))) <= 1e-6);  // printed to 6 decimals
    if (rows[i][1] == std::to_string(f.mnist.test_labels(i)))
      ++right;
    else
      MESSAGE("test digit " << i << " is a " << int(f.mnist.test_labels(i)) << "; the model says " << rows[i][1]);
  }
  MESSAGE(right << " of " << digits << " test digits classified right");
  // Three epochs of model 1 reach >= 0.94 on the whole test set (tests/acceptance); these 20
  // digits get 19 right (test digit 8, a 5 drawn like a 6, is the miss).
  CHECK(right >= 18);
}

TEST_CASE("--json gives the model's probabilities, --top K the K best in order") {
  const Fixture& f = fixture();
  const Run run = predict(f.dir, f.model() + " --json --top 3 " + quoted(f.pngs[0]) + " " + quoted(f.pngs[1]));
  CHECK(run.status == 0);
  const auto results = nlohmann::json::parse(run.out);
  REQUIRE(results.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& r = results[i];
    CHECK(r["path"] == f.pngs[i].string());
    CHECK(r["class"] == f.expected_class(i));
    // Not bit for bit: BLAS may sum in another order for a batch of 2 than for the fixture's 20.
    CHECK(r["probability"].get<float>() == doctest::Approx(f.expected(i, f.expected_class(i))).epsilon(1e-5));
    REQUIRE(r["top"].size() == 3);
    for (std::size_t k = 0; k < 3; ++k) {
      const std::size_t c = r["top"][k]["class"].get<std::size_t>();
      CHECK(r["top"][k]["probability"].get<float>() == doctest::Approx(f.expected(i, c)).epsilon(1e-5));
      if (k > 0) CHECK(r["top"][k]["probability"].get<float>() <= r["top"][k - 1]["probability"].get<float>());
    }
  }
  const auto text = tsv(predict(f.dir, f.model() + " --top 10 " + quoted(f.pngs[2])).out);
  REQUIRE(text.size() == 1);
  CHECK(text[0].size() == 1 + 2 * 10);
}

TEST_CASE("PGM files and larger images are read, made gray and resized to the model's input") {
  const Fixture& f = fixture();
  // The digit at 56x56, each pixel doubled: averaging 2x2 areas gives back the 28x28 digit exactly.
  const auto small = f.bytes(3);
  std::vector<std::uint8_t> big(56 * 56);
  for (std::size_t r = 0; r < 56; ++r)
    for (std::size_t c = 0; c < 56; ++c) big[r * 56 + c] = small[(r / 2) * 28 + c / 2];
  tn::io::write_gray_png(f.dir / "big.png", 56, 56, big);
  {
    std::ofstream pgm(f.dir / "digit.pgm", std::ios::binary);
    pgm << "P5\n28 28\n255\n";
    pgm.write(reinterpret_cast<const char*>(small.data()), 784);
  }
  const Run run = predict(f.dir, f.model() + " --json " + quoted(f.dir / "big.png") + " " + quoted(f.dir / "digit.pgm"));
  CHECK(run.status == 0);
  const auto results = nlohmann::json::parse(run.out);
  REQUIRE(results.size() == 2);
  for (const auto& r : results) {
    CHECK(r["class"] == f.expected_class(3));
    CHECK(r["probability"].get<float>() == doctest::Approx(f.expected(3, f.expected_class(3))).epsilon(1e-5));
  }
}

TEST_CASE("--invert turns dark digits on a light background into MNIST's light on dark") {
  const Fixture& f = fixture();
  auto ink = f.bytes(6);
  for (auto& b : ink) b = static_cast<std::uint8_t>(255 - b);
  tn::io::write_gray_png(f.dir / "ink.png", 28, 28, ink);
  const auto results = nlohmann::json::parse(predict(f.dir, f.model() + " --json --invert " + quoted(f.dir / "ink.png")).out);
  REQUIRE(results.size() == 1);
  CHECK(results[0]["class"] == f.expected_class(6));
  CHECK(results[0]["probability"].get<float>() == doctest::Approx(f.expected(6, f.expected_class(6))).epsilon(1e-5));
}

TEST_CASE("unreadable images are reported on stderr, the others still classified, and the status says so") {
  const Fixture& f = fixture();
  { std::ofstream(f.dir / "notes.txt") << "not pixels\n"; }
  const std::string png = read_text(f.pngs[4]);
  { std::ofstream(f.dir / "cut.png", std::ios::binary) << png.substr(0, png.size() / 2); }
  const Run run = predict(f.dir, f.model() + " " + quoted(f.pngs[4]) + " " + quoted(f.dir / "notes.txt") + " " +
                                     quoted(f.dir / "missing.png") + " " + quoted(f.dir / "cut.png") + " " + quoted(f.pngs[5]));
  MESSAGE("stderr of predict:\n" << run.err);
  CHECK(run.status == 1);
  const auto rows = tsv(run.out);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0][0] == f.pngs[4].string());
  CHECK(rows[1][0] == f.pngs[5].string());
  CHECK(rows[1][1] == std::to_string(f.expected_class(5)));
  CHECK(run.err.find("predict: " + (f.dir / "notes.txt").string() + ": not an image typenet can read") != std::string::npos);
  CHECK(run.err.find("predict: " + (f.dir / "missing.png").string() + ": cannot open: No such file or directory") !=
        std::string::npos);
  CHECK(run.err.find("predict: " + (f.dir / "cut.png").string() + ": cannot decode the image") != std::string::npos);

  // In JSON the failures are entries with an "error".
  const auto results = nlohmann::json::parse(predict(f.dir, f.model() + " --json " + quoted(f.dir / "notes.txt")).out);
  REQUIRE(results.size() == 1);
  CHECK(results[0]["error"].get<std::string>().find("not an image typenet can read") != std::string::npos);
}

TEST_CASE("a one-unit sigmoid model is two named classes: 1 - p and p") {
  const Fixture& f = fixture();
  tn::Model<lab::pneumonia_cnn::Lab28> binary{3};  // untrained: only the reading of its output is tested
  binary.save(f.dir / "binary.typenet");
  auto x = xt::xtensor<float, 2>::from_shape({1, 784});
  std::copy(f.mnist.test_images.begin(), f.mnist.test_images.begin() + 784, x.begin());
  const float p = binary.predict(x)(0, 0);
  const auto results = nlohmann::json::parse(
      predict(f.dir, "--model " + quoted(f.dir / "binary.typenet") + " --json --top 2 " + quoted(f.pngs[0])).out);
  REQUIRE(results.size() == 1);
  const auto& top = results[0]["top"];
  REQUIRE(top.size() == 2);
  CHECK(results[0]["class"] == (p > 0.5f ? "pneumonia" : "normal"));
  CHECK(top[0]["probability"].get<float>() >= 0.5f);
  CHECK(top[0]["probability"].get<float>() + top[1]["probability"].get<float>() == doctest::Approx(1.0));
  const float p_pneumonia = top[top[0]["class"] == "pneumonia" ? 0 : 1]["probability"].get<float>();
  CHECK(p_pneumonia == doctest::Approx(p).epsilon(1e-5));
}

TEST_CASE("a model file predict cannot run is refused with status 2 and says why") {
  const Fixture& f = fixture();
  SUBCASE("a network predict was not compiled with: its layers and the known ones") {
    tn::Model<tn::Sequential<tn::Input<784>, tn::Dense<3, tn::Softmax>>> other{1};
    other.save(f.dir / "other.typenet");
    const Run run = predict(f.dir, "--model " + quoted(f.dir / "other.typenet") + " " + quoted(f.pngs[0]));
    MESSAGE(run.err);
    CHECK(run.status == 2);
    CHECK(run.out.empty());
    CHECK(run.err.find((f.dir / "other.typenet").string() + ": holds a network this program was not compiled with:") !=
          std::string::npos);
    CHECK(run.err.find("Dense(units=3, activation=softmax") != std::string::npos);
    CHECK(run.err.find("  mlp_raw_mnist/model1: InputLayer (None, 784) -> Dense (None, 512) -> Dense (None, 10), 407,050 params") !=
          std::string::npos);
  }
  SUBCASE("a damaged file: the byte where it is wrong") {
    std::string bytes = read_text(f.dir / "model.typenet");
    bytes[bytes.size() - 5] ^= 0x40;
    { std::ofstream(f.dir / "damaged.typenet", std::ios::binary) << bytes; }
    const Run run = predict(f.dir, "--model " + quoted(f.dir / "damaged.typenet") + " " + quoted(f.pngs[0]));
    MESSAGE(run.err);
    CHECK(run.status == 2);
    CHECK(run.err.find("predict: " + (f.dir / "damaged.typenet").string() + ": byte ") == 0);
    CHECK(run.err.find("CRC-32") != std::string::npos);
  }
  SUBCASE("not a model file") {
    const Run run = predict(f.dir, "--model " + quoted(f.pngs[1]) + " " + quoted(f.pngs[0]));
    MESSAGE(run.err);
    CHECK(run.status == 2);
    CHECK(run.err.find("not a typenet model file") != std::string::npos);
  }
  SUBCASE("--top larger than the number of classes") {
    const Run run = predict(f.dir, f.model() + " --top 11 " + quoted(f.pngs[0]));
    CHECK(run.status == 2);
    CHECK(run.err == "predict: --top 11: mlp_raw_mnist/model1 has 10 classes\n");
  }
}

}  // namespace predict_tool
