#pragma once
// What Model::save writes and Model::load reads, done without the network's type: the network
// comes in as a NetworkDescription, the weights as spans. A model file (io/model_file_format.hpp
// has the byte layout) is a JSON header and float32 sections:
//
//   header   format, format_version; architecture (Keras's model.to_json() layout); layers
//            (each one's name, output shape, parameter count); input_shape, output_shape,
//            param_count; compile (the optimizer's config and the loss, or null for a model
//            never compiled); optimizer_state (iterations and the slots' names); history;
//            random_state (the dropout and shuffle generators); sections
//   sections "weights": every parameter in the model's buffer order, layer after layer (Dense:
//            its kernel, inputs x units row-major as Keras stores it, then its bias); for a
//            network with BatchNormalization, "non_trainable": the moving means and variances in
//            layer order (each layer's means, then its variances); then one "optimizer/<slot>"
//            per optimizer variable, Keras's names (momentum, velocity)
//
// With all of it restored, fit on a loaded model draws the same shuffles and dropout masks and
// takes the same optimizer steps as the run that saved it would have. Model::load builds a new
// Model and load_weights copies into the model only after every check has passed and every
// section has been read, so a bad file never leaves a model half loaded.
//
// JSON building and parsing is heavy code for the compiler; written here once, it is compiled
// once per program (or once in libtypenet: typenet/config.hpp) instead of once per network.
#include "typenet/io/training_state_json.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "typenet/detail/random.hpp"
#include "typenet/training/history.hpp"
#include "typenet/io/architecture.hpp"
#include "typenet/io/model_file.hpp"
#include "typenet/io/model_file_format.hpp"
#include "typenet/training/losses.hpp"
#include "typenet/training/optimizers.hpp"

namespace typenet::io {

// Refuses a file saved from another network than `net`, showing both side by side.
inline void check_architecture(const ModelFileReader& file, const NetworkDescription& net) {
  using Kind = ModelFileError::Kind;
  const auto& header = file.header();
  if (!header.contains("architecture") || !header.contains("layers"))
    throw file.error(Kind::malformed_header, file.header_offset(), "the header has no \"architecture\" and \"layers\"");
  std::vector<ArchitectureRow> saved;
  try {
    saved = architecture_rows(header["architecture"], header["layers"]);
  } catch (const std::invalid_argument& e) {
    throw file.error(Kind::malformed_header, file.header_offset(), e.what());
  }
  if (const auto difference = architecture_difference(architecture_rows(net), saved))
    throw file.error(Kind::other_architecture, file.header_offset(),
                     "the file holds another network than the one loading it; they first differ at layer " +
                         std::to_string(difference->first_layer) + ":\n" + difference->table);
  const auto& count = header.value("param_count", nlohmann::ordered_json());
  if (!count.is_number_unsigned() || count.get<std::uint64_t>() != net.param_count)
    throw file.error(Kind::malformed_header, file.header_offset(),
                     "the header's \"param_count\" is " + count.dump() + "; the network has " +
                         std::to_string(net.param_count));
}

// `optimizer` is null for a model never compiled (and `loss` is then not written).
inline void write_saved_model(const std::filesystem::path& path, const NetworkDescription& net,
                              std::span<const float> weights, std::span<const float> non_trainable,
                              const OptimizerState* optimizer, const Loss& loss, std::span<const Metric> metrics,
                              const History& history, const typenet::detail::Rng& dropout_rng,
                              const typenet::detail::Rng& shuffle_rng) {
  nlohmann::ordered_json header = {{"format", "typenet model"},
                                   {"format_version", model_format_version},
                                   {"architecture", keras_model_json(net)},
                                   {"layers", layer_table(net)},
                                   {"input_shape", net.input_dims},
                                   {"output_shape", net.output_dims},
                                   {"param_count", net.param_count}};
  std::vector<ModelFileSection> sections{{"weights", weights}};
  if (net.non_trainable_count > 0) sections.push_back({"non_trainable", non_trainable});
  if (optimizer) {
    const std::vector<std::string> slots = optimizer_slot_names(optimizer->config());
    header["compile"] = {{"optimizer", optimizer_json(optimizer->config())},
                         {"loss", loss_name(loss)},
                         {"metrics", metrics_json(metrics)}};
    header["optimizer_state"] = {{"iterations", optimizer->iterations()}, {"slots", slots}};
    for (std::size_t k = 0; k < slots.size(); ++k) sections.push_back({"optimizer/" + slots[k], optimizer->slot(k)});
  } else {
    header["compile"] = nullptr;
    header["optimizer_state"] = nullptr;
  }
  header["history"] = history_json(history);
  header["random_state"] = {{"dropout", rng_json(dropout_rng)}, {"shuffle", rng_json(shuffle_rng)}};
  write_model_file(path, header, sections);
}

// The weights alone (the moving statistics too: Keras's load_weights restores them).
inline SavedWeights read_saved_weights(const ModelFileReader& file, const NetworkDescription& net) {
  SavedWeights weights;
  weights.trainable = file.read_section("weights", net.param_count);
  if (net.non_trainable_count > 0) weights.non_trainable = file.read_section("non_trainable", net.non_trainable_count);
  return weights;
}

inline SavedWeights read_saved_weights(const std::filesystem::path& path, const NetworkDescription& net) {
  const ModelFileReader file(path);
  check_architecture(file, net);
  return read_saved_weights(file, net);
}

// Everything from the header first (cheap to refuse), then the sections.
inline SavedModel read_saved_model(const std::filesystem::path& path, const NetworkDescription& net,
                                   const CustomObjects& custom = {}) {
  using Kind = ModelFileError::Kind;
  const ModelFileReader file(path);
  check_architecture(file, net);
  const auto& header = file.header();
  auto field = [&](const char* key) -> const nlohmann::ordered_json& {
    if (!header.contains(key)) throw file.error(Kind::malformed_header, file.header_offset(), std::string("the header has no \"") + key + "\"");
    return header[key];
  };

  SavedModel model;
  try {
    const auto& compile = field("compile");
    const auto& state = field("optimizer_state");
    if (!compile.is_null()) {
      detail::require(compile.is_object() && compile.contains("optimizer") && compile.contains("loss") &&
                          compile["loss"].is_string(),
                      "the header's \"compile\" is not {\"optimizer\": ..., \"loss\": ...}");
      const Optimizer optimizer = optimizer_from_json(compile["optimizer"], custom);
      model.loss = loss_from_name(compile["loss"].get<std::string>(), custom);
      // Files written before compile took metrics have none: the loss's defaults, as then.
      model.metrics = compile.contains("metrics") ? metrics_from_json(compile["metrics"])
                                                  : typenet::detail::MetricList::defaults(model.loss);
      const std::vector<std::string> slots = optimizer_slot_names(optimizer);
      detail::require(state.is_object() && state.contains("iterations") && state["iterations"].is_number_unsigned() &&
                          state.contains("slots") && state["slots"] == nlohmann::ordered_json(slots),
                      "the header's \"optimizer_state\" is not {\"iterations\": N, \"slots\": " +
                          nlohmann::ordered_json(slots).dump() + "} for " + compile["optimizer"].dump());
      model.optimizer.emplace(optimizer, net.param_count);
      model.optimizer->set_iterations(state["iterations"].get<std::size_t>());
    } else {
      detail::require(state.is_null(), "the header has an \"optimizer_state\" but no \"compile\"");
    }
    model.history = history_from_json(field("history"));
    const auto& random = field("random_state");
    detail::require(random.is_object() && random.contains("dropout") && random.contains("shuffle"),
                    "the header's \"random_state\" is not {\"dropout\": [...], \"shuffle\": [...]}");
    model.dropout_rng = rng_state_from_json(random["dropout"], "dropout");
    model.shuffle_rng = rng_state_from_json(random["shuffle"], "shuffle");
  } catch (const std::invalid_argument& e) {
    throw file.error(Kind::malformed_header, file.header_offset(), e.what());
  }

  model.weights = read_saved_weights(file, net);
  if (model.optimizer) {
    const std::vector<std::string> slots = optimizer_slot_names(model.optimizer->config());
    for (std::size_t k = 0; k < slots.size(); ++k) {
      const std::vector<float> values = file.read_section("optimizer/" + slots[k], net.param_count);
      std::copy(values.begin(), values.end(), model.optimizer->slot(k).begin());
    }
  }
  return model;
}

}  // namespace typenet::io
