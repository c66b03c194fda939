// predict: classifies image files with a model saved by a lab example.
//
//   predict --model results/mlp_raw_mnist/model1/model.typenet digit.png photo.jpg ...
//
// prints one line per image, PATH<TAB>CLASS<TAB>PROBABILITY (with --top K, the K best classes
// as further CLASS<TAB>PROBABILITY pairs), or with --json one JSON array. Each image is read
// (PNG, JPEG or binary PGM/PPM, by libpng, libjpeg-turbo or typenet's own reader), made grayscale
// and resized to the model's input (io/image.hpp), scaled to [0, 1] as the lab's data (MNIST digits are light on dark: --invert
// turns dark ink on light paper around). An image that cannot be read is reported on stderr and
// the others are still classified.
//
// Exit status: 0 every image classified; 1 some image could not be read; 2 the model file or
// the command line is wrong (nothing classified).
//
// The file's header records its architecture; predict runs it with the compiled network of the
// same architecture among the lab's (examples/predict_networks.hpp).
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <xtensor/xtensor.hpp>

#include "predict_networks.hpp"
#include "typenet/io/image.hpp"
#include "typenet/model.hpp"

namespace tn = typenet;
namespace fs = std::filesystem;

namespace {

struct Options {
  fs::path model;
  std::vector<fs::path> images;
  std::size_t top = 1;
  bool json = false;
  bool invert = false;  // dark on light (ink on paper) to the light-on-dark MNIST is made of
};

struct Ranked {
  std::size_t class_index;
  float probability;
};

// The classes of one output row, most probable first. A single sigmoid unit is two classes:
// 0 with 1 - p and 1 with p.
std::vector<Ranked> ranking(const float* row, std::size_t width) {
  std::vector<Ranked> ranked;
  if (width == 1) {
    ranked = {{0, 1.0f - row[0]}, {1, row[0]}};
  } else {
    for (std::size_t k = 0; k < width; ++k) ranked.push_back({k, row[k]});
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {  // ties: the lower class first
    return a.probability > b.probability || (a.probability == b.probability && a.class_index < b.class_index);
  });
  return ranked;
}

std::string probability_text(float p) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6f", static_cast<double>(p));
  return text;
}

// What the output needs of the network: its name, its class names and its output width.
struct Classes {
  const std::string& network;
  const std::vector<std::string>& names;  // empty: classes are numbered 0, 1, ...
  std::size_t width;                       // the output width; 1 is a single sigmoid unit, 2 classes
  std::size_t count() const { return width == 1 ? 2 : width; }
};

// The readable images, one row each, resized to the network's input, and why the others were not.
struct Images {
  xt::xtensor<float, 2> rows;
  std::vector<std::optional<std::string>> errors;  // one per image given, set when it could not be read
};

// Reading the images and printing the results do not depend on the network's type: as plain
// functions they are compiled once, not once for each network predict knows.
Images read_images(const Options& options, std::span<const std::size_t> input_dims, std::size_t input_size) {
  const tn::io::ImageLayout layout = tn::io::image_layout_for_input(input_dims);
  Images images;
  images.errors.resize(options.images.size());
  std::vector<float> pixels;
  for (std::size_t i = 0; i < options.images.size(); ++i) {
    try {
      const auto image = tn::io::read_image(options.images[i], layout.width, layout.height, layout.mode);
      for (float v : image.pixels) pixels.push_back(options.invert ? 1.0f - v : v);
    } catch (const tn::io::ImageError& e) {
      images.errors[i] = e.what();
      std::cerr << "predict: " << e.what() << '\n';
    }
  }
  images.rows = xt::xtensor<float, 2>::from_shape({pixels.size() / input_size, input_size});
  std::copy(pixels.begin(), pixels.end(), images.rows.data());
  return images;
}

// --top within the network's classes, and the class names (if any) one per class.
void check_classes(const Options& options, const Classes& classes) {
  if (options.top > classes.count())
    throw std::invalid_argument("--top " + std::to_string(options.top) + ": " + classes.network + " has " +
                                std::to_string(classes.count()) + " classes");
  if (!classes.names.empty() && classes.names.size() != classes.count())
    throw std::logic_error(classes.network + " names " + std::to_string(classes.names.size()) +
                           " classes but has " + std::to_string(classes.count()));
}

// Prints each image's classes (or its error), as lines or as one JSON array; returns the exit status.
int report(const Options& options, const Classes& classes, const Images& images,
           const xt::xtensor<float, 2>& probabilities) {
  auto class_json = [&](std::size_t k) {
    return classes.names.empty() ? nlohmann::ordered_json(k) : nlohmann::ordered_json(classes.names[k]);
  };
  auto class_text = [&](std::size_t k) { return classes.names.empty() ? std::to_string(k) : classes.names[k]; };
  auto results = nlohmann::ordered_json::array();
  std::size_t row = 0;
  for (std::size_t i = 0; i < options.images.size(); ++i) {
    if (images.errors[i]) {
      results.push_back({{"path", options.images[i].string()}, {"error", *images.errors[i]}});
      continue;
    }
    const auto ranked = ranking(probabilities.data() + row++ * classes.width, classes.width);
    if (options.json) {
      auto top = nlohmann::ordered_json::array();
      for (std::size_t k = 0; k < options.top; ++k)
        top.push_back({{"class", class_json(ranked[k].class_index)}, {"probability", ranked[k].probability}});
      results.push_back({{"path", options.images[i].string()},
                         {"class", class_json(ranked[0].class_index)},
                         {"probability", ranked[0].probability},
                         {"top", std::move(top)}});
    } else {
      std::cout << options.images[i].string();
      for (std::size_t k = 0; k < options.top; ++k)
        std::cout << '\t' << class_text(ranked[k].class_index) << '\t' << probability_text(ranked[k].probability);
      std::cout << '\n';
    }
  }
  if (options.json) std::cout << results.dump(2) << '\n';
  return images.rows.shape(0) == options.images.size() ? 0 : 1;
}

// What depends on the network's type: loading the file into it and running it. Every image is
// read first, so that one predict call classifies them all.
template <class Net>
int classify(const lab::KnownNetwork<Net>& known, const Options& options) {
  using Model = tn::Model<Net>;
  Model model = Model::load(options.model);
  const Classes classes{known.name, known.class_names, Model::output_size};
  check_classes(options, classes);
  const Images images = read_images(options, Model::input_shape::dims, Model::input_size);
  xt::xtensor<float, 2> probabilities;
  if (images.rows.shape(0) > 0) probabilities = model.predict(images.rows);
  return report(options, classes, images, probabilities);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  bool list = false;
  CLI::App app{"typenet predict: classifies image files (PNG, JPEG, PGM, ...) with a model saved by a lab example"};
  app.add_option("--model", options.model, "a model file saved by a lab example (results/<example>/<model>/model.typenet)");
  app.add_option("images", options.images, "image files");
  app.add_option("--top", options.top, "print the K most probable classes of each image")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("--json", options.json, "print a JSON array instead of one line per image");
  app.add_flag("--invert", options.invert, "invert the gray levels first (dark digits on a light background)");
  app.add_flag("--list-networks", list, "print the networks predict can run and exit");
  try {
    app.parse(argc, argv);
    if (!list && (options.model.empty() || options.images.empty()))
      throw CLI::ValidationError("predict needs --model FILE and at least one IMAGE");
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? 0 : 2;
  }

  const auto known = lab::predict_networks();
  if (list) {
    std::cout << lab::describe_networks(known);
    return 0;
  }
  try {
    return lab::with_network_of(options.model, known, [&](const auto& entry) { return classify(entry, options); });
  } catch (const std::exception& e) {
    std::cerr << "predict: " << e.what() << '\n';
    return 2;
  }
}
