#pragma once
// The public gradient checks (typenet/testing/gradient_check.hpp) as doctest checks: a failure
// prints the check's report at the test that asked for it.
#include <doctest/doctest.h>

#include "typenet/testing/gradient_check.hpp"

namespace typenet::testing {

template <class Net>
void require_gradients(Loss loss, Features x, Labels y, GradientCheckOptions options = {}) {
  const GradientCheckResult result = check_gradients<Net>(std::move(loss), x, y, options);
  CHECK_MESSAGE(result.failures == 0, result.report);
  CHECK_MESSAGE(result.largest > 1e-3, "the largest gradient is " << result.largest);  // vanishing everywhere checks nothing
}

template <class Layer, class In>
void require_layer_gradients(GradientCheckOptions options = {}) {
  const GradientCheckResult result = test_layer<Layer, In>(options);
  CHECK_MESSAGE(result.passed(), result.report);
  CHECK(result.checked > 0);
}

}  // namespace typenet::testing
