// Every lab network (the MLPs on raw pixels, the HOG networks after their fixed prefix, fed the
// HOG features, the CNNs on MNIST, the pneumonia networks), trained a little so that
// BatchNormalization's moving statistics are not their starting values, exported with typenet::onnx::save and run in ONNX Runtime (through its
// Node binding, tests/onnx/run_onnxruntime.js) on 64 random inputs: its outputs must be predict's
// within 1e-5. Where Debian's python3-onnx is installed, ONNX's own checker must accept each file.
//   runtime_matches_predict WORKDIR NODE_PATH
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "networks/cnn_mnist.hpp"
#include "networks/mlp_hog_mnist.hpp"
#include "networks/mlp_raw_mnist.hpp"
#include "networks/pneumonia_cnn.hpp"
#include "typenet/detail/random.hpp"
#include "typenet/io/onnx.hpp"
#include "typenet/typenet.hpp"

namespace fs = std::filesystem;
namespace tn = typenet;

namespace {

fs::path workdir;
std::string runner;  // the node command that runs run_onnxruntime.js
bool have_checker = false;
int failures = 0;

void write_floats(const fs::path& path, const float* data, std::size_t n) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n * sizeof(float)));
}

std::vector<float> read_floats(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<float> values(fs::exists(path) ? fs::file_size(path) / sizeof(float) : 0);
  in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(float)));
  return values;
}

// The whole network, or with AfterFixedPrefix the layers after its fixed prefix, fed the prefix's
// output (the HOG networks).
template <class Net, class... Part>
void check(const std::string& name, Part... part) {
  constexpr std::size_t rows = 64, outputs = Net::output_shape::size;
  tn::detail::Rng rng(17);
  auto x = xt::xtensor<float, 2>::from_shape({rows, Net::input_shape::size});
  for (float& v : x) v = rng.uniform();
  auto y = xt::xtensor<float, 2>::from_shape({rows, outputs});
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t c = 0; c < outputs; ++c) y(i, c) = outputs == 1 ? static_cast<float>(i % 2) : (i % outputs == c ? 1.0f : 0.0f);
  tn::Model<Net> model{5};
  if constexpr (outputs == 1)
    model.compile(tn::Adam{}, tn::BinaryCrossentropy{});
  else
    model.compile(tn::Adam{}, tn::CategoricalCrossentropy{});
  model.fit(x, y, {.batch_size = 16, .epochs = 1, .verbose = 0});

  const fs::path onnx = workdir / (name + ".onnx"), input = workdir / (name + ".in"), output = workdir / (name + ".out");
  tn::onnx::save(model, onnx, part...);
  const auto expected = model.predict(x);
  std::string command = runner + " '" + onnx.string() + "' '" + input.string() + "' '" + output.string() + "' 2 " +
                        std::to_string(rows);
  if constexpr (sizeof...(Part) == 0) {
    write_floats(input, x.data(), x.size());
    for (std::size_t d : Net::input_shape::dims) command += " " + std::to_string(d);
  } else {
    const auto features = model.predict_fixed_prefix(x);
    write_floats(input, features.data(), features.size());
    command += " " + std::to_string(features.shape(1));
  }
  fs::remove(output);
  if (std::system(command.c_str()) != 0) {
    std::cerr << name << ": ONNX Runtime failed: " << command << '\n';
    ++failures;
    return;
  }
  const std::vector<float> got = read_floats(output);
  double largest = 0.0;
  if (got.size() != expected.size()) {
    std::cerr << name << ": ONNX Runtime gave " << got.size() << " values, predict " << expected.size() << '\n';
    ++failures;
    return;
  }
  for (std::size_t i = 0; i < got.size(); ++i) largest = std::max(largest, std::abs(double(got[i]) - expected.data()[i]));
  const bool close = largest <= 1e-5;
  std::cout << name << ": " << Net::param_count << " parameters, largest difference from predict " << largest
            << (close ? "" : " (more than 1e-5)") << '\n';
  failures += !close;
  if (have_checker) {
    const std::string checker = "/usr/bin/python3 -c \"import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), "
                                "full_check=True)\" '" + onnx.string() + "'";
    if (std::system(checker.c_str()) != 0) {
      std::cerr << name << ": ONNX's checker refused " << onnx << '\n';
      ++failures;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: runtime_matches_predict WORKDIR NODE_PATH\n";
    return 2;
  }
  workdir = argv[1];
  fs::create_directories(workdir);
  runner = "NODE_PATH='" + std::string(argv[2]) + "' node '" + TYPENET_ONNX_RUNNER + "'";
  have_checker = std::system("/usr/bin/python3 -c 'import onnx' 2>/dev/null") == 0;
  std::cout << (have_checker ? "ONNX's checker runs on each file\n" : "python3-onnx is not installed: no checker\n");
  check<lab::mlp_raw_mnist::Model1>("mlp_model1");
  check<lab::mlp_raw_mnist::Model3>("mlp_model3");
  check<lab::mlp_hog_mnist::Model1>("hog_model1", tn::onnx::after_fixed_prefix);
  check<lab::mlp_hog_mnist::Model3>("hog_model3", tn::onnx::after_fixed_prefix);
  check<lab::cnn_mnist::Starter>("cnn_starter");
  check<lab::cnn_mnist::Small>("cnn_small");
  check<lab::cnn_mnist::Deep>("cnn_deep");
  check<lab::cnn_mnist::Best>("cnn_best");
  check<lab::pneumonia_cnn::Lab28>("pneumonia_lab28");
  check<lab::pneumonia_cnn::Ours>("pneumonia_ours");
  if (failures) std::cerr << failures << " failure(s)\n";
  return failures ? 1 : 0;
}
