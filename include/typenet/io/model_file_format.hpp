#pragma once
// The container of a saved model file: a JSON header, then raw float32 sections. Integers are
// little-endian:
//
//   byte 0    8 bytes   magic 89 'T' 'N' 'E' 'T' 0D 0A 1A (as PNG's: the high byte and the CR LF
//                       show at once a transfer that mangled the file as text)
//   byte 8    uint32    format version
//   byte 12   uint64    header length H
//   byte 20   uint32    CRC-32 of the H header bytes
//   byte 24   H bytes   the header, JSON text padded with spaces so that the data is 64-byte aligned
//   24 + H    sections  back to back, each little-endian float32 values; the header's "sections"
//                       lists each one's name, offset, byte count and CRC-32, and the file ends
//                       exactly where the last one does.
//
// The version sits outside the JSON so that a newer file is recognised as newer before its
// header is parsed. The reader trusts nothing it has not checked: every length is compared with
// the file's size before anything is read or allocated, so a damaged file gets an error naming
// the file, the byte offset and what was expected there, and no read goes past the end.
// What the header means (architecture, optimizer, ...) is io/saved_model.hpp's business.
#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "typenet/io/atomic_file.hpp"

namespace typenet::io {

inline constexpr std::array<unsigned char, 8> model_file_magic = {0x89, 'T', 'N', 'E', 'T', 0x0d, 0x0a, 0x1a};
inline constexpr std::uint32_t model_format_version = 1;
inline constexpr std::uint64_t model_preamble_size = 24;  // magic, version, header length, header CRC
inline constexpr std::uint64_t model_data_alignment = 64;

// Every way a model file can be refused. kind() tells them apart for programs; what() names the
// file and the byte offset for people.
class ModelFileError : public std::runtime_error {
 public:
  enum class Kind {
    cannot_open,         // the file cannot be opened or read (errno's message follows)
    wrong_magic,         // not a typenet model file
    newer_version,       // written by a newer typenet
    truncated,           // the file ends before the data the header describes
    checksum_mismatch,   // the header or a section does not match its CRC-32
    malformed_header,    // the header is not the JSON this version writes
    trailing_bytes,      // bytes after the last section
    other_architecture,  // a file saved from another network than the one loading it
    non_finite_value,    // a NaN or infinity among the weights
  };

  ModelFileError(Kind kind, const std::filesystem::path& path, std::uint64_t offset, const std::string& what)
      : std::runtime_error(path.string() + ": byte " + std::to_string(offset) + ": " + what),
        kind_(kind),
        path_(path),
        offset_(offset) {}

  Kind kind() const { return kind_; }
  const std::filesystem::path& path() const { return path_; }
  std::uint64_t offset() const { return offset_; }

 private:
  Kind kind_;
  std::filesystem::path path_;
  std::uint64_t offset_;
};

// One section to write: a name ("weights", "optimizer/momentum") and its values.
struct ModelFileSection {
  std::string name;
  std::span<const float> values;
};

namespace detail {

inline std::string hex8(unsigned v) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02x", v & 0xffu);
  return text;
}

inline std::string hex32(std::uint32_t v) {
  char text[9];
  std::snprintf(text, sizeof text, "%08x", v);
  return text;
}

template <class T>
void store_le(unsigned char* at, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i) at[i] = static_cast<unsigned char>(v >> (8 * i));
}
template <class T>
T load_le(const unsigned char* at) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(at[i]) << (8 * i);
  return v;
}

// zlib's crc32 takes 32-bit lengths, so long buffers go in pieces.
inline std::uint32_t crc32_update(std::uint32_t crc, const unsigned char* bytes, std::size_t n) {
  constexpr std::size_t piece = std::size_t{1} << 30;
  while (n > 0) {
    const std::size_t take = std::min(n, piece);
    crc = static_cast<std::uint32_t>(::crc32(crc, bytes, static_cast<uInt>(take)));
    bytes += take;
    n -= take;
  }
  return crc;
}

inline void byteswap_floats(float* values, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    auto bits = std::bit_cast<std::uint32_t>(values[i]);
    bits = (bits >> 24) | ((bits >> 8) & 0xff00u) | ((bits << 8) & 0xff0000u) | (bits << 24);
    values[i] = std::bit_cast<float>(bits);
  }
}

// Calls emit(bytes, n) over the values as little-endian float32, in pieces of at most 1 MiB on a
// big-endian machine (where they are swapped into a buffer) and in one piece elsewhere.
template <class Emit>
void for_each_little_endian_piece(std::span<const float> values, Emit&& emit) {
  if constexpr (std::endian::native == std::endian::little) {
    emit(reinterpret_cast<const unsigned char*>(values.data()), values.size_bytes());
  } else {
    std::vector<float> piece(std::size_t{1} << 18);
    for (std::size_t at = 0; at < values.size(); at += piece.size()) {
      const std::size_t n = std::min(piece.size(), values.size() - at);
      std::copy_n(values.data() + at, n, piece.data());
      byteswap_floats(piece.data(), n);
      emit(reinterpret_cast<const unsigned char*>(piece.data()), n * sizeof(float));
    }
  }
}

inline std::uint32_t crc32_of(std::span<const float> values) {
  std::uint32_t crc = static_cast<std::uint32_t>(::crc32(0, nullptr, 0));
  for_each_little_endian_piece(values, [&](const unsigned char* bytes, std::size_t n) { crc = crc32_update(crc, bytes, n); });
  return crc;
}

// The header text for sections starting at `data_start`, padded so that 24 + its length is.
inline std::string header_text(nlohmann::ordered_json header, std::span<const ModelFileSection> sections,
                               const std::vector<std::uint32_t>& crcs, std::uint64_t data_start) {
  auto table = nlohmann::ordered_json::array();
  std::uint64_t offset = data_start;
  for (std::size_t i = 0; i < sections.size(); ++i) {
    const std::uint64_t bytes = sections[i].values.size_bytes();
    table.push_back({{"name", sections[i].name},
                     {"dtype", "float32"},
                     {"byte_order", "little"},
                     {"count", sections[i].values.size()},
                     {"offset", offset},
                     {"bytes", bytes},
                     {"crc32", hex32(crcs[i])}});
    offset += bytes;
  }
  header["sections"] = std::move(table);
  std::string text = header.dump(2) + "\n";
  const std::uint64_t end = model_preamble_size + text.size();
  const std::uint64_t aligned = (end + model_data_alignment - 1) / model_data_alignment * model_data_alignment;
  text.append(aligned - end, ' ');
  return text;
}

}  // namespace detail

// Writes `header` (to which the "sections" table is added) and the sections to `target`,
// atomically: a reader, or a process killed mid-save, sees the old file or the new one.
inline void write_model_file(const std::filesystem::path& target, const nlohmann::ordered_json& header,
                             std::span<const ModelFileSection> sections) {
  std::vector<std::uint32_t> crcs;
  for (const auto& s : sections) crcs.push_back(detail::crc32_of(s.values));

  // The table holds the sections' offsets, which depend on the header's own length: iterate
  // until the padded length stops changing (twice at most, since padding absorbs small growth).
  std::string text;
  std::uint64_t data_start = model_preamble_size;
  for (int attempt = 0;; ++attempt) {
    text = detail::header_text(header, sections, crcs, data_start);
    if (model_preamble_size + text.size() == data_start) break;
    if (attempt == 8) throw std::logic_error("write_model_file: the header's length does not settle");
    data_start = model_preamble_size + text.size();
  }

  std::array<unsigned char, model_preamble_size> preamble{};
  std::copy(model_file_magic.begin(), model_file_magic.end(), preamble.begin());
  detail::store_le<std::uint32_t>(preamble.data() + 8, model_format_version);
  detail::store_le<std::uint64_t>(preamble.data() + 12, text.size());
  detail::store_le<std::uint32_t>(preamble.data() + 20,
                                  detail::crc32_update(static_cast<std::uint32_t>(::crc32(0, nullptr, 0)),
                                                       reinterpret_cast<const unsigned char*>(text.data()), text.size()));

  replace_atomically(target, [&](const std::filesystem::path& temp) {
    std::FILE* f = std::fopen(temp.c_str(), "wb");
    if (!f) throw detail::os_error("cannot create", temp);
    bool ok = std::fwrite(preamble.data(), 1, preamble.size(), f) == preamble.size();
    ok = ok && std::fwrite(text.data(), 1, text.size(), f) == text.size();
    for (const auto& s : sections)
      detail::for_each_little_endian_piece(s.values, [&](const unsigned char* bytes, std::size_t n) {
        ok = ok && std::fwrite(bytes, 1, n, f) == n;
      });
    ok = (std::fflush(f) == 0) && ok;
    ok = (std::fclose(f) == 0) && ok;
    if (!ok) throw detail::os_error("cannot write", temp);
  });
}

// A model file opened for reading. The constructor checks the preamble, the header's CRC and
// JSON, and the section table against the file's size; sections are read (and CRC-checked)
// on demand, so a caller can refuse a file on its header before reading megabytes of weights.
class ModelFileReader {
 public:
  using Kind = ModelFileError::Kind;

  explicit ModelFileReader(std::filesystem::path path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw error(Kind::cannot_open, 0, std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      const int e = errno;
      ::close(fd_);
      throw error(Kind::cannot_open, 0, std::string("cannot stat: ") + std::strerror(e));
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
    try {
      read_preamble();
      read_sections_table();
    } catch (...) {
      ::close(fd_);
      throw;
    }
  }
  ModelFileReader(const ModelFileReader&) = delete;
  ModelFileReader& operator=(const ModelFileReader&) = delete;
  ~ModelFileReader() { ::close(fd_); }

  const std::filesystem::path& path() const { return path_; }
  const nlohmann::ordered_json& header() const { return header_; }
  std::uint64_t header_offset() const { return model_preamble_size; }
  std::uint64_t size() const { return size_; }

  // The named section's values, which must number `expected_count`; checked against its CRC-32.
  std::vector<float> read_section(std::string_view name, std::size_t expected_count) const {
    const Section* s = find(name);
    if (!s) throw error(Kind::malformed_header, model_preamble_size, "the header lists no section '" + std::string(name) + "'");
    if (s->bytes != std::uint64_t{expected_count} * sizeof(float))
      throw error(Kind::malformed_header, s->offset,
                  "section '" + s->name + "' holds " + std::to_string(s->bytes / sizeof(float)) +
                      " float32 values; expected " + std::to_string(expected_count));
    std::vector<float> values(expected_count);
    read_exactly(reinterpret_cast<unsigned char*>(values.data()), s->offset, s->bytes, "section '" + s->name + "'");
    const std::uint32_t crc = detail::crc32_update(static_cast<std::uint32_t>(::crc32(0, nullptr, 0)),
                                                   reinterpret_cast<const unsigned char*>(values.data()), s->bytes);
    if (crc != s->crc32)
      throw error(Kind::checksum_mismatch, s->offset,
                  "section '" + s->name + "' (bytes " + std::to_string(s->offset) + " to " +
                      std::to_string(s->offset + s->bytes) + ") has CRC-32 " + detail::hex32(crc) +
                      " but the header says " + detail::hex32(s->crc32) + "; the file is corrupt");
    if constexpr (std::endian::native == std::endian::big) detail::byteswap_floats(values.data(), values.size());
    // A NaN weight would make every prediction NaN, or train on silently; its CRC only says the
    // file holds what was written.
    for (std::size_t i = 0; i < values.size(); ++i)
      if (!std::isfinite(values[i]))
        throw error(Kind::non_finite_value, s->offset + i * sizeof(float),
                    "section '" + s->name + "' value " + std::to_string(i) + " is " + (std::isnan(values[i]) ? "NaN" : "infinite") +
                        "; a model file holds finite weights only");
    return values;
  }

  ModelFileError error(Kind kind, std::uint64_t offset, const std::string& what) const {
    return ModelFileError(kind, path_, offset, what);
  }

 private:
  struct Section {
    std::string name;
    std::uint64_t offset = 0, bytes = 0;
    std::uint32_t crc32 = 0;
  };

  const Section* find(std::string_view name) const {
    for (const auto& s : sections_)
      if (s.name == name) return &s;
    return nullptr;
  }

  // Reads n bytes at `offset`, which the caller has checked lie inside the file; a file that
  // shrank since is reported as truncated rather than read short.
  void read_exactly(unsigned char* into, std::uint64_t offset, std::uint64_t n, const std::string& what) const {
    std::uint64_t done = 0;
    while (done < n) {
      const std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(n - done, std::uint64_t{1} << 30));
      const ssize_t got = ::pread(fd_, into + done, chunk, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) throw error(Kind::cannot_open, offset + done, "cannot read " + what + ": " + std::strerror(errno));
      if (got == 0)
        throw error(Kind::truncated, offset + done,
                    "the file ends inside " + what + ", which needs " + std::to_string(n) + " bytes from byte " +
                        std::to_string(offset));
      done += static_cast<std::uint64_t>(got);
    }
  }

  void read_preamble() {
    // The magic is checked on whatever part of it the file holds, so that a short file that is
    // not a model file at all is reported as such rather than as truncated.
    std::array<unsigned char, model_preamble_size> p{};
    const std::uint64_t have = std::min<std::uint64_t>(size_, p.size());
    read_exactly(p.data(), 0, have, "the preamble");
    for (std::size_t i = 0; i < std::min<std::uint64_t>(have, model_file_magic.size()); ++i)
      if (p[i] != model_file_magic[i])
        throw error(Kind::wrong_magic, i,
                    "not a typenet model file: " + detail::hex8(p[i]) + " where the magic has " +
                        detail::hex8(model_file_magic[i]) + " (a model file starts with 89 54 4e 45 54 0d 0a 1a)");
    if (have < p.size())
      throw error(Kind::truncated, have,
                  "the file ends after " + std::to_string(have) + " bytes, inside the " +
                      std::to_string(model_preamble_size) + "-byte preamble (magic, version, header length, header CRC-32)");

    version_ = detail::load_le<std::uint32_t>(p.data() + 8);
    if (version_ > model_format_version)
      throw error(Kind::newer_version, 8,
                  "format version " + std::to_string(version_) + " was written by a newer typenet; this one reads up to version " +
                      std::to_string(model_format_version));
    if (version_ == 0) throw error(Kind::malformed_header, 8, "format version 0 does not exist (versions start at 1)");

    const std::uint64_t header_length = detail::load_le<std::uint64_t>(p.data() + 12);
    const std::uint32_t header_crc = detail::load_le<std::uint32_t>(p.data() + 20);
    if (header_length > size_ - model_preamble_size)
      throw error(Kind::truncated, size_,
                  "the preamble announces a header of " + std::to_string(header_length) +
                      " bytes from byte 24, but the file ends at byte " + std::to_string(size_));
    data_start_ = model_preamble_size + header_length;

    std::string text(static_cast<std::size_t>(header_length), '\0');
    read_exactly(reinterpret_cast<unsigned char*>(text.data()), model_preamble_size, header_length, "the header");
    const std::uint32_t crc = detail::crc32_update(static_cast<std::uint32_t>(::crc32(0, nullptr, 0)),
                                                   reinterpret_cast<const unsigned char*>(text.data()), text.size());
    if (crc != header_crc)
      throw error(Kind::checksum_mismatch, model_preamble_size,
                  "the header (bytes 24 to " + std::to_string(data_start_) + ") has CRC-32 " + detail::hex32(crc) +
                      " but the preamble says " + detail::hex32(header_crc) + "; the file is corrupt");
    // A header this typenet writes nests a handful of levels (more with nested blocks). The
    // limit stops a hostile header of 100,000 nested arrays before it is built: code that walks
    // the JSON afterwards (comparing, printing, destroying it) recurses once per level.
    constexpr int max_header_depth = 64;
    auto depth_limit = [&](int depth, nlohmann::ordered_json::parse_event_t, nlohmann::ordered_json&) {
      if (depth > max_header_depth)
        throw malformed("the header nests JSON more than " + std::to_string(max_header_depth) + " levels deep");
      return true;
    };
    try {
      header_ = nlohmann::ordered_json::parse(text, depth_limit);
    } catch (const nlohmann::json::parse_error& e) {
      throw error(Kind::malformed_header, model_preamble_size + (e.byte > 0 ? e.byte - 1 : 0),
                  std::string("the header is not valid JSON: ") + e.what());
    }
    if (!header_.is_object()) throw malformed("the header is not a JSON object");
    if (header_.value("format", std::string()) != "typenet model")
      throw malformed("the header's \"format\" is not \"typenet model\"");
    const auto& v = header_.value("format_version", nlohmann::ordered_json());
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() != version_)
      throw malformed("the header's \"format_version\" (" + v.dump() + ") differs from the preamble's (" +
                      std::to_string(version_) + ")");
  }

  ModelFileError malformed(const std::string& what) const { return error(Kind::malformed_header, model_preamble_size, what); }

  void read_sections_table() {
    const auto it = header_.find("sections");
    if (it == header_.end() || !it->is_array()) throw malformed("the header has no \"sections\" array");
    std::uint64_t expected_offset = data_start_;
    for (std::size_t i = 0; i < it->size(); ++i) {
      const auto& entry = (*it)[i];
      const std::string where = "the header's sections[" + std::to_string(i) + "]";
      auto field = [&](const char* key) -> const nlohmann::ordered_json& {
        if (!entry.is_object() || !entry.contains(key)) throw malformed(where + " has no \"" + key + "\"");
        return entry[key];
      };
      Section s;
      if (!field("name").is_string()) throw malformed(where + ".name is not a string");
      s.name = field("name").get<std::string>();
      if (find(s.name)) throw malformed(where + " repeats the section name '" + s.name + "'");
      if (!field("offset").is_number_unsigned() || !field("bytes").is_number_unsigned())
        throw malformed(where + " needs unsigned integers \"offset\" and \"bytes\"");
      s.offset = field("offset").get<std::uint64_t>();
      s.bytes = field("bytes").get<std::uint64_t>();
      if (field("dtype") != "float32" || field("byte_order") != "little")
        throw malformed(where + " is not little-endian float32");
      const auto& crc = field("crc32");
      if (!crc.is_string() || crc.get<std::string>().size() != 8 ||
          crc.get<std::string>().find_first_not_of("0123456789abcdef") != std::string::npos)
        throw malformed(where + ".crc32 is not 8 lowercase hex digits");
      s.crc32 = static_cast<std::uint32_t>(std::stoul(crc.get<std::string>(), nullptr, 16));
      if (s.offset != expected_offset)
        throw malformed(where + " ('" + s.name + "') starts at byte " + std::to_string(s.offset) + "; expected " +
                        std::to_string(expected_offset) + ", right after the " +
                        (i == 0 ? std::string("header") : "section before it"));
      if (s.bytes % sizeof(float) != 0)
        throw malformed(where + " ('" + s.name + "') is " + std::to_string(s.bytes) + " bytes, not a whole number of float32");
      if (s.bytes > size_ - s.offset)  // s.offset <= size_: it is where the previous part ends
        throw error(Kind::truncated, size_,
                    "section '" + s.name + "' needs " + std::to_string(s.bytes) + " bytes from byte " +
                        std::to_string(s.offset) + ", but the file ends at byte " + std::to_string(size_));
      expected_offset = s.offset + s.bytes;
      sections_.push_back(std::move(s));
    }
    if (size_ > expected_offset)
      throw error(Kind::trailing_bytes, expected_offset,
                  std::to_string(size_ - expected_offset) + " unexpected bytes after the last section, which ends at byte " +
                      std::to_string(expected_offset) + "; the file should end there");
  }

  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::uint32_t version_ = 0;
  std::uint64_t data_start_ = 0;
  nlohmann::ordered_json header_;
  std::vector<Section> sections_;
};

}  // namespace typenet::io
