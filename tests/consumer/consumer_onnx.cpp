// A typenet user's program that exchanges a model through ONNX: export, then load the weights
// into a second model of the same type, which must predict the same. It must build and pass
// against an installed typenet (find_package(typenet) gives typenet::onnx) and as a subproject.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>

#include <xtensor/xtensor.hpp>

#include <typenet/io/onnx.hpp>
#include <typenet/typenet.hpp>

namespace tn = typenet;

using Net = tn::Sequential<tn::Input<6, 6, 1>, tn::Conv2D<4, 3, 3, tn::ReLU>, tn::Flatten, tn::Dense<3, tn::Softmax>>;

int main() {
  auto x = xt::xtensor<float, 2>::from_shape({5, 36});
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(i % 7) / 7.0f;
  tn::Model<Net> trained{3}, imported{4};
  const auto path = std::filesystem::temp_directory_path() / "typenet_consumer_test.onnx";
  tn::onnx::save(trained, path);
  tn::onnx::load_weights(imported, path);
  std::filesystem::remove(path);
  const auto a = trained.predict(x), b = imported.predict(x);
  const bool same = std::equal(a.begin(), a.end(), b.begin());
  std::cout << "consumer_onnx: exported and imported " << Net::param_count << " parameters, "
            << (same ? "the same predictions" : "DIFFERENT predictions") << '\n';
  return same ? 0 : 1;
}
