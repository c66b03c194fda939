#pragma once
// A network's fixed prefix: its leading layers whose output is a fixed function of the sample.
// A layer opts in with `static constexpr bool precomputable = true` when it has no parameters and
// computes the same thing in training and inference (Hog: HOG features of an image); views such
// as Flatten may sit between such layers. Dropout, or any layer with parameters, ends the prefix.
//
// Model::fit runs the prefix once over the data set and trains the layers after it on that
// output, so a network that starts with tn::Hog<8, 4> does not recompute HOG every epoch. A
// prefix of views only is empty: there is nothing to save.
#include <cstddef>

namespace typenet::detail {

template <class Bound>
concept PrecomputableLayer = requires {
  requires Bound::precomputable;
};

// The number of layers in the fixed prefix of Net (0 if none).
template <class Net>
constexpr std::size_t fixed_prefix_length() {
  std::size_t length = 0;
  bool open = true;
  Net::for_each_layer([&]<std::size_t I>() {
    using L = typename Net::template layer<I>;
    if constexpr (PrecomputableLayer<L>) {
      static_assert(L::param_count == 0, "typenet: a precomputable layer must not have parameters");
      if (open) length = I + 1;
    } else if constexpr (!L::aliases_input) {
      open = false;
    }
  });
  return length;
}

}  // namespace typenet::detail
