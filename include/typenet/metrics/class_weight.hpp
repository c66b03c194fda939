#pragma once
// Class weights for imbalanced data, as scikit-learn's compute_class_weight("balanced"):
// weight_c = n_samples / (n_classes * count_c), so every class carries the same total weight
// and the weighted loss is on the scale of the unweighted one. The lab's total / (2 * count)
// is the same formula for two classes. Pass the result as FitOptions::class_weight.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace typenet {

// `labels` holds class indices (any integral or floating container; 0.0/1.0 labels work).
// `classes` is the number of classes; 0 means 1 + the largest label. A class without a
// single sample has no balanced weight, which is an error rather than an infinite weight.
template <class Container>
std::vector<double> balanced_class_weight(const Container& labels, std::size_t classes = 0) {
  std::vector<std::size_t> counts(classes, 0);
  std::size_t n = 0;
  for (const auto& raw : labels) {
    if constexpr (std::is_signed_v<std::remove_cvref_t<decltype(raw)>>)
      if (raw < 0) throw std::invalid_argument("balanced_class_weight: label " + std::to_string(raw) + " at position " + std::to_string(n) + " is negative");
    const auto label = static_cast<std::size_t>(raw);
    if (static_cast<decltype(+raw)>(label) != raw)
      throw std::invalid_argument("balanced_class_weight: label at position " + std::to_string(n) + " is not a whole number");
    if (label >= counts.size()) {
      if (classes != 0)
        throw std::invalid_argument("balanced_class_weight: label " + std::to_string(label) + " at position " +
                                    std::to_string(n) + " is outside [0, " + std::to_string(classes) + ")");
      counts.resize(label + 1, 0);
    }
    ++counts[label];
    ++n;
  }
  if (n == 0) throw std::invalid_argument("balanced_class_weight: no labels");
  std::vector<double> weights(counts.size());
  for (std::size_t c = 0; c < counts.size(); ++c) {
    if (counts[c] == 0)
      throw std::invalid_argument("balanced_class_weight: class " + std::to_string(c) +
                                  " has no samples, so it has no balanced weight");
    weights[c] = static_cast<double>(n) / (static_cast<double>(counts.size()) * static_cast<double>(counts[c]));
  }
  return weights;
}

}  // namespace typenet
