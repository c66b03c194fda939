#pragma once
// The definitions of data/npy_header.hpp (typenet/config.hpp says where they are compiled).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "typenet/data/npy_header.hpp"

namespace typenet::data {

namespace detail {

inline std::runtime_error npy_error(const std::string& what) { return std::runtime_error(what); }

// Maps a descr string to a type; the byte-order character must be little-endian ('<'), or
// not-applicable ('|') for one-byte types. '=' (native) is accepted since every platform
// typenet builds on is little-endian.
inline void parse_npy_descr(const std::string& descr, NpyHeader& h) {
  if (descr.size() < 2) throw npy_error("dtype '" + descr + "' is not a NumPy type string");
  const char order = descr[0];
  const std::string_view code = std::string_view(descr).substr(1);
  if (code.starts_with("O"))
    throw npy_error("dtype '" + descr + "' is an object array (pickled Python objects); only numeric arrays can be read");
  if (order == '>')
    throw npy_error("dtype '" + descr + "' is big-endian; convert it with array.astype('<" + std::string(code) + "') first");
  if (order != '<' && order != '|' && order != '=')
    throw npy_error("dtype '" + descr + "' has no byte-order mark ('<', '|' or '='); it is not a NumPy type string");
  struct Known {
    std::string_view code;
    NpyType type;
    std::size_t size;
  };
  static constexpr Known known[] = {
      {"b1", NpyType::boolean, 1}, {"u1", NpyType::uint8, 1},   {"i1", NpyType::int8, 1},
      {"u2", NpyType::uint16, 2},  {"i2", NpyType::int16, 2},   {"u4", NpyType::uint32, 4},
      {"i4", NpyType::int32, 4},   {"u8", NpyType::uint64, 8},  {"i8", NpyType::int64, 8},
      {"f4", NpyType::float32, 4}, {"f8", NpyType::float64, 8},
  };
  for (const auto& k : known)
    if (code == k.code) {
      if (order == '|' && k.size > 1) break;  // '|' claims byte order does not matter; for these it does
      h.type = k.type;
      h.item_size = k.size;
      h.descr = descr;
      return;
    }
  throw npy_error("dtype '" + descr +
                  "' is not supported (readable: bool, uint8/16/32/64, int8/16/32/64, float32, float64, little-endian)");
}

// A cursor over the dict literal with just the grammar NumPy's header writer produces.
class NpyDictParser {
 public:
  explicit NpyDictParser(std::string_view text) : text_(text) {}

  NpyHeader parse() {
    NpyHeader h;
    bool have_descr = false, have_order = false, have_shape = false;
    expect('{');
    while (true) {
      skip_spaces();
      if (peek() == '}') break;
      const std::string key = string_literal("a quoted key");
      expect(':');
      skip_spaces();
      if (key == "descr") {
        if (peek() == '[') throw npy_error("dtype is a structured (record) type; only plain numeric arrays can be read");
        parse_npy_descr(string_literal("the dtype string"), h);
        have_descr = true;
      } else if (key == "fortran_order") {
        h.fortran_order = boolean_literal();
        have_order = true;
      } else if (key == "shape") {
        h.shape = shape_tuple();
        have_shape = true;
      } else {
        throw npy_error("header has an unknown key '" + key + "'");
      }
      skip_spaces();
      if (peek() == ',') ++pos_;
      else if (peek() != '}') throw error("',' or '}'");
    }
    ++pos_;
    skip_spaces();
    if (pos_ != text_.size()) throw error("the end of the header after '}'");
    if (!have_descr || !have_order || !have_shape)
      throw npy_error(std::string("header lacks the key '") + (!have_descr ? "descr" : !have_order ? "fortran_order" : "shape") + "'");
    return h;
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_spaces() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n')) ++pos_;
  }
  std::runtime_error error(const std::string& expected) const {
    return npy_error("header: expected " + expected + " at character " + std::to_string(pos_) + " of '" +
                     std::string(text_) + "'");
  }
  void expect(char c) {
    skip_spaces();
    if (peek() != c) throw error(std::string("'") + c + "'");
    ++pos_;
  }
  std::string string_literal(const char* what) {
    skip_spaces();
    const char quote = peek();
    if (quote != '\'' && quote != '"') throw error(what);
    const std::size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) throw error("a closing quote");
    std::string s(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return s;
  }
  bool boolean_literal() {
    for (auto [word, value] : {std::pair{std::string_view("True"), true}, std::pair{std::string_view("False"), false}})
      if (text_.substr(pos_).starts_with(word)) {
        pos_ += word.size();
        return value;
      }
    throw error("True or False for fortran_order");
  }
  std::vector<std::size_t> shape_tuple() {
    std::vector<std::size_t> shape;
    expect('(');
    std::size_t count = 1;
    while (true) {
      skip_spaces();
      if (peek() == ')') break;
      if (peek() < '0' || peek() > '9') throw error("a dimension (non-negative integer) in the shape");
      std::size_t d = 0;
      while (peek() >= '0' && peek() <= '9') {
        const std::size_t digit = static_cast<std::size_t>(peek() - '0');
        if (d > (std::numeric_limits<std::size_t>::max() - digit) / 10) throw npy_error("shape: a dimension overflows");
        d = d * 10 + digit;
        ++pos_;
      }
      if (d != 0 && count > std::numeric_limits<std::size_t>::max() / d) throw npy_error("shape: the element count overflows");
      count *= d;
      shape.push_back(d);
      skip_spaces();
      if (peek() == ',') ++pos_;
      else if (peek() != ')') throw error("',' or ')' in the shape");
    }
    ++pos_;
    return shape;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace detail

TYPENET_INLINE NpyHeader parse_npy_header(const std::uint8_t* bytes, std::size_t size) {
  static constexpr std::uint8_t magic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (size < 10 || !std::equal(std::begin(magic), std::end(magic), bytes))
    throw detail::npy_error("not a .npy file (no \\x93NUMPY magic at byte 0)");
  const unsigned major = bytes[6], minor = bytes[7];
  std::size_t length = 0, prefix = 0;
  if (major == 1) {
    length = bytes[8] | std::size_t{bytes[9]} << 8;
    prefix = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) throw detail::npy_error("header is truncated (version " + std::to_string(major) + " needs 12 bytes)");
    length = bytes[8] | std::size_t{bytes[9]} << 8 | std::size_t{bytes[10]} << 16 | std::size_t{bytes[11]} << 24;
    prefix = 12;
  } else {
    throw detail::npy_error("format version " + std::to_string(major) + "." + std::to_string(minor) +
                            " is not supported (1.0, 2.0 and 3.0 are)");
  }
  if (length > size - prefix)
    throw detail::npy_error("header claims " + std::to_string(length) + " bytes but the file has " +
                            std::to_string(size - prefix) + " after the prefix");
  NpyHeader h = detail::NpyDictParser(std::string_view(reinterpret_cast<const char*>(bytes + prefix), length)).parse();
  h.data_offset = prefix + length;
  return h;
}

}  // namespace typenet::data
