#pragma once
// The definitions of training/history.hpp (typenet/config.hpp says where they are compiled).
#include <charconv>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "typenet/io/atomic_file.hpp"
#include "typenet/training/history.hpp"

namespace typenet {

TYPENET_INLINE void History::append(std::string_view metric, double value) { series(metric).push_back(value); }

TYPENET_INLINE bool History::contains(std::string_view metric) const { return find(metric) != nullptr; }

TYPENET_INLINE const std::vector<double>& History::operator[](std::string_view metric) const {
  if (const auto* values = find(metric)) return *values;
  throw std::out_of_range("History has no metric '" + std::string(metric) + "'");
}

TYPENET_INLINE std::vector<std::string> History::metrics() const {
  std::vector<std::string> names;
  for (const auto& [name, values] : series_) names.push_back(name);
  return names;
}

TYPENET_INLINE std::size_t History::epochs() const { return series_.empty() ? 0 : series_.front().second.size(); }

TYPENET_INLINE const std::vector<double>* History::find(std::string_view metric) const {
  for (const auto& [name, values] : series_)
    if (name == metric) return &values;
  return nullptr;
}

TYPENET_INLINE std::vector<double>& History::series(std::string_view metric) {
  for (auto& [name, values] : series_)
    if (name == metric) return values;
  return series_.emplace_back(std::string(metric), std::vector<double>{}).second;
}

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

TYPENET_INLINE void History::write_json(const FilePath& path) const {
  io::write_file_atomically(path.string(), to_json());
}

TYPENET_INLINE void History::write_csv(const FilePath& path) const {
  io::write_file_atomically(path.string(), to_csv());
}

TYPENET_INLINE std::string History::format(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

}  // namespace typenet
