#pragma once
// Finite-difference gradient check of a whole model: every trainable parameter's analytic
// gradient (or every `stride`-th one) must match (L(w + h) - L(w - h)) / 2h of the loss the model
// computes itself. Layers without parameters are checked through the layers before them, whose
// gradients pass through their backward pass.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "typenet/model.hpp"

namespace typenet::testing {

struct GradientCheck {
  float step = 1e-3f;
  double absolute = 1e-3, relative = 2e-2;  // |numeric - analytic| <= absolute + relative * |numeric|
  std::size_t stride = 1;
  std::uint64_t seed = 7;
};

// The dropout stream is reseeded before each pass so that all passes see the same masks.
template <class Net>
void check_gradients(Loss loss, const xt::xtensor<float, 2>& x, const Labels& y, GradientCheck options = {}) {
  Model<Net> model{options.seed};
  model.compile(SGD{}, loss);
  auto loss_at = [&] {
    model.seed_dropout(11);
    return model.compute_gradients(x, y);
  };
  loss_at();
  const std::vector<float> analytic(model.gradients().begin(), model.gradients().end());
  auto params = model.parameters();
  const float h = options.step;
  double largest = 0.0;
  std::size_t failures = 0;
  for (std::size_t i = 0; i < params.size(); i += options.stride) {
    const float original = params[i];
    params[i] = original + h;
    const double up = loss_at();
    params[i] = original - h;
    const double down = loss_at();
    params[i] = original;
    const double numeric = (up - down) / (2.0 * h);
    const bool close = std::abs(numeric - analytic[i]) <= options.absolute + options.relative * std::abs(numeric);
    if (!close && ++failures <= 10)  // the first few, not thousands of lines
      FAIL_CHECK("parameter " << i << " of " << params.size() << ": analytic " << analytic[i] << ", numeric " << numeric);
    largest = std::max(largest, std::abs(numeric));
  }
  CHECK(failures == 0);
  CHECK(largest > 1e-3);  // a network whose gradient vanishes everywhere would check nothing
}

}  // namespace typenet::testing
