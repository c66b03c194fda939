// A tiny fixed CNN against PyTorch: outputs, loss and every parameter's gradient on the same
// weights and images (tests/data/cnn/golden.txt, written by make_golden.py next to it, which
// also explains the layout conversions). It covers 'same' with stride 1 and with Keras's
// asymmetric stride-2 padding, 'valid', max pooling that floors, average pooling, the
// channels-last Flatten and Dense.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "typenet/typenet.hpp"

namespace test_cnn_golden {

namespace tn = typenet;

namespace {

using GoldenNet = tn::Sequential<tn::Input<21, 21, 2>, tn::Conv2D<4, 3, 3, tn::ReLU, tn::Same>, tn::MaxPool2D<2>,
                                 tn::Conv2D<3, 3, 3, tn::ReLU, tn::Same, 2>, tn::Conv2D<5, 2, 2, tn::Tanh, tn::Valid>,
                                 tn::AvgPool2D<2>, tn::Flatten, tn::Dense<4, tn::ReLU>, tn::Dense<3, tn::Softmax>>;
static_assert(GoldenNet::param_count == 351);
static_assert(GoldenNet::layer<3>::window::pad_top == 0 && GoldenNet::layer<3>::window::pad_left == 0);  // (0, 1)
// The first convolution and its max pooling run fused (layer.hpp); the second convolution's ReLU
// is followed by another convolution, so it runs on its own.
static_assert(tn::FusesBiasAndReLU<GoldenNet::layer<1>, GoldenNet::layer<2>>);
static_assert(!tn::FusesBiasAndReLU<GoldenNet::layer<3>, GoldenNet::layer<4>>);

// Relative to the largest magnitude of each quantity: typenet computes in float32, PyTorch in float64.
constexpr double output_tolerance = 1e-5, gradient_tolerance = 1e-4;

struct Record {
  std::vector<std::size_t> dims;
  std::vector<double> values;
};

std::map<std::string, Record> read_golden(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open (run tests/data/cnn/make_golden.py)");
  std::map<std::string, Record> records;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream header(line);
    std::string tag;
    header >> tag;
    Record r;
    std::size_t count = 1;
    for (std::size_t d; header >> d;) r.dims.push_back(d), count *= d;
    std::getline(in, line);
    std::istringstream body(line);
    for (double v; body >> v;) r.values.push_back(v);
    if (r.values.size() != count)
      throw std::runtime_error(path + ": record '" + tag + "' has " + std::to_string(r.values.size()) + " values, expected " +
                               std::to_string(count));
    records[tag] = std::move(r);
  }
  return records;
}

xt::xtensor<float, 2> matrix(const Record& r) {
  auto m = xt::xtensor<float, 2>::from_shape({r.dims.at(0), r.dims.at(1)});
  std::transform(r.values.begin(), r.values.end(), m.begin(), [](double v) { return static_cast<float>(v); });
  return m;
}

template <class Actual>
void check_close(const std::string& what, const Actual& actual, const std::vector<double>& expected, double tolerance) {
  REQUIRE(static_cast<std::size_t>(actual.size()) == expected.size());
  double scale = 0.0;
  for (double v : expected) scale = std::max(scale, std::abs(v));
  std::size_t failures = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const double a = static_cast<double>(*(actual.begin() + static_cast<std::ptrdiff_t>(i)));
    if (std::abs(a - expected[i]) > tolerance * scale && ++failures <= 10)
      FAIL_CHECK(what << "[" << i << "]: typenet " << a << ", PyTorch " << expected[i]);
  }
  CHECK_MESSAGE(failures == 0, what << ": " << failures << " of " << expected.size() << " values differ");
}

}  // namespace

TEST_CASE("a tiny CNN computes PyTorch's outputs, loss and gradients on the same weights") {
  const auto golden = read_golden(TYPENET_TEST_DATA "/cnn/golden.txt");  // one literal: g++ 12 warns falsely on a string + literal here
  tn::Model<GoldenNet> model{1};
  model.compile(tn::SGD{}, tn::CategoricalCrossentropy{});
  const auto& params = golden.at("params").values;
  REQUIRE(params.size() == GoldenNet::param_count);
  std::transform(params.begin(), params.end(), model.parameters().begin(), [](double v) { return static_cast<float>(v); });

  const auto x = matrix(golden.at("input"));
  const auto y = matrix(golden.at("target"));
  check_close("output", model.predict(x), golden.at("output").values, output_tolerance);
  const double loss = model.compute_gradients(x, y);
  CHECK(loss == doctest::Approx(golden.at("loss").values.at(0)).epsilon(1e-5));
  check_close("gradient", model.gradients(), golden.at("gradient").values, gradient_tolerance);
}

}  // namespace test_cnn_golden
