// plot::roc: a PNG of the documented size with the curves of two data sets, and an unwritable
// target named in the error.
#ifdef TYPENET_HAVE_PLPLOT
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <stb/stb_image.h>

#include "typenet/plot/roc.hpp"

namespace test_roc {

namespace fs = std::filesystem;
namespace tnm = typenet::metrics;

TEST_CASE("plot::roc writes a PNG of roc_size with the curves and their legend") {
  const std::vector<int> y = {0, 0, 1, 1, 0, 1, 1, 0, 1, 1};
  const std::vector<double> s = {0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.4, 0.2, 0.6, 0.35};
  const fs::path png = fs::temp_directory_path() / "typenet_test_roc.png";
  fs::remove(png);
  typenet::plot::roc({{"validation (AUC 0.792)", tnm::roc_curve(y, s)}, {"perfect # (AUC 1.000)", tnm::roc_curve(y, y)}}, png,
                     "ROC");
  int width = 0, height = 0, channels = 0;
  REQUIRE(stbi_info(png.c_str(), &width, &height, &channels) == 1);
  CHECK(width == typenet::plot::roc_size.width_px);
  CHECK(height == typenet::plot::roc_size.height_px);
  // The orange validation curve is drawn: some pixel has matplotlib's tab:orange (255, 127, 14).
  unsigned char* pixels = stbi_load(png.c_str(), &width, &height, &channels, 3);
  REQUIRE(pixels != nullptr);
  int orange = 0;
  for (int i = 0; i < width * height; ++i) orange += pixels[3 * i] > 240 && pixels[3 * i + 1] > 110 && pixels[3 * i + 1] < 145 && pixels[3 * i + 2] < 40;
  stbi_image_free(pixels);
  CHECK(orange > 100);

  // A file where a folder is expected (write_png creates missing folders, so a missing one would not do).
  const fs::path blocker = fs::temp_directory_path() / "typenet_test_roc_blocker";
  fs::remove_all(blocker);
  std::ofstream(blocker) << "a file";
  const fs::path unwritable = blocker / "roc.png";
  CHECK_THROWS_WITH_AS(typenet::plot::roc({}, unwritable, "ROC"),
                       doctest::Contains(("typenet::plot::roc: cannot write '" + unwritable.string() + "'").c_str()), std::runtime_error);
}

}  // namespace test_roc
#endif  // TYPENET_HAVE_PLPLOT
