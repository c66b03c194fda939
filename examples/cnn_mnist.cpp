// Lab part 3: convolutional networks on the raw 28x28x1 MNIST images, with the lab's settings
// (RMSprop with Keras's defaults, categorical cross-entropy, validation_split 0.1), and the lab's
// question "deeper CNNs: more weights?" answered from the compile-time parameter counts. `best`,
// for the lab's target of 0.993, also trains on augmented images with a cosine-decayed rate, on
// three seeds (--seeds), reported one by one and as their mean.
#include <typenet/data.hpp>
#include <typenet/io/atomic_file.hpp>
#include <typenet/typenet.hpp>

#include <cmath>

#include "common/lab_example.hpp"
#include "common/weight_census.hpp"
#include "networks/cnn_mnist.hpp"

namespace tn = typenet;

using namespace lab::cnn_mnist;  // the networks (examples/networks/cnn_mnist.hpp)

// The raw-pixel MLPs of part 2a (examples/mlp_raw_mnist.cpp), for the weights table only; the
// asserts keep them equal to the ones trained there.
using MlpStarter = tn::Sequential<tn::Input<784>, tn::Dense<2, tn::Sigmoid>, tn::Dense<10, tn::Softmax>>;
using MlpModel1 = tn::Sequential<tn::Input<784>, tn::Dense<512, tn::Sigmoid>, tn::Dense<10, tn::Softmax>>;
using MlpModel3 = tn::Sequential<tn::Input<784>, tn::Dense<512, tn::Sigmoid>, tn::Dropout<0.5>, tn::Dense<256, tn::ReLU>,
                                 tn::Dropout<0.5>, tn::Dense<10, tn::Softmax>>;
static_assert(MlpStarter::param_count == 1600 && MlpModel1::param_count == 407050 && MlpModel3::param_count == 535818);

namespace {

std::string weights_table() {
  using lab::census;
  const std::vector<lab::WeightCensus> rows = {
      census<MlpStarter>("MLP", "starter"),  census<MlpModel1>("MLP", "model1 (= model2)"),
      census<MlpModel3>("MLP", "model3"),    census<Starter>("CNN", "starter"),
      census<Small>("CNN", "small"),         census<Deep>("CNN", "deep"),
      census<Best>("CNN", "best"),
  };
  return "### Deeper CNNs: more weights?\n\n"
         "Parameter counts from the compile-time types: the raw-pixel MLPs of part 2a next to the CNNs. "
         "Deeper is not heavier: a convolution shares its kh*kw*in*out weights across the whole image, "
         "so a convolution layer adds few of them, and each pooling quarters what the first dense layer "
         "sees. A CNN's weight count is set by its Flatten width times the units of that dense layer: "
         "in the deep CNN (784 values after Flatten) 99 % of the weights are there, while the starter "
         "and small CNNs, whose three poolings leave 18 and 144 values, keep about half in their "
         "convolutions. Every CNN here has fewer weights than the MLPs 1-3.\n\n" +
         lab::census_markdown(rows);
}

}  // namespace

int main(int argc, char** argv) try {
  const auto options = lab::parse_options(argc, argv, "typenet: the lab's CNNs on raw MNIST images",
                                          {"starter", "small", "deep", "best"}, TYPENET_DEFAULT_MNIST_DIR,
                                          "results/cnn_mnist");
  const std::string table = weights_table();
  std::cout << table << '\n';
  std::filesystem::create_directories(options.out_dir);
  tn::io::write_file_atomically(options.out_dir / "report.md", table);

  const auto mnist = tn::data::load_mnist(options.data_dir);
  // (N, 28, 28) images are (N, 28, 28, 1) for Input<28, 28, 1>: the trailing 1 may be left out.
  const auto y_train = tn::data::to_categorical(mnist.train_labels, 10);
  const auto y_test = tn::data::to_categorical(mnist.test_labels, 10);
  const lab::TestSet test{mnist.test_images, y_test, mnist.test_labels};
  const std::string part = "3 CNN on raw images";

  // Every model is compiled with make_optimizer(epochs): RMSprop with Keras's defaults, or for
  // `best` with the rate decayed over the run.
  auto train = [&]<class Net>(const lab::ModelSpec& spec, auto make_optimizer) {
    if (!options.wants(spec.name)) return;
    const std::size_t epochs = options.epochs.value_or(spec.epochs);
    lab::for_each_seed(spec, options, [&](const lab::Options& run_options) {
      tn::Model<Net> model{run_options.seed};
      model.compile(make_optimizer(epochs), tn::CategoricalCrossentropy{});
      lab::run(model, spec, run_options, mnist.train_images, y_train, test, 10);
    });
  };
  auto rmsprop = [](std::size_t) { return tn::RMSprop{}; };
  // Keras's default rate, 0.001, brought down to 0 along a half cosine over the run's steps (the
  // 54,000 training rows, validation_split 0.1 leaving 6,000, in batches of 128: 422 steps an epoch).
  auto rmsprop_cosine = [](std::size_t epochs) {
    const double steps_per_epoch = std::ceil(54000.0 / 128.0);
    return tn::RMSprop{.learning_rate = tn::CosineDecay{{.initial_learning_rate = 0.001,
                                                          .decay_steps = steps_per_epoch * static_cast<double>(epochs)}}};
  };
  train.operator()<Starter>({part, "starter", "3 × (Conv 2 2×2 same relu → MaxPool 2) → Dense 2 relu → Dense 10 softmax", 128,
                             3, {{}, 0.3344}}, rmsprop);
  train.operator()<Small>({part, "small", "Conv 8/16/16 2×2 same relu, each → MaxPool 2 → Dense 8 relu → Dense 10 softmax",
                           128, 10, {{}, 0.9768}}, rmsprop);
  train.operator()<Deep>({part, "deep",
                          "Conv 8 3×3 same relu → MaxPool 2 → Dropout 0.2 → Conv 16 3×3 same relu → MaxPool 2 → Dropout "
                          "0.2 → Dense 200 relu → Dropout 0.5 → Dense 10 softmax",
                          128, 10, {{}, 0.9909}}, rmsprop);
  train.operator()<Best>({part, "best",
                          "Conv 32 3×3 relu → MaxPool 2 → BatchNorm → Conv 64 3×3 relu → MaxPool 2 → BatchNorm → Dense "
                          "128 relu → Dropout 0.5 → Dense 10 softmax; shifts ±10%, rotations ±10°, zoom ±10%, rate cosine-decayed",
                          128, 15, {{}, 0.993}, tn::ImageAugmentation{.shift = 0.1, .rotation_degrees = 10, .zoom = 0.1}, 3,
                          "test accuracy >= 0.993 (the lab's target)"},
                         rmsprop_cosine);
  return 0;
} catch (const std::exception& e) {
  std::cerr << "cnn_mnist: " << e.what() << '\n';
  return 1;
}
