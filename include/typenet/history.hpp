#pragma once
// What `fit` returns: every metric per epoch, in the order Keras's `history.history` has them
// ("loss", "accuracy", then "val_loss", "val_accuracy").
#include <charconv>
#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "typenet/io/atomic_file.hpp"

namespace typenet {

class History {
 public:
  void append(std::string_view metric, double value) { series(metric).push_back(value); }

  bool contains(std::string_view metric) const { return find(metric) != nullptr; }

  const std::vector<double>& operator[](std::string_view metric) const {
    if (const auto* values = find(metric)) return *values;
    throw std::out_of_range("History has no metric '" + std::string(metric) + "'");
  }

  std::vector<std::string> metrics() const {
    std::vector<std::string> names;
    for (const auto& [name, values] : series_) names.push_back(name);
    return names;
  }

  std::size_t epochs() const { return series_.empty() ? 0 : series_.front().second.size(); }

  // {"loss": [..], "accuracy": [..], ...}; numbers in shortest round-trip form.
  std::string to_json() const {
    std::string out = "{";
    for (std::size_t m = 0; m < series_.size(); ++m) {
      out += (m ? ", \"" : "\"") + series_[m].first + "\": [";
      const auto& values = series_[m].second;
      for (std::size_t e = 0; e < values.size(); ++e) out += (e ? ", " : "") + format(values[e]);
      out += "]";
    }
    return out + "}\n";
  }

  // One row per epoch: epoch,loss,accuracy,... (epochs counted from 1).
  std::string to_csv() const {
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

  void write_json(const std::filesystem::path& path) const { io::write_file_atomically(path, to_json()); }
  void write_csv(const std::filesystem::path& path) const { io::write_file_atomically(path, to_csv()); }

 private:
  static std::string format(double v) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, end);
  }

  const std::vector<double>* find(std::string_view metric) const {
    for (const auto& [name, values] : series_)
      if (name == metric) return &values;
    return nullptr;
  }

  std::vector<double>& series(std::string_view metric) {
    for (auto& [name, values] : series_)
      if (name == metric) return values;
    return series_.emplace_back(std::string(metric), std::vector<double>{}).second;
  }

  std::vector<std::pair<std::string, std::vector<double>>> series_;
};

}  // namespace typenet
