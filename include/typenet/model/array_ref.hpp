#pragma once
// Non-owning views of the user's arrays (xt::xtensor, xt::xarray or anything with data(),
// shape() and strides()), so that fit/evaluate/predict take any container without copying it
// and without being templates themselves. Only dense row-major data is accepted.
#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace typenet {

inline constexpr std::size_t max_array_rank = 8;

struct ArrayShape {
  std::size_t rank = 0;
  std::array<std::size_t, max_array_rank> dims{};

  std::size_t rows() const { return rank ? dims[0] : 0; }
  std::size_t row_size() const {
    std::size_t n = 1;
    for (std::size_t d = 1; d < rank; ++d) n *= dims[d];
    return n;
  }
  std::string to_string() const {
    std::string s = "(";
    for (std::size_t d = 0; d < rank; ++d) s += (d ? ", " : "") + std::to_string(dims[d]);
    return s + (rank == 1 ? ",)" : ")");
  }
};

namespace detail {
template <class C>
concept DenseArray = requires(const C& c) {
  c.data();
  c.shape();
  c.strides();
};

template <class C>
ArrayShape shape_of(const C& c, const char* what) {
  ArrayShape s;
  const auto& shape = c.shape();
  if (shape.size() > max_array_rank)
    throw std::invalid_argument(std::string(what) + " has rank " + std::to_string(shape.size()) + "; at most " +
                                std::to_string(max_array_rank) + " is supported");
  s.rank = shape.size();
  for (std::size_t d = 0; d < s.rank; ++d) s.dims[d] = static_cast<std::size_t>(shape[d]);
  // xtensor gives stride 0 to dimensions of extent 1, so only the others are checked.
  std::size_t expected = 1;
  for (std::size_t d = s.rank; d-- > 0;) {
    if (s.dims[d] > 1 && static_cast<std::size_t>(c.strides()[d]) != expected)
      throw std::invalid_argument(std::string(what) + " is not a dense row-major array (a view or a column-major "
                                  "layout); copy it into an xt::xtensor first");
    expected *= s.dims[d];
  }
  return s;
}
}  // namespace detail

// The inputs of a model: float samples along the first axis.
struct Features {
  const float* data = nullptr;
  ArrayShape shape;

  Features() = default;
  Features(const float* d, ArrayShape s) : data(d), shape(s) {}
  template <detail::DenseArray C>
  Features(const C& c) : data(c.data()), shape(detail::shape_of(c, "x")) {  // NOLINT: implicit on purpose
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(*c.data())>, float>,
                  "typenet: x must hold float; scale your images to [0, 1] as float first");
  }
};

// The targets: one-hot rows, class indices or values, of any arithmetic element type.
struct Labels {
  enum class Type { u8, i32, i64, u64, f32, f64 };
  const void* data = nullptr;
  Type type = Type::f32;
  ArrayShape shape;

  Labels() = default;
  template <detail::DenseArray C>
  Labels(const C& c) : data(c.data()), type(type_of<std::remove_cvref_t<decltype(*c.data())>>()), shape(detail::shape_of(c, "y")) {}  // NOLINT

  double operator[](std::size_t i) const {
    switch (type) {
      case Type::u8: return static_cast<const std::uint8_t*>(data)[i];
      case Type::i32: return static_cast<const std::int32_t*>(data)[i];
      case Type::i64: return static_cast<double>(static_cast<const std::int64_t*>(data)[i]);
      case Type::u64: return static_cast<double>(static_cast<const std::uint64_t*>(data)[i]);
      case Type::f32: return static_cast<const float*>(data)[i];
      case Type::f64: return static_cast<const double*>(data)[i];
    }
    return 0.0;
  }

 private:
  template <class T>
  static constexpr Type type_of() {
    if constexpr (std::is_same_v<T, std::uint8_t>) return Type::u8;
    else if constexpr (std::is_same_v<T, std::int32_t>) return Type::i32;
    else if constexpr (std::is_same_v<T, std::int64_t>) return Type::i64;
    else if constexpr (std::is_same_v<T, std::uint64_t>) return Type::u64;
    else if constexpr (std::is_same_v<T, float>) return Type::f32;
    else {
      static_assert(std::is_same_v<T, double>, "typenet: y must hold uint8, int32, int64, uint64, float or double");
      return Type::f64;
    }
  }
};

}  // namespace typenet
