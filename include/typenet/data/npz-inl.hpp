#pragma once
// The definitions of data/npz.hpp (typenet/config.hpp says where they are compiled).
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include <zip.h>

#include "typenet/data/npz.hpp"

namespace typenet::data {

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

TYPENET_INLINE NpzArchive load_npz(const std::filesystem::path& path) {
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
