#ifdef TYPENET_HAVE_PLPLOT

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "typenet/plot.hpp"

namespace test_plot {

namespace {

namespace fs = std::filesystem;

// A fresh folder per test case, removed afterwards.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::temp_directory_path() / ("typenet_test_plot_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

struct PngHeader {
  bool signature_ok = false;
  std::uint32_t width = 0, height = 0;
};

// The 8-byte signature, then the IHDR chunk: length, "IHDR", width and height (big-endian).
PngHeader read_png_header(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::array<unsigned char, 24> bytes{};
  in.read(reinterpret_cast<char*>(bytes.data()), bytes.size());
  PngHeader header;
  if (in.gcount() != static_cast<std::streamsize>(bytes.size())) return header;
  const std::array<unsigned char, 8> signature{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  header.signature_ok = std::equal(signature.begin(), signature.end(), bytes.begin()) &&
                        std::string(bytes.begin() + 12, bytes.begin() + 16) == "IHDR";
  auto big_endian = [&](std::size_t at) {
    return (std::uint32_t{bytes[at]} << 24) | (std::uint32_t{bytes[at + 1]} << 16) | (std::uint32_t{bytes[at + 2]} << 8) |
           std::uint32_t{bytes[at + 3]};
  };
  header.width = big_endian(16);
  header.height = big_endian(20);
  return header;
}

void check_png(const fs::path& file, typenet::plot::FigureSize size) {
  INFO(file.string());
  REQUIRE(fs::exists(file));
  CHECK(fs::file_size(file) > 1000);  // a real picture, not just a header
  const auto header = read_png_header(file);
  CHECK(header.signature_ok);
  CHECK(header.width == static_cast<std::uint32_t>(size.width_px));
  CHECK(header.height == static_cast<std::uint32_t>(size.height_px));
}

// Only the given files, no temporaries left behind by the atomic write.
std::vector<std::string> files_in(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::size_t open_file_descriptors() {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator("/proc/self/fd"), fs::directory_iterator{}));
}

typenet::History training_history(int epochs) {
  typenet::History h;
  for (int e = 0; e < epochs; ++e) {
    h.append("loss", 1.0 / (e + 1));
    h.append("accuracy", 0.5 + 0.04 * e);
    h.append("val_loss", 1.1 / (e + 1) + 0.01 * e);
    h.append("val_accuracy", 0.45 + 0.035 * e);
    h.append("lr", 0.001);  // not plotted
  }
  return h;
}

typenet::ConfusionMatrix small_confusion() {
  typenet::ConfusionMatrix m(3);
  const int counts[3][3] = {{50, 2, 1}, {3, 40, 7}, {0, 5, 45}};
  for (std::size_t t = 0; t < 3; ++t)
    for (std::size_t p = 0; p < 3; ++p)
      for (int k = 0; k < counts[t][p]; ++k) m.add(t, p);
  return m;
}

}  // namespace

TEST_CASE("plot: history and confusion write PNGs of the documented size") {
  TempDir dir("sizes");
  typenet::plot::history(training_history(10), dir.path / "history.png", "model #1");
  typenet::plot::confusion(small_confusion(), dir.path / "confusion.png", "test set");
  check_png(dir.path / "history.png", typenet::plot::history_size);
  check_png(dir.path / "confusion.png", typenet::plot::confusion_size(3));
  CHECK(files_in(dir.path) == std::vector<std::string>{"confusion.png", "history.png"});
}

TEST_CASE("plot: history with one epoch, and with only some series") {
  TempDir dir("partial");
  typenet::plot::history(training_history(1), dir.path / "one_epoch.png", "one epoch");
  check_png(dir.path / "one_epoch.png", typenet::plot::history_size);

  typenet::History loss_only;
  for (double v : {0.9, 0.5, 0.3}) loss_only.append("loss", v);
  typenet::plot::history(loss_only, dir.path / "loss_only.png", "loss only");
  check_png(dir.path / "loss_only.png", typenet::plot::history_size);

  typenet::plot::history(typenet::History{}, dir.path / "empty.png", "nothing yet");
  check_png(dir.path / "empty.png", typenet::plot::history_size);
}

TEST_CASE("plot: confusion figure grows with the number of classes, up to a limit") {
  CHECK(typenet::plot::confusion_size(2).width_px == typenet::plot::confusion_size(10).width_px);
  CHECK(typenet::plot::confusion_size(30).height_px > typenet::plot::confusion_size(10).height_px);
  CHECK(typenet::plot::confusion_size(100).height_px == typenet::plot::confusion_size(1000).height_px);

  TempDir dir("classes");
  typenet::ConfusionMatrix m(40);
  for (std::size_t k = 0; k < 40; ++k) m.add(k, (k * 7) % 40);
  typenet::plot::confusion(m, dir.path / "forty.png", "40 classes");
  check_png(dir.path / "forty.png", typenet::plot::confusion_size(40));
}

TEST_CASE("plot: overwrites an existing file and can be called many times") {
  TempDir dir("repeat");
  const auto target = dir.path / "history.png";
  { std::ofstream(target) << "old content"; }
  const std::size_t descriptors = open_file_descriptors();
  for (int round = 0; round < 5; ++round) {
    typenet::plot::history(training_history(3 + round), target, "round");
    typenet::plot::confusion(small_confusion(), dir.path / "confusion.png", "round");
  }
  CHECK(open_file_descriptors() == descriptors);  // every PLplot stream and file was closed
  check_png(target, typenet::plot::history_size);
  CHECK(files_in(dir.path) == std::vector<std::string>{"confusion.png", "history.png"});
}

TEST_CASE("plot: a target that cannot be written throws and names the path") {
  TempDir dir("unwritable");
  const auto blocker = dir.path / "not_a_folder";
  { std::ofstream(blocker) << "a file where a folder is expected"; }

  const auto under_a_file = blocker / "history.png";
  try {
    typenet::plot::history(training_history(2), under_a_file, "x");
    FAIL("expected an exception");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find(under_a_file.string()) != std::string::npos);
  }

  // A folder in the way of the target: PLplot draws, but the final rename must fail.
  const auto folder_target = dir.path / "confusion.png";
  fs::create_directories(folder_target / "inside");
  CHECK_THROWS_AS(typenet::plot::confusion(small_confusion(), folder_target, "x"), std::runtime_error);
  CHECK(files_in(dir.path) == std::vector<std::string>{"confusion.png", "not_a_folder"});
  CHECK(fs::is_directory(folder_target));

  // PLplot is still usable afterwards.
  typenet::plot::history(training_history(2), dir.path / "after.png", "after a failure");
  check_png(dir.path / "after.png", typenet::plot::history_size);
}

}  // namespace test_plot
#endif  // TYPENET_HAVE_PLPLOT
