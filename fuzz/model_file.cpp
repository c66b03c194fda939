// Model files: Model<Net>::load and load_weights on a file built from the input. The input is a
// header's JSON text and the data after it, as two pieces (fuzz_support.hpp's separator); the
// harness writes the preamble and makes the CRCs fit (the header's, and each section's that the
// header describes, in place in its "crc32" string), so that mutation gets past the checksums
// to the JSON and the sections. A third piece, if any, gives the preamble's version (4 bytes).
// The input's size modulo 3 chooses the reader: Model<Dense>::load, Model<Conv>::load (a network
// with BatchNormalization's non-trainable section) or load_weights. load is given a user's loss
// and optimizer (CustomObjects), so that the files that name them reach their path too.
#include <algorithm>
#include <array>
#include <cstring>
#include <new>

#include <nlohmann/json.hpp>

#include "custom_objects.hpp"
#include "fuzz_support.hpp"
#include "typenet/typenet.hpp"

namespace {

using Dense = typenet::Sequential<typenet::Input<3>, typenet::Dense<4, typenet::ReLU>, typenet::Dense<2, typenet::Softmax>>;
using Conv = typenet::Sequential<typenet::Input<6, 6, 1>, typenet::Conv2D<2, 3, 3, typenet::ReLU>, typenet::BatchNormalization,
                                 typenet::MaxPooling2D<2>, typenet::Flatten, typenet::Dense<2, typenet::Softmax>>;

std::uint32_t crc_of(const std::uint8_t* p, std::size_t n) {
  return static_cast<std::uint32_t>(crc32(crc32(0, nullptr, 0), p, static_cast<uInt>(n)));
}

void put_le(std::uint8_t* p, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// Writes each section's CRC into the i-th "crc32" string of the header text, where the header
// parses and the section lies within the file; the text keeps its length.
void fix_section_crcs(std::string& header, const typenet::fuzz::Bytes& file) {
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(header, [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
      if (depth > 128) throw std::runtime_error("deep");  // the harness must not overflow either
      return true;
    });
  } catch (const std::exception&) {
    return;
  }
  if (!parsed.is_object() || !parsed.contains("sections") || !parsed["sections"].is_array()) return;
  std::size_t from = 0;
  for (const auto& s : parsed["sections"]) {
    const std::size_t key = header.find("\"crc32\"", from);
    if (key == std::string::npos) return;
    const std::size_t quote = header.find('"', header.find(':', key) + 1);
    from = key + 7;
    if (quote == std::string::npos || quote + 9 >= header.size() || header[quote + 9] != '"') continue;
    if (!s.is_object() || !s.contains("offset") || !s.contains("bytes") || !s["offset"].is_number_unsigned() ||
        !s["bytes"].is_number_unsigned())
      continue;
    const auto offset = s["offset"].get<std::uint64_t>(), bytes = s["bytes"].get<std::uint64_t>();
    if (offset > file.size() || bytes > file.size() - offset) continue;
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", crc_of(file.data() + offset, bytes));
    header.replace(quote + 1, 8, hex);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace typenet::fuzz;
  const auto parts = pieces(data, size);
  std::string header(parts[0].begin(), parts[0].end());
  const std::span<const std::uint8_t> sections = parts.size() > 1 ? parts[1] : std::span<const std::uint8_t>{};
  std::uint32_t version = 1;
  if (parts.size() > 2 && parts[2].size() >= 4) std::memcpy(&version, parts[2].data(), 4);

  Bytes file(24 + header.size() + sections.size());
  static constexpr std::array<std::uint8_t, 8> magic = {0x89, 'T', 'N', 'E', 'T', 0x0d, 0x0a, 0x1a};
  std::copy(magic.begin(), magic.end(), file.begin());
  put_le(file.data() + 8, version, 4);
  put_le(file.data() + 12, header.size(), 8);
  std::copy(sections.begin(), sections.end(), file.begin() + 24 + static_cast<std::ptrdiff_t>(header.size()));
  fix_section_crcs(header, file);
  std::copy(header.begin(), header.end(), file.begin() + 24);
  put_le(file.data() + 20, crc_of(reinterpret_cast<const std::uint8_t*>(header.data()), header.size()), 4);
  const auto path = write_file("input.typenet", file);

  auto attempt = [](auto&& load) {
    try {
      load();
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception&) {
    }
  };
  // One reader per input, chosen by its size, so that each run parses the file once.
  switch (size % 3) {
    case 0: attempt([&] { (void)typenet::Model<Dense>::load(path, typenet::fuzz::custom_objects); }); break;
    case 1: attempt([&] { (void)typenet::Model<Conv>::load(path, typenet::fuzz::custom_objects); }); break;
    default: attempt([&] {
      typenet::Model<Dense> model;
      model.load_weights(path);
    });
  }
  return 0;
}
