#pragma once
// The header of a NumPy .npy file (format versions 1.0, 2.0 and 3.0):
//   "\x93NUMPY", major, minor, header length (uint16 LE for 1.x, uint32 LE for 2.x/3.x),
//   then a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (4708, 28, 28), }
//   padded with spaces and a newline, then the raw array bytes.
// The parser reads exactly the dicts NumPy writes and refuses everything it cannot read
// exactly: structured or object dtypes, big-endian data, unknown keys, malformed literals.
// Errors are std::runtime_error with only the problem; the caller adds the file and member.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "typenet/config.hpp"

namespace typenet::data {

// The element types the reader converts from. NumPy's descr codes: b1 u1 i1 u2 i2 u4 i4 u8 i8 f4 f8.
enum class NpyType { boolean, uint8, int8, uint16, int16, uint32, int32, uint64, int64, float32, float64 };

struct NpyHeader {
  NpyType type = NpyType::uint8;
  std::string descr;  // as written, e.g. "<f4", for messages
  std::size_t item_size = 1;
  bool fortran_order = false;
  std::vector<std::size_t> shape;  // () is a scalar
  std::size_t data_offset = 0;     // where the array bytes start in the .npy file

  std::size_t element_count() const {
    std::size_t n = 1;
    for (auto d : shape) n *= d;  // overflow is ruled out by the parser
    return n;
  }
  std::string shape_string() const {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + (shape.size() == 1 ? ",)" : ")");
  }
};

// Parses the magic, version, header length and dict at the start of `bytes`.
NpyHeader parse_npy_header(const std::uint8_t* bytes, std::size_t size);

}  // namespace typenet::data

#ifdef TYPENET_HEADER_ONLY
#include "typenet/data/npy_header-inl.hpp"
#endif
