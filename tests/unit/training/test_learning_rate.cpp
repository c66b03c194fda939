// training/learning_rate.hpp: Keras's schedules against the PyTorch schedulers that compute the
// same rates (tests/data/schedules/make_golden.py says which is which), the rate as an optimizer
// uses, reads and sets it, and schedules through a saved model.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>
#include <xtensor/xtensor.hpp>

#include "support/golden_lines.hpp"
#include "typenet/io/training_state_json.hpp"
#include "typenet/typenet.hpp"

namespace test_learning_rate {

namespace tn = typenet;

namespace {

// golden.txt: one line per case, its name and the rates at steps 0, 1, 2, ...
std::map<std::string, std::vector<double>> golden() {
  return typenet::testing::read_golden_lines(TYPENET_TEST_DATA "/schedules/golden.txt");
}

void check_against(const tn::LearningRateSchedule& schedule, const std::vector<double>& expected) {
  REQUIRE(!expected.empty());
  for (std::size_t step = 0; step < expected.size(); ++step) {
    CAPTURE(step);
    CHECK(schedule(step) == doctest::Approx(expected[step]).epsilon(1e-12));
  }
}

}  // namespace

TEST_CASE("the schedules give PyTorch's rates for the same decays, step by step") {
  const auto cases = golden();
  check_against(tn::ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 10, .decay_rate = 0.9, .staircase = true}),
                cases.at("exponential_staircase"));
  check_against(tn::ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 1, .decay_rate = 0.9}),
                cases.at("exponential_per_step"));
  check_against(tn::PiecewiseConstantDecay({.boundaries = {3, 7}, .values = {0.1, 0.01, 0.001}}), cases.at("piecewise"));
  check_against(tn::CosineDecay({.initial_learning_rate = 0.1, .decay_steps = 20, .alpha = 0.05}), cases.at("cosine"));
  check_against(tn::CosineDecay({.initial_learning_rate = 0.01, .decay_steps = 10, .warmup_target = 0.1, .warmup_steps = 5}),
                cases.at("cosine_warmup"));
}

TEST_CASE("the schedules: Keras's formulas where PyTorch has no equivalent, and their checks") {
  // Without staircase the exponent is fractional: 0.1 * 0.9^(15/10).
  CHECK(tn::ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 10, .decay_rate = 0.9})(15) ==
        doctest::Approx(0.1 * std::pow(0.9, 1.5)).epsilon(1e-15));
  // CosineDecay stays at its floor after decay_steps (PyTorch's annealing would rise again).
  const tn::CosineDecay cosine({.initial_learning_rate = 0.1, .decay_steps = 20, .alpha = 0.05});
  CHECK(cosine(20) == doctest::Approx(0.005).epsilon(1e-12));
  CHECK(cosine(1000) == cosine(20));
  CHECK_THROWS_WITH_AS(tn::PiecewiseConstantDecay({.boundaries = {3, 7}, .values = {0.1, 0.01}}),
                       "PiecewiseConstantDecay: values must have one more element than boundaries (2 values, 2 boundaries)",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(tn::PiecewiseConstantDecay({.boundaries = {7, 3}, .values = {1, 2, 3}}),
                       "PiecewiseConstantDecay: boundaries must increase", std::invalid_argument);
  CHECK_THROWS_WITH_AS(tn::ExponentialDecay({.decay_steps = 0}), "ExponentialDecay: decay_steps must be > 0",
                       std::invalid_argument);
}

TEST_CASE("an optimizer takes a schedule's rate at its step count before each step") {
  // SGD on one weight with gradient 1: each step subtracts the rate of that step, 0.1, 0.09, 0.081.
  std::vector<float> w = {0.0f};
  const std::vector<float> g = {1.0f};
  tn::OptimizerState sgd(tn::SGD{.learning_rate = tn::ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 1, .decay_rate = 0.9})}, 1);
  CHECK(sgd.learning_rate() == doctest::Approx(0.1));
  for (int i = 0; i < 3; ++i) sgd.apply(w.data(), g.data(), 1);
  CHECK(w[0] == doctest::Approx(-(0.1 + 0.09 + 0.081)).epsilon(1e-6));
  CHECK(sgd.learning_rate() == doctest::Approx(0.0729));
  // As in Keras, a schedule is not settable, and it has no single number to read as a double.
  CHECK_THROWS_WITH_AS(sgd.set_learning_rate(0.5),
                       "set_learning_rate: this optimizer's learning rate is a ExponentialDecay schedule, which is not settable",
                       std::logic_error);
  const double as_number = tn::SGD{}.learning_rate;  // a number reads as one, as before schedules
  CHECK(as_number == 0.01);
  CHECK_THROWS_AS(static_cast<void>(static_cast<double>(std::get<tn::SGD>(sgd.config()).learning_rate)), std::logic_error);
}

TEST_CASE("set_learning_rate changes the rate and keeps the moments and the step count (compile() would reset them)") {
  // Two Adam runs alike for two steps; then one takes its third step at ten times the rate.
  std::vector<float> w = {1.0f, -2.0f}, v = w;
  const std::vector<float> g = {0.5f, -0.25f};
  tn::OptimizerState changed(tn::Adam{}, 2), reference(tn::Adam{}, 2);
  for (int i = 0; i < 2; ++i) {
    changed.apply(w.data(), g.data(), 2);
    reference.apply(v.data(), g.data(), 2);
  }
  const std::vector<float> m(changed.slot(0).begin(), changed.slot(0).end());
  changed.set_learning_rate(0.01);
  CHECK(changed.learning_rate() == 0.01);
  CHECK(changed.iterations() == 2);
  CHECK(std::vector<float>(changed.slot(0).begin(), changed.slot(0).end()) == m);
  // Same moments and bias correction, so the third step moves the weight ten times as far.
  const float start = w[0];
  REQUIRE(v[0] == start);
  changed.apply(w.data(), g.data(), 2);
  reference.apply(v.data(), g.data(), 2);
  CHECK((w[0] - start) == doctest::Approx(10.0f * (v[0] - start)).epsilon(1e-5));
}

TEST_CASE("a schedule is saved as Keras serialises it and comes back from the file") {
  using Net = tn::Sequential<tn::Input<3>, tn::Dense<2, tn::Softmax>>;
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("typenet_lr_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  tn::Model<Net> model{3};
  model.compile(tn::Adam{.learning_rate = tn::CosineDecay({.initial_learning_rate = 0.01, .decay_steps = 50, .alpha = 0.1})},
                tn::SparseCategoricalCrossentropy{});
  xt::xtensor<float, 2> x = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 0}};
  xt::xtensor<int, 1> y = {0, 1, 0, 1};
  model.fit(x, y, {.batch_size = 2, .epochs = 3, .verbose = 0});
  model.save(dir / "m.typenet");
  auto loaded = tn::Model<Net>::load(dir / "m.typenet");
  CHECK(loaded.optimizer().iterations() == 6);
  CHECK(loaded.optimizer().learning_rate() == model.optimizer().learning_rate());
  const auto* cosine = dynamic_cast<const tn::CosineDecay*>(std::get<tn::Adam>(loaded.optimizer().config()).learning_rate.schedule());
  REQUIRE(cosine != nullptr);
  CHECK(cosine->options().decay_steps == 50);
  CHECK(cosine->options().alpha == 0.1);
  CHECK(cosine->options().warmup_target < 0);

  // In JSON, as Keras writes a schedule; a config it does not know is named.
  const auto j = tn::io::learning_rate_json(std::get<tn::Adam>(model.optimizer().config()).learning_rate);
  CHECK(j.dump() == R"({"class_name":"CosineDecay","config":{"initial_learning_rate":0.01,"decay_steps":50.0,"alpha":0.1,"warmup_target":null,"warmup_steps":0.0}})");
  auto bad = j;
  bad["config"]["decay_steps"] = "fifty";
  CHECK_THROWS_WITH_AS(tn::io::learning_rate_from_json(bad, "Adam"),
                       "Adam's \"learning_rate\": CosineDecay's \"decay_steps\" is missing or not a finite number",
                       std::invalid_argument);
  bad = j;
  bad["class_name"] = "OneCycle";
  CHECK_THROWS_WITH_AS(tn::io::learning_rate_from_json(bad, "Adam"),
                       "Adam's \"learning_rate\" is an unknown schedule 'OneCycle' (this typenet has ExponentialDecay, "
                       "PiecewiseConstantDecay, CosineDecay)",
                       std::invalid_argument);
  bad = nlohmann::ordered_json::parse(R"({"class_name":"PiecewiseConstantDecay","config":{"boundaries":[5,1],"values":[1,2,3]}})");
  CHECK_THROWS_WITH_AS(tn::io::learning_rate_from_json(bad, "SGD"),
                       "SGD's \"learning_rate\": PiecewiseConstantDecay: boundaries must increase", std::invalid_argument);

  // A schedule of the user's own trains but cannot be saved: load could not rebuild it.
  struct Halving : tn::LearningRateSchedule {
    double operator()(std::size_t step) const override { return 0.01 / double(1 + step); }
    std::string_view name() const override { return "Halving"; }
  };
  model.compile(tn::SGD{.learning_rate = Halving{}}, tn::SparseCategoricalCrossentropy{});
  model.fit(x, y, {.batch_size = 2, .epochs = 1, .verbose = 0});
  CHECK_THROWS_WITH(model.save(dir / "custom.typenet"),
                    doctest::Contains("the learning rate is a schedule of your own (Halving)"));
  CHECK(!std::filesystem::exists(dir / "custom.typenet"));
  std::filesystem::remove_all(dir);
}

}  // namespace test_learning_rate
