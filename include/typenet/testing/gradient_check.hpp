#pragma once
// Finite-difference gradient checks, for typenet's layers and for yours (as dlib's test_layer):
//
//   auto check = tn::testing::test_layer<MyLayer, tn::Shape<6>>();   // one layer, on its own
//   if (!check) std::cerr << check.report;
//   auto whole = tn::testing::check_gradients<Net>(MyLoss{}, x, y);  // a model and its loss
//
// test_layer binds the layer to the input shape, fills a small batch and the layer's parameters
// with random values, and compares backward's gradients, of the parameters and of the input, with
// central differences (f(v + h) - f(v - h)) / 2h of the scalar sum(r * forward(x)) for a fixed
// random r. check_gradients does the same through a whole model and the loss it computes itself.
// Both run in training mode with the dropout stream reseeded before each pass, so every pass draws
// the same masks. A kink (ReLU at 0, a tie in max pooling) between v - h and v + h can fail one
// element; the report lists the first failures with both values.
#include "typenet/detail/random.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "typenet/model.hpp"

namespace typenet::testing {

struct GradientCheckOptions {
  float step = 1e-3f;                       // h
  double absolute = 1e-3, relative = 2e-2;  // passes when |numeric - analytic| <= absolute + relative * |numeric|
  std::size_t stride = 1;                   // check every stride-th value
  std::size_t batch = 3;                    // test_layer's batch
  std::uint64_t seed = 7;
};

struct GradientCheckResult {
  std::size_t checked = 0;   // values compared
  std::size_t failures = 0;
  double largest = 0.0;      // the largest |numeric| gradient seen
  std::string report;        // the first failures, one per line, or why nothing was checked

  // False on any failure, and when every gradient vanished (a check of zeros proves nothing).
  bool passed() const { return failures == 0 && (checked == 0 || largest > 1e-6); }
  explicit operator bool() const { return passed(); }
};

namespace detail {

class Comparison {
 public:
  explicit Comparison(const GradientCheckOptions& options) : options_(options) {}

  void compare(const std::string& what, std::size_t i, double analytic, double numeric) {
    ++result_.checked;
    result_.largest = std::max(result_.largest, std::abs(numeric));
    if (std::abs(numeric - analytic) <= options_.absolute + options_.relative * std::abs(numeric)) return;
    if (++result_.failures <= 10) {  // the first few, not thousands of lines
      std::ostringstream line;
      line << what << ' ' << i << ": analytic " << analytic << ", numeric " << numeric << '\n';
      result_.report += line.str();
    }
  }

  GradientCheckResult result() const {
    GradientCheckResult r = result_;
    if (r.failures > 10) r.report += "... and " + std::to_string(r.failures - 10) + " more\n";
    if (r.failures == 0 && r.checked > 0 && r.largest <= 1e-6) r.report += "every gradient is zero: nothing was checked\n";
    return r;
  }

 private:
  GradientCheckOptions options_;
  GradientCheckResult result_;
};

// (f(v + h) - f(v - h)) / 2h, v restored afterwards.
template <class F>
double central_difference(float& v, float h, F&& f) {
  const float original = v;
  v = original + h;
  const double up = f();
  v = original - h;
  const double down = f();
  v = original;
  return (up - down) / (2.0 * static_cast<double>(h));
}

}  // namespace detail

// One layer bound to the input shape In, on its own (see the top of this file).
template <class L, class In>
GradientCheckResult test_layer(GradientCheckOptions options = {}) {
  static_assert(Layer<L, In>, "typenet::testing::test_layer: L is not a layer that takes In (typenet/layers/layer.hpp)");
  using B = typename L::template bind<In>;
  static_assert(B::fits, "typenet::testing::test_layer: the layer does not take the input shape In");
  if constexpr (B::aliases_input) {
    return {0, 0, 0.0, "the layer views its input (aliases_input): nothing to check\n"};
  } else {
    using Out = typename B::output_shape;
    const std::size_t batch = options.batch;
    Rng rng(options.seed);
    std::vector<float> params(B::param_count), non_trainable(typenet::detail::non_trainable_count_of<B>());
    B::initialize(params.data(), rng);
    for (float& w : params) w += rng.uniform(-0.1f, 0.1f);  // biases and scales away from 0 and 1
    if constexpr (requires(float* m) { B::initialize_non_trainable(m); }) B::initialize_non_trainable(non_trainable.data());
    const std::vector<float> non_trainable_start = non_trainable;
    std::vector<float> x(batch * In::size), r(batch * Out::size);
    for (float& v : x) v = rng.uniform(-1.0f, 1.0f);
    for (float& v : r) v = rng.uniform(-1.0f, 1.0f);
    std::vector<float> out(batch * Out::size), scratch(batch * B::scratch_per_sample + 1);
    Rng dropout;

    auto forward = [&] {
      dropout.reseed(options.seed + 1);
      std::copy(non_trainable_start.begin(), non_trainable_start.end(), non_trainable.begin());  // moving statistics
      B::forward(ForwardPass{params.data(), x.data(), out.data(), scratch.data(), batch, true, &dropout,
                             non_trainable.data()});
    };
    auto projected = [&] {  // the scalar whose gradient backward computes, given dout = r
      forward();
      double sum = 0.0;
      for (std::size_t i = 0; i < out.size(); ++i) sum += static_cast<double>(r[i]) * out[i];
      return sum;
    };

    forward();
    std::vector<float> grads(B::param_count), din(x.size()), dout = r;
    B::backward(BackwardPass{params.data(), grads.data(), x.data(), out.data(), dout.data(), din.data(), scratch.data(),
                             batch, false});

    detail::Comparison comparison(options);
    for (std::size_t i = 0; i < params.size(); i += options.stride)
      comparison.compare("parameter", i, grads[i], detail::central_difference(params[i], options.step, projected));
    for (std::size_t i = 0; i < x.size(); i += options.stride)
      comparison.compare("input", i, din[i], detail::central_difference(x[i], options.step, projected));
    return comparison.result();
  }
}

// Every trainable parameter of a model (or every stride-th), against its loss; layers without
// parameters are checked through the layers before them, whose gradients pass through them.
template <class Net>
GradientCheckResult check_gradients(Loss loss, Features x, Labels y, GradientCheckOptions options = {}) {
  Model<Net> model{options.seed};
  model.compile(SGD{}, std::move(loss));
  auto loss_at = [&] {
    model.seed_dropout(options.seed + 4);
    return model.compute_gradients(x, y);
  };
  loss_at();
  const std::vector<float> analytic(model.gradients().begin(), model.gradients().end());
  auto params = model.parameters();
  detail::Comparison comparison(options);
  for (std::size_t i = 0; i < params.size(); i += options.stride)
    comparison.compare("parameter", i, analytic[i], detail::central_difference(params[i], options.step, loss_at));
  return comparison.result();
}

}  // namespace typenet::testing
