// Lab part 4: pneumonia from chest X-rays, a binary diagnosis. On PneumoniaMNIST (28x28, the
// official train/val/test splits, vendored in third_party/pneumoniamnist) it trains the lab's
// network adapted to 28x28 with the lab's settings (Adam 0.001, binary cross-entropy, batch 64,
// 5 epochs, class weights total / (2 * count)) and a stronger network of ours. Every choice, the
// epoch kept and the decision threshold, is made on the validation split; the test split is
// read once, at the end, and its figures are printed next to the published reference results.
//
// With --images DIR it runs the lab's own network, for 128x128 inputs, on a folder in the Kaggle
// chest X-ray layout instead: DIR/train, DIR/val and DIR/test, each with one folder per class,
// normal and pneumonia (in any case), holding PNG or JPEG files of any size.
#include <typenet/data/image_folder.hpp>
#include <typenet/data/medmnist.hpp>
#include <typenet/io/atomic_file.hpp>
#include <typenet/typenet.hpp>

#include <cctype>
#include <optional>

#include "common/binary_lab_example.hpp"
#include "common/lab_report.hpp"
#include "networks/pneumonia_cnn.hpp"

namespace tn = typenet;
using namespace lab::pneumonia_cnn;

namespace {

// MedMNIST v2 (Yang et al., Scientific Data 2023), PneumoniaMNIST test split, 28x28 inputs.
const std::vector<lab::Published> medmnist_references = {
    {"ResNet-18 (28)", 0.854, 0.944},
    {"ResNet-50 (28)", 0.854, 0.948},
    {"auto-sklearn", 0.855, std::nullopt},
    {"AutoKeras", 0.878, std::nullopt},
    {"Google AutoML Vision", 0.946, 0.991},
};

// A split of a Kaggle-layout folder at the lab network's input size, labels 0 normal, 1 pneumonia.
tn::data::ImageFolder load_kaggle_split(const std::filesystem::path& root, const std::string& split) {
  auto lowercase = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  std::filesystem::path dir = root / split;
  for (const auto& entry : std::filesystem::directory_iterator(root))  // "train" or "TRAIN"
    if (entry.is_directory() && lowercase(entry.path().filename().string()) == split) dir = entry.path();
  auto folder = tn::data::load_image_folder(dir, {.height = 128, .width = 128}, &std::cerr);
  if (lowercase(folder.class_names[0]) != "normal" || folder.class_names.size() != 2 ||
      lowercase(folder.class_names[1]) != "pneumonia")
    throw std::runtime_error(dir.string() + ": expected exactly the class folders normal and pneumonia (any case)");
  std::cout << dir.string() << ": " << folder.labels.size() << " images\n";
  return folder;
}

int run_on_image_folder(const lab::Options& options, const std::filesystem::path& root) {
  if (options.model != "all" && options.model != "lab128")
    throw std::runtime_error("--images runs the lab's 128x128 network only (--model lab128)");
  const auto train = load_kaggle_split(root, "train"), val = load_kaggle_split(root, "val"), test = load_kaggle_split(root, "test");
  tn::Model<Lab128> model{options.seed};
  model.compile(tn::Adam{}, tn::BinaryCrossentropy{});
  lab::run_binary(model,
                  {{"4 CNN on chest X-rays (128×128 folder)", "lab128",
                    "the lab's network: Conv 8/16/32/64/128 3×3 same relu, each → MaxPool 2 → Dense 32 relu → Dense 16 relu → Dense 1 sigmoid",
                    64, 5, {}},
                   0, {"normal", "pneumonia"}},
                  options, {train.images, train.labels}, {val.images, val.labels}, {test.images, test.labels});
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  std::optional<std::filesystem::path> images;
  const auto options = lab::parse_options(
      argc, argv, "typenet: pneumonia from chest X-rays (PneumoniaMNIST, or a Kaggle-layout image folder)",
      {"lab28", "ours", "lab128"}, TYPENET_DEFAULT_PNEUMONIA_DIR, "results/pneumonia_cnn",
      {{"--images",
        "folder in the Kaggle chest X-ray layout (train/, val/, test/, each with normal/ and pneumonia/): "
        "train the lab's 128x128 network on it instead of PneumoniaMNIST",
        &images}});
  if (images) return run_on_image_folder(options, *images);
  const auto data = tn::data::load_medmnist(options.data_dir / "pneumoniamnist.npz");
  const lab::BinarySplit train{data.train.images, data.train.labels}, val{data.val.images, data.val.labels},
      test{data.test.images, data.test.labels};
  const std::string part = "4 CNN on chest X-rays";
  const std::vector<std::string> names = {"normal", "pneumonia"};

  auto train_model = [&]<class Net>(const lab::BinarySpec& spec, auto make_optimizer) {
    if (!options.wants(spec.model.name)) return;
    const std::size_t epochs = options.epochs.value_or(spec.model.epochs);
    lab::for_each_seed(spec.model, options, [&](const lab::Options& run_options) {
      tn::Model<Net> model{run_options.seed};
      model.compile(make_optimizer(epochs), tn::BinaryCrossentropy{});
      lab::run_binary(model, spec, run_options, train, val, test);
    });
  };
  train_model.operator()<Lab28>(
      {{part, "lab28", "the lab's network, 3 blocks for 28×28: Conv 8/16/32 3×3 same relu, each → MaxPool 2 → Dense 32 relu → Dense 16 relu → Dense 1 sigmoid",
        64, 5, {}},
       0, names, medmnist_references},
      [](std::size_t) { return tn::Adam{}; });
  train_model.operator()<Ours>(
      {{part, "ours", "(Conv 16 3×3 same relu ×2) → MaxPool 2 → Dropout 0.1 → (Conv 32 3×3 same relu ×2) → MaxPool 2 → Dropout 0.2 → Conv 64 3×3 same relu → GlobalAvgPool → Dense 64 relu → Dropout 0.3 → Dense 1 sigmoid; shifts ±10%, rotations ±10°, zoom ±10%",
        64, 30, {}, tn::ImageAugmentation{.shift = 0.1, .rotation_degrees = 10, .zoom = 0.1}, 3,
        "accuracy at 0.5 >= 0.87 and AUC >= 0.96, above ResNet-18 (28)'s published 0.854 / 0.944"},
       10, names, medmnist_references},
      [](std::size_t) { return tn::Adam{}; });
  tn::io::write_file_atomically(
      options.out_dir / "report.md",
      lab::clinical_report(options.out_dir, part, "Pneumonia from chest X-rays: PneumoniaMNIST test split (624 images, 28×28)",
                           medmnist_references));
  return 0;
} catch (const std::exception& e) {
  std::cerr << "pneumonia_cnn: " << e.what() << '\n';
  return 1;
}
