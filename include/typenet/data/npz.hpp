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
#include <zip.h>

#include "typenet/data/npy_header.hpp"

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

namespace detail {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

// Element (C-order index) i of a Fortran-order array sits at the column-major offset of the
// same multi-index; walk the C order with an odometer and copy items across.
inline std::vector<std::uint8_t> fortran_to_c_order(const std::vector<std::uint8_t>& in, const NpyHeader& h) {
  std::vector<std::uint8_t> out(in.size());
  const std::size_t rank = h.shape.size(), n = h.element_count(), item = h.item_size;
  if (rank < 2 || n == 0) return in;
  std::vector<std::size_t> index(rank, 0), fortran_stride(rank, 1);
  for (std::size_t d = 1; d < rank; ++d) fortran_stride[d] = fortran_stride[d - 1] * h.shape[d - 1];
  std::size_t offset = 0;  // Fortran offset of `index`
  for (std::size_t i = 0; i < n; ++i) {
    std::memcpy(out.data() + i * item, in.data() + offset * item, item);
    for (std::size_t d = rank; d-- > 0;) {  // advance the last axis first (C order)
      if (++index[d] < h.shape[d]) {
        offset += fortran_stride[d];
        break;
      }
      offset -= (h.shape[d] - 1) * fortran_stride[d];
      index[d] = 0;
    }
  }
  return out;
}

inline NpyArray read_npz_member(zip_t* zip, zip_uint64_t index, const std::string& member,
                                const std::filesystem::path& path) {
  auto fail = [&](const std::string& what) { return std::runtime_error(path.string() + ": member '" + member + "': " + what); };
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(zip, index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE))
    throw fail("cannot read its sizes from the zip directory");
  // The directory's sizes are the file's word, not a fact: deflate expands at most 1032:1 (zlib's
  // technical notes), and a stored member is as large as its compressed bytes.
  const zip_uint64_t most = st.comp_size > std::numeric_limits<zip_uint64_t>::max() / 1032 ? st.comp_size : st.comp_size * 1032;
  if (st.size > std::max<zip_uint64_t>(most, 64) ||
      st.size > static_cast<zip_uint64_t>(std::numeric_limits<std::ptrdiff_t>::max()))
    throw fail("the zip directory claims " + std::to_string(st.size) + " bytes uncompressed from " +
               std::to_string(st.comp_size) + " compressed bytes, more than deflate can expand to");
  std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen_index(zip, index, 0));
  if (!file) throw fail(std::string("cannot open: ") + zip_strerror(zip));
  // The buffer grows as data arrives, so memory follows what the member really holds.
  const std::size_t claimed = static_cast<std::size_t>(st.size);
  std::vector<std::uint8_t> bytes(std::min<std::size_t>(claimed, std::size_t{1} << 20));
  std::size_t got = 0;
  while (got < claimed) {
    if (got == bytes.size()) bytes.resize(std::min(claimed, 2 * bytes.size()));
    const zip_int64_t n = zip_fread(file.get(), bytes.data() + got, bytes.size() - got);
    if (n < 0) throw fail(std::string("cannot decompress: ") + zip_file_strerror(file.get()));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got != claimed)
    throw fail("the zip directory says " + std::to_string(claimed) + " bytes but only " + std::to_string(got) + " could be read");
  // Reading past the end is what makes libzip compare the CRC when the size is exact.
  std::uint8_t extra;
  if (zip_fread(file.get(), &extra, 1) != 0) throw fail(std::string("bad data at its end: ") + zip_file_strerror(file.get()));

  NpyHeader header;
  try {
    header = parse_npy_header(bytes.data(), bytes.size());
  } catch (const std::runtime_error& e) {
    throw fail(e.what());
  }
  const std::size_t data_bytes = bytes.size() - header.data_offset;
  const std::size_t n = header.element_count();
  const bool overflows = n > std::numeric_limits<std::size_t>::max() / header.item_size;
  if (overflows || n * header.item_size != data_bytes)
    throw fail("shape " + header.shape_string() + " of dtype '" + header.descr + "' needs " +
               (overflows ? std::string("more than 2^64") : std::to_string(n * header.item_size)) +
               " data bytes but the member holds " + std::to_string(data_bytes));
  std::vector<std::uint8_t> data(bytes.begin() + static_cast<std::ptrdiff_t>(header.data_offset), bytes.end());
  if (header.type == NpyType::boolean)
    for (std::size_t i = 0; i < data.size(); ++i)
      if (data[i] > 1) throw fail("boolean element " + std::to_string(i) + " is " + std::to_string(data[i]) + ", not 0 or 1");
  if (header.fortran_order) data = fortran_to_c_order(data, header);
  const std::string key = member.substr(0, member.size() - 4);
  return NpyArray(key, std::move(header), std::move(data));
}

}  // namespace detail

// Reads every array of the archive at `path`. Members must all be .npy files.
inline NpzArchive load_npz(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw std::runtime_error(path.string() + ": no such file (expected a NumPy .npz archive)");
  int code = 0;
  std::unique_ptr<zip_t, detail::ZipCloser> zip(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  if (!zip) {
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    std::string what = zip_error_strerror(&error);
    zip_error_fini(&error);
    throw std::runtime_error(path.string() + ": not a readable .npz (zip) archive: " + what);
  }
  const zip_int64_t count = zip_get_num_entries(zip.get(), 0);
  std::map<std::string, NpyArray> arrays;
  for (zip_int64_t i = 0; i < count; ++i) {
    const char* raw_name = zip_get_name(zip.get(), static_cast<zip_uint64_t>(i), 0);
    const std::string member = raw_name ? raw_name : "#" + std::to_string(i);
    if (member.size() < 5 || member.compare(member.size() - 4, 4, ".npy") != 0)
      throw std::runtime_error(path.string() + ": member '" + member +
                               "': not a .npy file (an .npz archive holds only .npy members)");
    NpyArray array = detail::read_npz_member(zip.get(), static_cast<zip_uint64_t>(i), member, path);
    const std::string key = array.name();
    arrays.emplace(key, std::move(array));
  }
  if (arrays.empty()) throw std::runtime_error(path.string() + ": the archive holds no arrays");
  return NpzArchive(path, std::move(arrays));
}

}  // namespace typenet::data
