#pragma once
// The definitions of training/history.hpp (typenet/config.hpp says where they are compiled).
#include <charconv>

#include "typenet/io/atomic_file.hpp"
#include "typenet/training/history.hpp"

namespace typenet {

TYPENET_INLINE std::string History::to_json() const {
  std::string out = "{";
  for (std::size_t m = 0; m < series_.size(); ++m) {
    out += (m ? ", \"" : "\"") + series_[m].first + "\": [";
    const auto& values = series_[m].second;
    for (std::size_t e = 0; e < values.size(); ++e) out += (e ? ", " : "") + format(values[e]);
    out += "]";
  }
  return out + "}\n";
}

TYPENET_INLINE std::string History::to_csv() const {
  std::string out = "epoch";
  for (const auto& [name, values] : series_) out += "," + name;
  out += "\n";
  for (std::size_t e = 0; e < epochs(); ++e) {
    out += std::to_string(e + 1);
    for (const auto& [name, values] : series_) out += "," + format(values[e]);
    out += "\n";
  }
  return out;
}

TYPENET_INLINE void History::write_json(const std::filesystem::path& path) const {
  io::write_file_atomically(path, to_json());
}

TYPENET_INLINE void History::write_csv(const std::filesystem::path& path) const {
  io::write_file_atomically(path, to_csv());
}

TYPENET_INLINE std::string History::format(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

}  // namespace typenet
