#pragma once
// model.summary() in Keras's layout: one row per layer with its Keras-style name, output shape
// and parameter count, then the totals with their size in memory.
#include "typenet/io/network_description.hpp"

#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "typenet/config.hpp"

namespace typenet {

namespace detail {
// 1234567 -> "1,234,567".
std::string with_thousands(std::size_t n);
// Keras's readable_memory_size: 1024-based units with two decimals.
std::string readable_bytes(double bytes);
// One row of the table, each field in its column, continued on further lines when too long.
std::string summary_row(std::string_view a, std::string_view b, std::string_view c);
}  // namespace detail

// One row of the table: a layer as Keras names and shows it.
struct SummaryRow {
  std::string_view base_name;  // dense, conv2d, ... (numbered here: dense, dense_1, ...)
  std::string_view keras_class;
  std::string output_shape;    // (None, 512)
  std::size_t params = 0;      // trainable and not
};

// The table itself, the same for every network: compiled once, not once per network.
void print_summary(std::ostream& os, const std::vector<SummaryRow>& rows, std::size_t trainable, std::size_t frozen,
                   std::string_view model_name = "sequential");

// The table of a network described as plain data: what summary() prints, for any network.
void print_summary(std::ostream& os, const io::NetworkDescription& net, std::string_view model_name = "sequential");

// Only the description depends on the network's type; the rows are made from it by the function
// above, compiled once.
template <class Net>
void print_summary(std::ostream& os, std::string_view model_name = "sequential") {
  print_summary(os, io::describe_network<Net>(), model_name);
}

}  // namespace typenet

#ifdef TYPENET_HEADER_ONLY
#include "typenet/model/summary-inl.hpp"
#endif
