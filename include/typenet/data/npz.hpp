#pragma once
// NumPy .npz archives: a zip (stored or DEFLATE members, as np.savez / np.savez_compressed write
// them) of .npy files, one per array, the array's key being the member name without ".npy".
// libzip does the zip part, including the CRC check of every member; npy_header.hpp the rest.
//
//   auto npz = typenet::data::load_npz("third_party/pneumoniamnist/pneumoniamnist.npz");
//   auto images = npz.at("train_images").as<std::uint8_t, 3>();   // (4708, 28, 28)
//
// Every array is read whole and kept in C (row-major) order; a Fortran-order array is
// transposed while loading, so as<T>() means the same thing for both. Anything the reader
// cannot read exactly is refused with "<archive>: member '<name>': <problem>".
#include "typenet/data/npy_header.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

#include "typenet/config.hpp"

namespace typenet::data {

// One array of the archive, its bytes little-endian in C order.
class NpyArray {
 public:
  NpyArray(std::string name, NpyHeader header, std::vector<std::uint8_t> bytes)
      : name_(std::move(name)), header_(std::move(header)), bytes_(std::move(bytes)) {}

  const std::string& name() const { return name_; }
  NpyType type() const { return header_.type; }
  const std::string& dtype() const { return header_.descr; }
  const std::vector<std::size_t>& shape() const { return header_.shape; }
  std::size_t size() const { return header_.element_count(); }

  // The values converted to T with static_cast, as NumPy's astype(T) would (a float to an
  // integer truncates; the caller chooses the type), flat in C order.
  template <class T>
  std::vector<T> values() const {
    std::vector<T> out(size());
    convert_into(out.data());
    return out;
  }

  // The same as an xt::xarray of the array's shape. (clang 19 rejects xt::xarray itself with
  // Debian's xtensor 0.24, "ambiguous partial specializations of rebind_container", an xtensor bug
  // fixed in 0.25: there, use values<T>() or the rank-checked as<T, Rank>() below.)
  template <class T>
  xt::xarray<T> as() const {
    xt::xarray<T> out = xt::xarray<T>::from_shape(header_.shape);
    convert_into(out.data());
    return out;
  }

  // Same, with the rank checked: as<float, 3>() on a (n, 28, 28) array.
  template <class T, std::size_t Rank>
  xt::xtensor<T, Rank> as() const {
    if (header_.shape.size() != Rank)
      throw std::runtime_error("npz member '" + name_ + "' has shape " + header_.shape_string() + " (rank " +
                               std::to_string(header_.shape.size()) + "), expected rank " + std::to_string(Rank));
    std::array<std::size_t, Rank> shape;
    std::copy(header_.shape.begin(), header_.shape.end(), shape.begin());
    auto out = xt::xtensor<T, Rank>::from_shape(shape);
    convert_into(out.data());
    return out;
  }

 private:
  template <class From, class T>
  void copy_as(T* out) const {
    const std::size_t n = size();
    for (std::size_t i = 0; i < n; ++i) {
      From v;
      std::memcpy(&v, bytes_.data() + i * sizeof(From), sizeof(From));
      // A float that the integer type cannot hold (NaN, infinity, out of range) has no value in
      // C++ (the cast is undefined), where NumPy gives an arbitrary one: refused, named.
      if constexpr (std::is_floating_point_v<From> && std::is_integral_v<T>) {
        const long double x = v;
        if (!(x > static_cast<long double>(std::numeric_limits<T>::lowest()) - 1 &&
              x < static_cast<long double>(std::numeric_limits<T>::max()) + 1))
          throw std::runtime_error("npz member '" + name_ + "': element " + std::to_string(i) + " is " +
                                   std::to_string(x) + ", which the requested integer type (" +
                                   std::to_string(std::numeric_limits<T>::lowest()) + " to " +
                                   std::to_string(std::numeric_limits<T>::max()) + ") cannot hold");
      }
      out[i] = static_cast<T>(v);
    }
  }
  template <class T>
  void convert_into(T* out) const {
    switch (header_.type) {
      case NpyType::boolean:
      case NpyType::uint8: return copy_as<std::uint8_t>(out);
      case NpyType::int8: return copy_as<std::int8_t>(out);
      case NpyType::uint16: return copy_as<std::uint16_t>(out);
      case NpyType::int16: return copy_as<std::int16_t>(out);
      case NpyType::uint32: return copy_as<std::uint32_t>(out);
      case NpyType::int32: return copy_as<std::int32_t>(out);
      case NpyType::uint64: return copy_as<std::uint64_t>(out);
      case NpyType::int64: return copy_as<std::int64_t>(out);
      case NpyType::float32: return copy_as<float>(out);
      case NpyType::float64: return copy_as<double>(out);
    }
  }

  std::string name_;
  NpyHeader header_;
  std::vector<std::uint8_t> bytes_;
};

class NpzArchive {
 public:
  NpzArchive(std::filesystem::path path, std::map<std::string, NpyArray> arrays)
      : path_(std::move(path)), arrays_(std::move(arrays)) {}

  const std::filesystem::path& path() const { return path_; }
  bool contains(const std::string& key) const { return arrays_.count(key) != 0; }
  std::vector<std::string> keys() const {
    std::vector<std::string> k;
    for (const auto& [name, array] : arrays_) k.push_back(name);
    return k;
  }
  const NpyArray& at(const std::string& key) const {
    if (auto it = arrays_.find(key); it != arrays_.end()) return it->second;
    std::string known;
    for (const auto& [name, array] : arrays_) known += (known.empty() ? "" : ", ") + name;
    throw std::runtime_error(path_.string() + ": no array '" + key + "' (the archive holds: " + known + ")");
  }

 private:
  std::filesystem::path path_;
  std::map<std::string, NpyArray> arrays_;
};

// Reads every array of the archive at `path`. Members must all be .npy files.
NpzArchive load_npz(const std::filesystem::path& path);

}  // namespace typenet::data

#ifdef TYPENET_HEADER_ONLY
#include "typenet/data/npz-inl.hpp"
#endif
