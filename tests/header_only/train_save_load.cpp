// typenet used header-only, as a program does that only adds include/ to its include path: this
// file is compiled without TYPENET_COMPILED_LIB and linked without libtypenet (tests/CMakeLists.txt),
// so every non-template function it calls must come from the headers themselves.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include <xtensor/xtensor.hpp>

#include "typenet/typenet.hpp"

#ifdef TYPENET_COMPILED_LIB
#error "this test checks the header-only build: TYPENET_COMPILED_LIB must not be defined"
#endif

namespace tn = typenet;

TEST_CASE("header-only: fit, evaluate, summary, save and load without libtypenet") {
  using Net = tn::Sequential<tn::Input<4>, tn::Dense<8, tn::ReLU>, tn::Dense<3, tn::Softmax>>;
  xt::xtensor<float, 2> x = xt::xtensor<float, 2>::from_shape({30, 4});
  xt::xtensor<int, 1> y = xt::xtensor<int, 1>::from_shape({30});
  for (std::size_t i = 0; i < 30; ++i) {
    y(i) = static_cast<int>(i % 3);
    for (std::size_t j = 0; j < 4; ++j) x(i, j) = static_cast<float>((i % 3 == j) + 0.1 * ((i * 7 + j) % 5));
  }
  tn::Model<Net> model{7};
  model.compile(tn::Adam{.learning_rate = 0.05}, tn::SparseCategoricalCrossentropy{});
  auto stop = std::make_shared<tn::EarlyStopping>(tn::EarlyStopping::Options{.monitor = "loss", .patience = 2});
  std::ostringstream log;
  const tn::History history = model.fit(x, y, {.batch_size = 10, .epochs = 40, .verbose = 2, .out = &log, .callbacks = {stop}});
  CHECK(history.epochs() >= 1);
  CHECK(log.str().find("Epoch 1/40") != std::string::npos);
  const auto [loss, accuracy] = model.evaluate(x, y);
  CHECK(accuracy > 0.9);

  std::ostringstream summary;
  model.summary(summary);
  CHECK(summary.str().find("Total params: 67") != std::string::npos);

  const auto path = std::filesystem::temp_directory_path() / "typenet_header_only_test.typenet";
  model.save(path);
  auto loaded = tn::Model<Net>::load(path);
  std::filesystem::remove(path);
  CHECK(loaded.evaluate(x, y).loss == doctest::Approx(loss).epsilon(1e-6));
  CHECK(loaded.history().epochs() == history.epochs());
}
