// Acceptance of the image-folder path on real X-rays: PneumoniaMNIST images written out as PNG
// files in the Kaggle chest X-ray layout (train/ val/ test/, class folders NORMAL/ PNEUMONIA/ in
// Kaggle's upper case, plus a stray .DS_Store that must be reported, not fatal), then
// `pneumonia_cnn --images` trains the lab's 128x128 network (five conv blocks, 164,353 params) on
// them for one epoch. The 28x28 images are upscaled to 128x128 by load_image_folder, so the large
// convolutions run on real content. Subsets keep it short (about 15 s): 2,400 train, 200 val, 300 test.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "typenet/data/medmnist.hpp"
#include "typenet/io/png.hpp"

namespace pneumonia_folder128 {

namespace fs = std::filesystem;

namespace {

void write_split(const typenet::data::MedMnistSplit& split, std::size_t count, const fs::path& dir) {
  const char* classes[] = {"NORMAL", "PNEUMONIA"};
  for (const char* c : classes) fs::create_directories(dir / c);
  std::vector<std::uint8_t> pixels(28 * 28);
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t p = 0; p < pixels.size(); ++p)
      pixels[p] = static_cast<std::uint8_t>(split.images.data()[i * pixels.size() + p] * 255.0f + 0.5f);
    typenet::io::write_gray_png(dir / classes[split.labels(i)] / ("img" + std::to_string(i) + ".png"), 28, 28, pixels);
  }
}

}  // namespace

TEST_CASE("pneumonia_cnn --images: the lab's 128x128 network on a Kaggle-layout folder of real X-rays, 1 epoch") {
  const auto data = typenet::data::load_medmnist(TYPENET_PNEUMONIA_NPZ);
  const fs::path root = fs::temp_directory_path() / "typenet_acceptance_pneumonia_folder";
  fs::remove_all(root);
  write_split(data.train, 2400, root / "chest_xray" / "train");
  write_split(data.val, 200, root / "chest_xray" / "val");
  write_split(data.test, 300, root / "chest_xray" / "test");
  std::ofstream(root / "chest_xray" / "train" / "NORMAL" / ".DS_Store") << "Finder metadata";

  const fs::path out = root / "results";
  const std::string command = std::string(TYPENET_PNEUMONIA_EXE) + " --images '" + (root / "chest_xray").string() +
                              "' --epochs 1 --verbose 2 --out '" + out.string() + "' 2> '" + (root / "stderr.txt").string() + "'";
  std::cout << command << std::endl;
  REQUIRE(std::system(command.c_str()) == 0);

  std::ifstream errors(root / "stderr.txt");
  const std::string stderr_text((std::istreambuf_iterator<char>(errors)), std::istreambuf_iterator<char>());
  CHECK(stderr_text.find("1 file could not be read and is left out:") != std::string::npos);
  CHECK(stderr_text.find(".DS_Store: not an image") != std::string::npos);

  std::ifstream in(out / "lab128" / "metrics.json");
  REQUIRE(in);
  const auto m = nlohmann::json::parse(in);
  std::cout << "lab128 after 1 epoch: test AUC " << m.at("test_auc") << ", accuracy " << m.at("test_accuracy") << ", "
            << m.at("train_seconds") << " s\n";
  CHECK(m.at("params") == 164353);
  CHECK(m.at("epochs") == 1);
  CHECK(m.at("test_auc").get<double>() >= 0.80);
  for (const char* file : {"roc.png", "confusion.png", "confusion_val.png", "history.png", "classification_report.txt"})
    CHECK(fs::exists(out / "lab128" / file));
  fs::remove_all(root);
}

}  // namespace pneumonia_folder128
