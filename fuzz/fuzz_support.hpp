#pragma once
// What the harnesses share: typenet's loaders read files, so each input is written to a scratch
// file first (in /dev/shm when there is one, to keep that cheap), and the inputs that a checksum
// or a container would stop at its first byte are built here with the checksum right.
//
// A harness defines LLVMFuzzerTestOneInput. Built with clang's -fsanitize=fuzzer, libFuzzer calls
// it; built with replay_main.cpp (any compiler, no libFuzzer), it replays the regression corpus
// in fuzz/regression/<harness>/ through the same code (the ctest tests fuzz_regression.*).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>
#include <zip.h>
#include <zlib.h>

namespace typenet::fuzz {

using Bytes = std::vector<std::uint8_t>;

// A scratch path of this process; `name` keeps the file's extension or MedMNIST name.
inline std::filesystem::path scratch_path(const std::string& name) {
  static const std::filesystem::path dir = [] {
    std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    base /= "typenet_fuzz_" + std::to_string(::getpid());
    std::filesystem::create_directories(base);
    return base;
  }();
  return dir / name;
}

inline std::filesystem::path write_file(const std::string& name, std::span<const std::uint8_t> bytes) {
  const auto path = scratch_path(name);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::logic_error("fuzz: cannot write " + path.string());
  if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  return path;
}

// The bytes as one gzip member, as `gzip` writes them.
inline Bytes gzip(std::span<const std::uint8_t> bytes) {
  z_stream zs{};
  // Level 1 and a small memory level: a valid stream is what matters, and speed.
  if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 1, Z_DEFAULT_STRATEGY) != Z_OK) throw std::logic_error("fuzz: deflateInit2");
  Bytes out(deflateBound(&zs, bytes.size()) + 32);
  zs.next_in = const_cast<std::uint8_t*>(bytes.data());
  zs.avail_in = static_cast<uInt>(bytes.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::logic_error("fuzz: deflate");
  out.resize(zs.total_out);
  return out;
}

// Splits the input into pieces at a 4-byte separator ("#~#~"), so that a harness can take several
// inputs from one (the members of a zip, a model file's header and data) and a mutation of one
// piece leaves the others where they were.
inline std::vector<std::span<const std::uint8_t>> pieces(const std::uint8_t* data, std::size_t size) {
  static constexpr std::uint8_t sep[] = {'#', '~', '#', '~'};
  std::vector<std::span<const std::uint8_t>> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i + 4 <= size; ++i)
    if (data[i] == sep[0] && data[i + 1] == sep[1] && data[i + 2] == sep[2] && data[i + 3] == sep[3]) {
      out.emplace_back(data + start, i - start);
      start = i + 4;
      i += 3;
    }
  out.emplace_back(data + start, size - start);
  return out;
}

struct ZipMember {
  std::string name;
  std::span<const std::uint8_t> bytes;
  bool deflate = false;
};

// A zip written by libzip, CRCs and sizes right, so that mutation reaches the .npy members.
inline std::filesystem::path write_zip(const std::string& name, const std::vector<ZipMember>& members) {
  const auto path = scratch_path(name);
  int error = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (!zip) throw std::logic_error("fuzz: zip_open");
  for (const auto& m : members) {
    zip_source_t* source = zip_source_buffer(zip, m.bytes.data(), m.bytes.size(), 0);
    const zip_int64_t index = source ? zip_file_add(zip, m.name.c_str(), source, ZIP_FL_OVERWRITE) : -1;
    if (index < 0) {
      if (source) zip_source_free(source);
      continue;  // a repeated name: the member is left out
    }
    zip_set_file_compression(zip, static_cast<zip_uint64_t>(index), m.deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
  }
  if (zip_close(zip) != 0) {
    zip_discard(zip);
    std::filesystem::remove(path);
  }
  return path;
}

}  // namespace typenet::fuzz
