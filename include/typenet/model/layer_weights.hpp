#pragma once
// A layer's weights as Keras's get_weights() and set_weights() have them: Dense's kernel
// (inputs, units) and bias (units), Conv2D's kernel (kh, kw, in_channels, filters) and bias
// (filters), BatchNormalization's gamma, beta, moving_mean and moving_variance.
//
//   auto dense = model.layer<2>();                      // typed view of layer 2 (Input is 0)
//   auto [kernel, bias] = dense.get_weights();          // xt::xtensor<float, 2>, xt::xtensor<float, 1>
//   dense.set_weights(kernel * 0.5f, bias);             // shapes checked
//   dense.weight<0>()(3, 7) = 0.0f;                     // a view into the model's own buffer (WeightView)
//   std::vector<tn::Weights> all = model.get_weights(); // every layer's, in order, as Keras lists them
//   other.set_weights(all);                             // same count and shapes
//
// The layout is the layer's own declaration (`weights`, layers/layer.hpp): the arrays lie end to
// end, row-major, in the layer's slice of the model's parameters (or of its non-trainable values).
#include "typenet/detail/float_xtensor.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/layers/layer.hpp"
#include "typenet/network/sequential.hpp"  // non_trainable_count_of

namespace typenet {

// One array of Model::get_weights(): the layer it belongs to (index, Keras class), its name and
// Keras's shape, and its values row-major.
struct Weights {
  std::size_t layer = 0;
  std::string layer_class;
  std::string name;
  std::vector<std::size_t> shape;
  std::vector<float> values;
};

// Array K of a layer in place, with its Keras shape: view(i, j) is element (i, j), row-major.
// (A plain struct rather than xtensor's adaptor, whose header costs every program that
// includes typenet a quarter of a second to compile.)
template <std::size_t Rank>
struct WeightView {
  float* data;
  std::array<std::size_t, Rank> shape;

  template <class... Index>
  float& operator()(Index... index) const {
    static_assert(sizeof...(Index) == Rank, "typenet: index a weight with one index per axis");
    const std::size_t indices[] = {static_cast<std::size_t>(index)...};
    std::size_t at = 0;
    for (std::size_t d = 0; d < Rank; ++d) at = at * shape[d] + indices[d];
    return data[at];
  }
  std::size_t size() const {
    std::size_t n = 1;
    for (std::size_t d : shape) n *= d;
    return n;
  }
  std::span<float> values() const { return {data, size()}; }
};

namespace detail {

template <class Bound>
constexpr std::size_t declared_size(bool trainable) {
  std::size_t n = 0;
  for (const WeightShape& w : Bound::weights)
    if (w.trainable == trainable) n += w.size();
  return n;
}

template <class Bound>
constexpr std::span<const WeightShape> weight_shapes_of() {
  if constexpr (requires { Bound::weights; }) {
    static_assert(declared_size<Bound>(true) == Bound::param_count &&
                      declared_size<Bound>(false) == non_trainable_count_of<Bound>(),
                  "typenet: a layer's `weights` must cover its parameters and non-trainable values exactly");
    return Bound::weights;
  } else {
    static_assert(Bound::param_count == 0 && non_trainable_count_of<Bound>() == 0,
                  "typenet: a layer with parameters declares its `weights` (layers/layer.hpp)");
    return {};
  }
}

// Where array k of a layer starts in its trainable or non-trainable slice.
constexpr std::size_t weight_offset(std::span<const WeightShape> shapes, std::size_t k) {
  std::size_t offset = 0;
  for (std::size_t j = 0; j < k; ++j)
    if (shapes[j].trainable == shapes[k].trainable) offset += shapes[j].size();
  return offset;
}

// "(784, 512)", as Python prints a shape.
std::string shape_text(std::span<const std::size_t> dims);

// Every array of every layer, with its place in the model's buffers: what get_weights and
// set_weights walk (non-template, compiled once).
struct WeightEntry {
  std::size_t layer;
  std::string_view layer_class;
  const WeightShape* shape;
  std::size_t offset;  // in params (trainable) or non_trainable
};

std::vector<Weights> gather_weights(std::span<const WeightEntry> entries, std::span<const float> params,
                                    std::span<const float> non_trainable);
void scatter_weights(std::span<const WeightEntry> entries, std::span<const Weights> weights, std::span<float> params,
                     std::span<float> non_trainable);

template <class Net, std::size_t I>
void add_weight_entries(std::vector<WeightEntry>& entries) {
  using B = typename Net::template layer<I>;
  constexpr auto shapes = weight_shapes_of<B>();
  for (std::size_t k = 0; k < shapes.size(); ++k)
    entries.push_back(WeightEntry{I, B::keras_class, &shapes[k],
                                  (shapes[k].trainable ? Net::param_offset[I] : Net::non_trainable_offset[I]) +
                                      weight_offset(shapes, k)});
}

template <class Net>
std::vector<WeightEntry> weight_entries() {
  std::vector<WeightEntry> entries;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (add_weight_entries<Net, I>(entries), ...);
  }(std::make_index_sequence<Net::layer_count>{});
  return entries;
}

}  // namespace detail

// Layer I of a model, typed: its weights as xtensor arrays in Keras's shapes.
template <class Net, std::size_t I>
class LayerWeights {
  using Bound = typename Net::template layer<I>;
  static constexpr auto shapes = detail::weight_shapes_of<Bound>();

  template <std::size_t K>
  static constexpr std::array<std::size_t, shapes[K].rank> shape_of() {
    std::array<std::size_t, shapes[K].rank> dims{};
    for (std::size_t d = 0; d < dims.size(); ++d) dims[d] = shapes[K].dims[d];
    return dims;
  }

 public:
  using layer_type = Bound;
  static constexpr std::size_t count = shapes.size();  // how many arrays get_weights gives

  LayerWeights(float* params, float* non_trainable) : params_(params), non_trainable_(non_trainable) {}

  // Array K, viewed in place: writing it writes the model's weights.
  template <std::size_t K>
  WeightView<shapes[K].rank> weight() const {
    static_assert(K < count, "typenet: this layer has fewer weight arrays");
    return {(shapes[K].trainable ? params_ : non_trainable_) + detail::weight_offset(shapes, K), shape_of<K>()};
  }

  // Copies of every array, as Keras's layer.get_weights(): a tuple of xt::xtensor<float, rank>
  // (a program that calls it includes <xtensor/xtensor.hpp>, detail/float_xtensor.hpp says why).
  auto get_weights() const {
    return [&]<std::size_t... K>(std::index_sequence<K...>) {
      return std::tuple{copy_of<K>()...};
    }(std::make_index_sequence<count>{});
  }

  // Keras's layer.set_weights(): one array per weight, each of its shape; throws
  // std::invalid_argument naming the layer, the array and both shapes otherwise.
  template <class... Arrays>
  void set_weights(const Arrays&... arrays) {
    static_assert(sizeof...(Arrays) == count, "typenet: set_weights takes one array per weight of the layer");
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (check<K>(arrays), ...);  // every shape first, so that a refusal changes nothing
      (assign<K>(arrays), ...);
    }(std::make_index_sequence<count>{});
  }

 private:
  template <std::size_t K, class A>
  void check(const A& array) const {
    constexpr auto expected = shape_of<K>();
    const auto& given = array.shape();
    if (given.size() != expected.size() || !std::equal(expected.begin(), expected.end(), given.begin())) {
      const std::vector<std::size_t> dims(given.begin(), given.end());
      throw std::invalid_argument("set_weights: layer " + std::to_string(I) + " (" + std::string(Bound::keras_class) +
                                  ")'s " + std::string(shapes[K].name) + " has shape " +
                                  detail::shape_text(expected) + "; given " + detail::shape_text(dims));
    }
  }
  template <std::size_t K>
  auto copy_of() const {
    const auto view = weight<K>();
    auto array = detail::make_float_xtensor<shapes[K].rank, Net>(view.shape);
    std::copy(view.data, view.data + view.size(), array.data());
    return array;
  }
  template <std::size_t K, class A>
  void assign(const A& array) const {
    std::copy(array.begin(), array.end(), weight<K>().data);  // row-major, as the layer lays it out
  }

  float* params_;
  float* non_trainable_;
};

}  // namespace typenet

#ifdef TYPENET_HEADER_ONLY
#include "typenet/model/layer_weights-inl.hpp"
#endif
