#pragma once
// The definitions of data/idx.hpp (typenet/config.hpp says where they are compiled).
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>
#include <zlib.h>

#include "typenet/data/idx.hpp"

namespace typenet::data {

namespace detail {

inline constexpr std::uint8_t idx_unsigned_byte = 0x08;

inline std::string hex_byte(unsigned value) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02x", value & 0xffu);
  return text;
}

inline std::string idx_type_name(std::uint8_t code) {
  switch (code) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0b: return "16-bit integer";
    case 0x0c: return "32-bit integer";
    case 0x0d: return "32-bit float";
    case 0x0e: return "64-bit float";
    default: return "not an IDX type";
  }
}

// One error format for the whole reader, so messages are easy to grep and to test.
inline std::runtime_error idx_error(const std::filesystem::path& path, std::uint64_t offset,
                                    const std::string& what) {
  return std::runtime_error(path.string() + ": byte " + std::to_string(offset) + ": " + what);
}

// The bytes of a file, inflated on the fly when it starts with the gzip magic. Offsets count
// uncompressed bytes, so error messages mean the same thing for plain and compressed files.
class IdxByteStream {
 public:
  explicit IdxByteStream(const std::filesystem::path& path) : path_(path), file_(std::fopen(path.c_str(), "rb")) {
    if (!file_) {
      const int error = errno;  // before anything else can overwrite it
      throw std::runtime_error(path.string() + ": cannot open: " + std::strerror(error));
    }
    if (std::fseek(file_.get(), 0, SEEK_END) == 0) {
      const long end = std::ftell(file_.get());
      if (end >= 0) file_size_ = static_cast<std::uint64_t>(end);  // unknown for a pipe
      std::rewind(file_.get());
    }
    ensure_input(2);
    gzip_ = available() >= 2 && input_[input_pos_] == 0x1f && input_[input_pos_ + 1] == 0x8b;
    if (gzip_) {
      // 15 + 16: the largest window, and accept only a gzip wrapper (a zlib or raw stream here is corrupt).
      if (inflateInit2(&zs_, 15 + 16) != Z_OK) throw std::runtime_error(path.string() + ": cannot initialise zlib");
      inflating_ = true;
    }
  }
  ~IdxByteStream() {
    if (inflating_) inflateEnd(&zs_);
  }
  IdxByteStream(const IdxByteStream&) = delete;
  IdxByteStream& operator=(const IdxByteStream&) = delete;

  bool gzip() const { return gzip_; }
  // Uncompressed bytes delivered so far.
  std::uint64_t offset() const { return offset_; }
  // The uncompressed size, known up front for plain files: the reader rejects a short file
  // before allocating.
  std::optional<std::uint64_t> plain_size() const {
    return gzip_ ? std::nullopt : file_size_;
  }
  // The most a gzip file can hold uncompressed: deflate expands at most 1032:1 (zlib's technical
  // notes), so a header that claims more than that from the file's size is refused before
  // anything is allocated for it.
  std::uint64_t max_uncompressed_size() const {
    constexpr std::uint64_t unknown = std::numeric_limits<std::uint64_t>::max();
    if (!file_size_) return unknown;
    if (!gzip_) return *file_size_;
    return *file_size_ > unknown / 1032 ? unknown : *file_size_ * 1032;
  }

  // Fills `out` with up to `size` bytes; returns fewer only at the end of the stream.
  std::size_t read(void* out, std::size_t size) {
    auto* bytes = static_cast<unsigned char*>(out);
    return gzip_ ? read_gzip(bytes, size) : read_plain(bytes, size);
  }

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  static constexpr std::size_t input_capacity = std::size_t{1} << 20;

  std::size_t available() const { return input_len_ - input_pos_; }

  // Tops the input buffer up to at least `wanted` bytes unless the file ends first.
  void ensure_input(std::size_t wanted) {
    if (available() >= wanted) return;
    // A small file gets a buffer of its size, not the full megabyte.
    if (input_.empty()) {
      const std::uint64_t size = std::min<std::uint64_t>(input_capacity, file_size_.value_or(input_capacity));
      input_.resize(std::max<std::size_t>(wanted, static_cast<std::size_t>(size)));
    }
    std::memmove(input_.data(), input_.data() + input_pos_, available());
    input_len_ = available();
    input_pos_ = 0;
    while (input_len_ < wanted) {
      std::size_t got = std::fread(input_.data() + input_len_, 1, input_.size() - input_len_, file_.get());
      check_file_error();
      if (got == 0) break;
      input_len_ += got;
      raw_read_ += got;
    }
  }

  void check_file_error() const {
    if (std::ferror(file_.get())) {
      const int error = errno;
      throw idx_error(path_, offset_, std::string("read error: ") + std::strerror(error));
    }
  }

  std::size_t read_plain(unsigned char* out, std::size_t size) {
    std::size_t from_buffer = std::min(size, available());
    std::memcpy(out, input_.data() + input_pos_, from_buffer);
    input_pos_ += from_buffer;
    // The rest goes straight from the file into the caller's memory: one big fread, no copy.
    std::size_t from_file = std::fread(out + from_buffer, 1, size - from_buffer, file_.get());
    check_file_error();
    raw_read_ += from_file;
    offset_ += from_buffer + from_file;
    return from_buffer + from_file;
  }

  std::uint64_t compressed_offset() const { return raw_read_ - available(); }

  std::runtime_error gzip_error(const std::string& what) const {
    return idx_error(path_, offset_, what + " (compressed byte " + std::to_string(compressed_offset()) + ")");
  }

  std::size_t read_gzip(unsigned char* out, std::size_t size) {
    std::size_t done = 0;
    while (done < size && !gzip_finished_) {
      ensure_input(1);
      if (available() == 0)
        throw gzip_error("expected more gzip data, found the end of the compressed file (truncated .gz?)");
      // zlib counts in uInt; the caller's 47 MB fits, but larger requests go round the loop.
      const auto in_size = static_cast<uInt>(std::min<std::size_t>(available(), std::numeric_limits<uInt>::max()));
      const auto out_size = static_cast<uInt>(std::min<std::size_t>(size - done, std::numeric_limits<uInt>::max()));
      zs_.next_in = input_.data() + input_pos_;
      zs_.avail_in = in_size;
      zs_.next_out = out + done;
      zs_.avail_out = out_size;
      int rc = inflate(&zs_, Z_NO_FLUSH);
      std::size_t consumed = in_size - zs_.avail_in, produced = out_size - zs_.avail_out;
      input_pos_ += consumed;
      done += produced;
      offset_ += produced;  // kept current so that an error below reports where inflating stopped
      if (rc == Z_STREAM_END) {
        end_of_member();
      } else if ((rc != Z_OK && rc != Z_BUF_ERROR) || (consumed == 0 && produced == 0)) {
        throw gzip_error(std::string("expected a valid gzip stream, found corrupt data (zlib: ") +
                         (zs_.msg ? zs_.msg : "error " + std::to_string(rc)) + ")");
      }
    }
    return done;
  }

  // gzip allows several members back to back (`cat a.gz b.gz`); anything else after a member is
  // garbage that zlib's gzread would silently ignore, so it is an error here.
  void end_of_member() {
    ensure_input(2);
    if (available() == 0) {
      gzip_finished_ = true;
    } else if (available() >= 2 && input_[input_pos_] == 0x1f && input_[input_pos_ + 1] == 0x8b) {
      inflateReset(&zs_);
    } else {
      throw gzip_error("expected the end of the file or another gzip member after the gzip stream, found " +
                       hex_byte(input_[input_pos_]));
    }
  }

  std::filesystem::path path_;
  std::unique_ptr<std::FILE, FileCloser> file_;
  std::vector<unsigned char> input_;
  std::size_t input_pos_ = 0, input_len_ = 0;
  std::uint64_t raw_read_ = 0, offset_ = 0;
  std::optional<std::uint64_t> file_size_;
  bool gzip_ = false, inflating_ = false, gzip_finished_ = false;
  z_stream zs_{};
};

// Reads the whole of an unsigned-byte IDX file with `Rank` dimensions; `what` names its content
// ("images", "labels") for the dimension-count error.
template <std::size_t Rank>
xt::xtensor<std::uint8_t, Rank> read_idx_u8(const std::filesystem::path& path, const char* what) {
  IdxByteStream in(path);

  std::array<std::uint8_t, 4> magic{};
  std::size_t got = in.read(magic.data(), magic.size());
  if (got < magic.size())
    throw idx_error(path, got, "expected the 4-byte IDX magic number, found the end of the file");
  for (std::size_t i = 0; i < 2; ++i)
    if (magic[i] != 0)
      throw idx_error(path, i, "expected 0x00 (an IDX file starts with two zero bytes), found " + hex_byte(magic[i]) +
                                   (in.gzip() ? "" : " (not an IDX file?)"));
  if (magic[2] != idx_unsigned_byte)
    throw idx_error(path, 2, "expected IDX type code 0x08 (unsigned byte), found " + hex_byte(magic[2]) + " (" +
                                 idx_type_name(magic[2]) + ")");
  if (magic[3] != Rank)
    throw idx_error(path, 3, "expected " + std::to_string(Rank) + (Rank == 1 ? " dimension" : " dimensions") +
                                 " (" + what + "), found " + std::to_string(magic[3]));

  std::array<std::size_t, Rank> shape{};
  std::size_t count = 1;
  for (std::size_t d = 0; d < Rank; ++d) {
    std::uint64_t at = in.offset();
    std::array<std::uint8_t, 4> be{};
    got = in.read(be.data(), be.size());
    if (got < be.size())
      throw idx_error(path, at + got, "expected the 4-byte size of dimension " + std::to_string(d) + " of " +
                                          std::to_string(Rank) + ", found the end of the file");
    std::uint32_t size = (std::uint32_t{be[0]} << 24) | (std::uint32_t{be[1]} << 16) | (std::uint32_t{be[2]} << 8) | be[3];
    if (size == 0)
      throw idx_error(path, at, "expected a non-zero size for dimension " + std::to_string(d) + ", found 0");
    // xtensor computes strides and offsets in std::ptrdiff_t: a larger product is undefined there.
    if (count > static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max()) / size)
      throw idx_error(path, at, "expected dimensions whose product fits in memory, found a product above 2^63");
    shape[d] = size;
    count *= size;
  }

  const std::uint64_t header = in.offset();
  const std::uint64_t expected_end = header + count;
  auto short_file = [&](std::uint64_t end) {
    return idx_error(path, end, "expected " + std::to_string(count) + " bytes of data after the " +
                                    std::to_string(header) + "-byte header (length " + std::to_string(expected_end) +
                                    "), found the end of the file after " + std::to_string(end - header));
  };
  auto trailing = [&](std::uint64_t extra) {
    return idx_error(path, expected_end, "expected the end of the file after " + std::to_string(count) +
                                             " bytes of data (length " + std::to_string(expected_end) + "), found " +
                                             std::to_string(extra) + " more byte" + (extra == 1 ? "" : "s"));
  };
  if (auto size = in.plain_size()) {
    if (*size < expected_end) throw short_file(*size);
    if (*size > expected_end) throw trailing(*size - expected_end);
  } else if (expected_end > in.max_uncompressed_size()) {
    throw idx_error(path, header, "expected at most " + std::to_string(in.max_uncompressed_size()) +
                                      " uncompressed bytes from a gzip file of this size (deflate expands at most "
                                      "1032:1), found a header declaring " + std::to_string(count) + " bytes of data");
  }

  xt::xtensor<std::uint8_t, Rank> result;
  try {
    result = xt::xtensor<std::uint8_t, Rank>::from_shape(shape);
  } catch (const std::bad_alloc&) {
    throw idx_error(path, header, "expected data that fits in memory, found a header declaring " +
                                      std::to_string(count) + " bytes");
  }
  got = in.read(result.data(), count);
  if (got < count) throw short_file(header + got);

  // Reading past the data also makes zlib verify the gzip trailer (CRC-32 and length).
  std::uint64_t extra = 0;
  std::array<unsigned char, 64 * 1024> scratch;
  while ((got = in.read(scratch.data(), scratch.size())) > 0) extra += got;
  if (extra > 0) throw trailing(extra);
  return result;
}

}  // namespace detail

TYPENET_INLINE xt::xtensor<std::uint8_t, 3> read_idx_images(const std::filesystem::path& path) {
  return detail::read_idx_u8<3>(path, "images");
}

TYPENET_INLINE xt::xtensor<std::uint8_t, 1> read_idx_labels(const std::filesystem::path& path) {
  return detail::read_idx_u8<1>(path, "labels");
}

}  // namespace typenet::data
