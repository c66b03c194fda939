#pragma once
// How a program finds the compiled network type of a saved model file. A network is a C++ type,
// so a program can only run the networks it was compiled with: predict is compiled with every
// lab example's networks (examples/predict_networks.hpp) and picks the one whose architecture is
// the one the file's header records, compared layer by layer exactly as Model::load compares
// them. A file of any other network is refused with its layers and the list of known networks.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "typenet/io/architecture.hpp"
#include "typenet/io/model_file_format.hpp"
#include "typenet/model/summary.hpp"

namespace lab {

template <class Net>
struct KnownNetwork {
  using network = Net;
  std::string name;                      // "mlp_raw_mnist/model1": the example and its --model name
  std::vector<std::string> class_names;  // empty: classes are numbered 0, 1, ...
};

namespace detail {

// "InputLayer (None, 784) -> Dense (None, 512) -> Dense (None, 10), 407,050 params"
inline std::string outline(const std::vector<typenet::io::ArchitectureRow>& rows) {
  std::string text;
  std::size_t params = 0;
  for (const auto& row : rows) {
    if (!text.empty()) text += " -> ";
    text += row.identity["keras"]["class_name"].get<std::string>() + " (None";
    for (const auto& d : row.identity["output_shape"]) text += ", " + d.dump();
    text += ")";
    params += row.identity["param_count"].get<std::size_t>();
  }
  return text + ", " + typenet::detail::with_thousands(params) + " params";
}

}  // namespace detail

// Every registered network, one line each.
template <class... Nets>
std::string describe_networks(const std::tuple<KnownNetwork<Nets>...>& known) {
  std::string text;
  std::apply([&](const auto&... entry) {
    ((text += "  " + entry.name + ": " +
              detail::outline(typenet::io::architecture_rows<typename std::decay_t<decltype(entry)>::network>()) + "\n"),
     ...);
  }, known);
  return text;
}

// Calls f(entry) with the registered network the model file at `path` holds and returns what f
// returns. Throws io::ModelFileError for a damaged file, and std::runtime_error naming the file,
// its layers and the known networks when it holds none of them.
template <class... Nets, class F>
decltype(auto) with_network_of(const std::filesystem::path& path, const std::tuple<KnownNetwork<Nets>...>& known, F&& f) {
  namespace io = typenet::io;
  std::vector<io::ArchitectureRow> saved;
  {
    const io::ModelFileReader file(path);
    const auto& header = file.header();
    try {
      if (!header.contains("architecture") || !header.contains("layers"))
        throw std::invalid_argument("the header has no \"architecture\" and \"layers\"");
      saved = io::architecture_rows(header["architecture"], header["layers"]);
    } catch (const std::invalid_argument& e) {
      throw file.error(io::ModelFileError::Kind::malformed_header, file.header_offset(), e.what());
    }
  }
  using Result = decltype(f(std::get<0>(known)));
  constexpr std::size_t count = sizeof...(Nets);
  auto try_from = [&]<std::size_t I>(auto& self) -> Result {
    if constexpr (I == count) {
      std::string layers;
      for (std::size_t i = 0; i < saved.size(); ++i) layers += "  " + std::to_string(i) + "  " + saved[i].description + "\n";
      throw std::runtime_error(path.string() + ": holds a network this program was not compiled with:\n" + layers +
                               "it knows these (add a network to examples/predict_networks.hpp to run it):\n" +
                               describe_networks(known));
    } else {
      const auto& entry = std::get<I>(known);
      using Net = typename std::decay_t<decltype(entry)>::network;
      if (!io::architecture_difference(io::architecture_rows<Net>(), saved)) return f(entry);
      return self.template operator()<I + 1>(self);
    }
  };
  return try_from.template operator()<0>(try_from);
}

}  // namespace lab
