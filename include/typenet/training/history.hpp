#pragma once
// What `fit` returns: every metric per epoch, in the order Keras's `history.history` has them
// ("loss", "accuracy", then "val_loss", "val_accuracy").
#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "typenet/config.hpp"

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
  std::string to_json() const;

  // One row per epoch: epoch,loss,accuracy,... (epochs counted from 1).
  std::string to_csv() const;

  // Written atomically (io/atomic_file.hpp): a reader never sees half a file.
  void write_json(const std::filesystem::path& path) const;
  void write_csv(const std::filesystem::path& path) const;

 private:
  static std::string format(double v);

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

#ifdef TYPENET_HEADER_ONLY
#include "typenet/training/history-inl.hpp"
#endif
