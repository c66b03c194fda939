#pragma once
// The definitions of model/summary.hpp (typenet/config.hpp says where they are compiled).
#include <algorithm>
#include <cstdio>
#include <iterator>
#include <ostream>
#include <utility>

#include "typenet/model/summary.hpp"

namespace typenet {

namespace detail {
TYPENET_INLINE std::string with_thousands(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Keras's readable_memory_size: 1024-based units with two decimals.
TYPENET_INLINE std::string readable_bytes(double bytes) {
  static constexpr const char* units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  std::size_t u = 0;
  while (bytes >= 1024.0 && u + 1 < std::size(units)) bytes /= 1024.0, ++u;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f %s", bytes, units[u]);
  return buf;
}

// Columns start at 0, 29 and 55 of a 65-character line, as in Keras 2.11's print_row: a field too
// long for its column continues on the next line, cut after "),", "},", "]," or "'," when its
// visible part has one (tests/data/cnn/keras_summary_rows.py is that function).
TYPENET_INLINE std::string summary_row(std::string_view a, std::string_view b, std::string_view c) {
  constexpr std::size_t positions[] = {29, 55, 65};
  std::string_view left[] = {a, b, c};
  std::string lines;
  while (!left[0].empty() || !left[1].empty() || !left[2].empty()) {
    std::string line;
    for (std::size_t col = 0; col < 3; ++col) {
      const std::size_t start = col > 0 ? positions[col - 1] : 0;
      const std::size_t space = col != 2 ? 2 : 0;
      std::size_t cutoff = positions[col] - start - space;
      std::string_view fit = left[col].substr(0, cutoff);
      std::size_t earliest = std::string_view::npos;
      for (std::string_view mark : {"),", "},", "],", "',"})
        if (const auto at = fit.find(mark); at != std::string_view::npos) earliest = std::min(earliest, at + mark.size());
      if (earliest != std::string_view::npos) cutoff = earliest, fit = fit.substr(0, cutoff);
      if (col == 0) line += ' ';
      line += fit;
      line.append(space, ' ');
      left[col] = left[col].substr(std::min(cutoff, left[col].size()));
      if (line.size() < positions[col]) line.resize(positions[col], ' ');
    }
    if (!lines.empty()) lines += '\n';
    lines += line;
  }
  return lines;
}

}  // namespace detail

TYPENET_INLINE void print_summary(std::ostream& os, const io::NetworkDescription& net, std::string_view model_name) {
  std::vector<SummaryRow> rows;
  for (const auto& layer : net.layers)
    if (layer.shown_in_summary)
      rows.push_back({layer.name, layer.keras_class, detail::keras_shape_string(layer.output_dims),
                      layer.param_count + layer.non_trainable_count});
  print_summary(os, rows, net.param_count, net.non_trainable_count, model_name);
}

TYPENET_INLINE void print_summary(std::ostream& os, const std::vector<SummaryRow>& rows, std::size_t trainable,
                                  std::size_t frozen, std::string_view model_name) {
  std::vector<std::pair<std::string_view, std::size_t>> seen;  // Keras numbers repeated names: dense, dense_1, ...
  auto unique_name = [&](std::string_view base) {
    for (auto& [name, count] : seen)
      if (name == base) return std::string(base) + "_" + std::to_string(count++);
    seen.emplace_back(base, 1);
    return std::string(base);
  };
  os << "Model: \"" << model_name << "\"\n" << std::string(65, '_') << '\n'
     << detail::summary_row("Layer (type)", "Output Shape", "Param #") << '\n' << std::string(65, '=') << '\n';
  for (const auto& row : rows)
    os << detail::summary_row(unique_name(row.base_name) + " (" + std::string(row.keras_class) + ")", row.output_shape,
                              detail::with_thousands(row.params))
       << '\n' << std::string(65, ' ') << '\n';
  // Keras counts BatchNormalization's moving statistics as non-trainable parameters.
  auto bytes = [](std::size_t n) { return detail::readable_bytes(static_cast<double>(n) * sizeof(float)); };
  os << std::string(65, '=') << '\n'
     << "Total params: " << detail::with_thousands(trainable + frozen) << " (" << bytes(trainable + frozen) << ")\n"
     << "Trainable params: " << detail::with_thousands(trainable) << " (" << bytes(trainable) << ")\n"
     << "Non-trainable params: " << detail::with_thousands(frozen) << " (" << bytes(frozen) << ")\n"
     << std::string(65, '_') << '\n';
}


}  // namespace typenet
