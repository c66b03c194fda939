// Lab part 4: pneumonia from chest X-rays, a binary diagnosis. On PneumoniaMNIST (28x28, the
// official train/val/test splits, vendored in third_party/pneumoniamnist) it trains the lab's
// network adapted to 28x28 with the lab's settings (Adam 0.001, binary cross-entropy, batch 64,
// 5 epochs, class weights total / (2 * count)) and a stronger network of ours. Every choice, the
// epoch kept and the decision threshold, is made on the validation split; the test split is
// read once, at the end, and its figures are printed next to the published reference results.
#include <typenet/data/medmnist.hpp>
#include <typenet/typenet.hpp>

#include "common/binary_lab_example.hpp"
#include "networks/pneumonia_cnn.hpp"

namespace tn = typenet;
using namespace lab::pneumonia_cnn;

namespace {

// MedMNIST v2 (Yang et al., Scientific Data 2023), PneumoniaMNIST test split, 28x28 inputs.
const nlohmann::json medmnist_references = {
    {"ResNet-18 (28)", {{"test_accuracy", 0.854}, {"test_auc", 0.944}}},
    {"ResNet-50 (28)", {{"test_accuracy", 0.854}, {"test_auc", 0.948}}},
    {"auto-sklearn", {{"test_accuracy", 0.855}}},
    {"AutoKeras", {{"test_accuracy", 0.878}}},
    {"Google AutoML Vision", {{"test_accuracy", 0.946}, {"test_auc", 0.991}}},
};

}  // namespace

int main(int argc, char** argv) try {
  const auto options = lab::parse_options(argc, argv, "typenet: pneumonia from chest X-rays (PneumoniaMNIST)",
                                          {"lab28", "ours"}, TYPENET_DEFAULT_PNEUMONIA_DIR, "results/pneumonia_cnn");
  const auto data = tn::data::load_medmnist(options.data_dir / "pneumoniamnist.npz");
  const lab::BinarySplit train{data.train.images, data.train.labels}, val{data.val.images, data.val.labels},
      test{data.test.images, data.test.labels};
  const std::string part = "4 CNN on chest X-rays";
  const std::vector<std::string> names = {"normal", "pneumonia"};

  auto train_model = [&]<class Net>(const lab::BinarySpec& spec, auto optimizer) {
    if (!options.wants(spec.model.name)) return;
    tn::Model<Net> model{options.seed};
    model.compile(optimizer, tn::BinaryCrossentropy{});
    lab::run_binary(model, spec, options, train, val, test);
  };
  train_model.operator()<Lab28>(
      {{part, "lab28", "the lab's network, 3 blocks for 28×28: Conv 8/16/32 3×3 same relu, each → MaxPool 2 → Dense 32 relu → Dense 16 relu → Dense 1 sigmoid",
        64, 5, {}},
       0, names, medmnist_references},
      tn::Adam{});
  train_model.operator()<Ours>(
      {{part, "ours", "(Conv 16 3×3 same relu ×2) → MaxPool 2 → Dropout 0.1 → (Conv 32 3×3 same relu ×2) → MaxPool 2 → Dropout 0.2 → Conv 64 3×3 same relu → GlobalAvgPool → Dense 64 relu → Dropout 0.3 → Dense 1 sigmoid; shifts ±10%, rotations ±10°, zoom ±10%",
        64, 30, {}},
       10, names, medmnist_references, tn::ImageAugmentation{.shift = 0.1, .rotation_degrees = 10, .zoom = 0.1}},
      tn::Adam{});
  return 0;
} catch (const std::exception& e) {
  std::cerr << "pneumonia_cnn: " << e.what() << '\n';
  return 1;
}
