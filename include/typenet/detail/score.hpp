#pragma once
// Loss, accuracy and the loss's gradient over a batch of output rows. It depends on the loss and
// the output width, not on the network, so it is one function for every Model in a program rather
// than a copy per network type (a copy is a std::visit over every loss: large, and slow to compile);
// libtypenet compiles it once (typenet/config.hpp).
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <variant>

#include "typenet/config.hpp"
#include "typenet/training/losses.hpp"

namespace typenet::detail {

struct BatchScore {
  double loss_sum = 0.0;  // sum of weighted per-sample losses
  std::size_t correct = 0;

  BatchScore& operator+=(const BatchScore& other) {
    loss_sum += other.loss_sum;
    correct += other.correct;
    return *this;
  }
};

// `rows` output rows of `outputs` values and their targets (rows of `width`), each weighted by
// weights[i] (all 1 when null). With `gradient`, also writes dLoss/doutput for a loss averaged over
// `batch_rows` rows (the batch the rows belong to), or dLoss/d(pre-activation) when the loss fuses
// with the output activation, and says which in *preactivation.
BatchScore score_rows(const Loss& loss, std::string_view output_activation, const float* output, std::size_t outputs,
                      const float* targets, std::size_t width, const float* weights, std::size_t rows,
                      float* gradient = nullptr, std::size_t batch_rows = 1, bool* preactivation = nullptr);

}  // namespace typenet::detail

#ifdef TYPENET_HEADER_ONLY
#include "typenet/detail/score-inl.hpp"
#endif
