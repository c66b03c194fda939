#pragma once
// model.summary() in Keras's layout: one row per layer with its Keras-style name, output shape
// and parameter count, then the totals with their size in memory.
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <iterator>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace typenet {

namespace detail {
inline std::string with_thousands(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Keras's readable_memory_size: 1024-based units with two decimals.
inline std::string readable_bytes(double bytes) {
  static constexpr const char* units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  std::size_t u = 0;
  while (bytes >= 1024.0 && u + 1 < std::size(units)) bytes /= 1024.0, ++u;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f %s", bytes, units[u]);
  return buf;
}

// Columns start at 0, 29 and 55 of a 65-character line, as in Keras.
inline std::string summary_row(std::string_view a, std::string_view b, std::string_view c) {
  std::string line = " " + std::string(a);
  line.resize(std::max<std::size_t>(line.size() + 2, 29), ' ');
  line += b;
  line.resize(std::max<std::size_t>(line.size() + 2, 55), ' ');
  line += c;
  line.resize(std::max<std::size_t>(line.size(), 65), ' ');
  return line;
}
}  // namespace detail

template <class Net>
void print_summary(std::ostream& os, std::string_view model_name = "sequential") {
  std::vector<std::pair<std::string_view, std::size_t>> seen;  // Keras numbers repeated names: dense, dense_1, ...
  auto unique_name = [&](std::string_view base) {
    for (auto& [name, count] : seen)
      if (name == base) return std::string(base) + "_" + std::to_string(count++);
    seen.emplace_back(base, 1);
    return std::string(base);
  };
  os << "Model: \"" << model_name << "\"\n" << std::string(65, '_') << '\n'
     << detail::summary_row("Layer (type)", "Output Shape", "Param #") << '\n' << std::string(65, '=') << '\n';
  Net::for_each_layer([&]<std::size_t I>() {
    using L = typename Net::template layer<I>;
    if constexpr (L::shown_in_summary) {
      os << detail::summary_row(unique_name(L::keras_name) + " (" + std::string(L::keras_class) + ")",
                                L::output_shape::keras_string(), detail::with_thousands(L::param_count))
         << '\n' << std::string(65, ' ') << '\n';
    }
  });
  const double bytes = static_cast<double>(Net::param_count) * sizeof(float);
  os << std::string(65, '=') << '\n'
     << "Total params: " << detail::with_thousands(Net::param_count) << " (" << detail::readable_bytes(bytes) << ")\n"
     << "Trainable params: " << detail::with_thousands(Net::param_count) << " (" << detail::readable_bytes(bytes) << ")\n"
     << "Non-trainable params: 0 (" << detail::readable_bytes(0) << ")\n"
     << std::string(65, '_') << '\n';
}

}  // namespace typenet
