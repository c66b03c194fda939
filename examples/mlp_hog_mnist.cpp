// Lab part 2b: multilayer perceptrons on histograms of oriented gradients instead of raw pixels,
// with the lab's settings (RMSprop with Keras's defaults, categorical cross-entropy,
// validation_split 0.1). The notebook calls skimage.feature.hog(image, orientations=n,
// pixels_per_cell=(p, p), cells_per_block=(1, 1)) on every image; here that is the first layer,
// tn::Hog<n, p>, which fit computes once per data set (it has no parameters) and predict runs on
// the raw images.
//
// Besides what every lab example writes, this one measures how long HOG takes for the 70,000
// images (report.md, read into the lab's REPORT.md) and draws the HOG picture of a few test digits
// as the notebook shows them (hog_digits.png in each model's folder).
#include <chrono>
#include <cstdio>
#include <set>
#include <sstream>
#include <utility>

#include <typenet/data.hpp>
#include <typenet/features/hog.hpp>
#include <typenet/features/hog_visualization.hpp>
#include <typenet/io/atomic_file.hpp>
#include <typenet/typenet.hpp>

#include "common/lab_example.hpp"
#include "networks/mlp_hog_mnist.hpp"

namespace tn = typenet;
namespace tf = typenet::features;

using namespace lab::mlp_hog_mnist;  // the networks (examples/networks/mlp_hog_mnist.hpp)

namespace {

// The HOG options of a network's Hog layer (layer 1), as the notebook passes them to skimage.
template <class Net>
tf::HogOptions hog_options_of() {
  using Hog = typename Net::template layer<1>;
  return {.orientations = Hog::geometry.orientations,
          .pixels_per_cell = Hog::geometry.pixels_per_cell,
          .cells_per_block = Hog::geometry.cells_per_block,
          .block_norm = tf::L2Hys};
}

struct ExtractionTime {
  tf::HogOptions options;
  std::size_t features, images;
  double seconds;
};

// HOG of every train and test image with hog_batch (all cores, a progress bar), timed. The
// models compute the same features again inside fit and predict; this is the number to quote.
ExtractionTime time_extraction(const tn::data::Mnist& mnist, const tf::HogOptions& options, int verbose) {
  std::cout << "\nHOG(" << options.orientations << " orientations, " << options.pixels_per_cell
            << " px/cell) of the train and test images on " << tn::thread_count() << " threads:\n";
  const auto start = std::chrono::steady_clock::now();
  const auto train = tf::hog_batch(mnist.train_images, options, {.verbose = verbose});
  const auto test = tf::hog_batch(mnist.test_images, options, {.verbose = verbose});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const ExtractionTime t{options, train.shape()[1], train.shape()[0] + test.shape()[0], seconds};
  std::printf("HOG(%zu, %zu): %zu images -> %zu features each in %.2f s (%.1f us per image)\n", options.orientations,
              options.pixels_per_cell, t.images, t.features, seconds, 1e6 * seconds / static_cast<double>(t.images));
  return t;
}

std::string extraction_table(const std::vector<ExtractionTime>& times) {
  std::ostringstream md;
  md << "### HOG extraction time\n\n"
     << "`tn::features::hog_batch` over the train and test images (scikit-image's hog with "
        "cells_per_block 1 and L2-Hys, as the notebook calls it) on "
     << tn::thread_count() << " threads. Training computes the features once per data set, not every epoch.\n\n"
     << "| orientations | px/cell | features | images | seconds | µs/image |\n|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& t : times) {
    char row[160];
    std::snprintf(row, sizeof row, "| %zu | %zu | %zu | %zu | %.2f | %.1f |\n", t.options.orientations,
                  t.options.pixels_per_cell, t.features, t.images, t.seconds,
                  1e6 * t.seconds / static_cast<double>(t.images));
    md << row;
  }
  return md.str();
}

}  // namespace

int main(int argc, char** argv) try {
  const auto options = lab::parse_options(argc, argv, "typenet: the lab's MLPs on HOG features of MNIST",
                                          {"starter", "model1", "model2", "model3"}, TYPENET_DEFAULT_MNIST_DIR,
                                          "results/mlp_hog_mnist");
  const auto mnist = tn::data::load_mnist(options.data_dir);
  // (N, 28, 28) images are (N, 28, 28, 1) for Input<28, 28, 1>: the Hog layer takes them raw.
  const auto y_train = tn::data::to_categorical(mnist.train_labels, 10);
  const auto y_test = tn::data::to_categorical(mnist.test_labels, 10);
  const lab::TestSet test{mnist.test_images, y_test, mnist.test_labels};
  const std::string part = "2b MLP on HOG features";
  // The notebook shows the HOG of a few test digits.
  tn::Features digits = mnist.test_images;
  digits.shape.dims[0] = 10;

  std::vector<ExtractionTime> times;
  std::set<std::pair<std::size_t, std::size_t>> timed;
  auto train = [&]<class Net>(const lab::ModelSpec& spec) {
    if (!options.wants(spec.name)) return;
    const tf::HogOptions hog = hog_options_of<Net>();
    if (timed.insert({hog.orientations, hog.pixels_per_cell}).second) {
      times.push_back(time_extraction(mnist, hog, options.verbose ? 1 : 0));
      std::filesystem::create_directories(options.out_dir);
      tn::io::write_file_atomically(options.out_dir / "report.md", extraction_table(times));
    }
    std::filesystem::create_directories(options.out_dir / spec.name);
    tf::write_hog_visualization(options.out_dir / spec.name / "hog_digits.png", digits, hog);

    tn::Model<Net> model{options.seed};
    model.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
    lab::run(model, spec, options, mnist.train_images, y_train, test, 10);
  };
  train.operator()<Starter>({part, "starter", "HOG(8, 4) = 392 → Dense 2 relu → Dense 10 softmax", 128, 3, {{}, 0.5192}});
  train.operator()<Model1>(
      {part, "model1", "HOG(8, 4) = 392 → Dense 64 relu → Dropout 0.5 → Dense 10 softmax", 128, 50, {0.0939, {}}});
  train.operator()<Model2>(
      {part, "model2", "HOG(16, 4) = 784 → Dense 64 relu → Dropout 0.5 → Dense 10 softmax", 128, 20, {0.0738, {}}});
  // The lab gives no figure and no epoch count for it; trained as model 2.
  train.operator()<Model3>({part, "model3", "HOG(8, 7) = 128 → Dense 200 relu → Dense 10 softmax", 128, 20, {}});
  return 0;
} catch (const std::exception& e) {
  std::cerr << "mlp_hog_mnist: " << e.what() << '\n';
  return 1;
}
