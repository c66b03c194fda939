#pragma once
// Saving and loading a Model (declared in model.hpp). A model file (io/model_file_format.hpp
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
// takes the same optimizer steps as the run that saved it would have.
//
// load builds a new Model and load_weights copies into this one only after every check has
// passed and every section has been read, so a bad file never leaves a model half loaded.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "typenet/io/architecture.hpp"
#include "typenet/io/atomic_file.hpp"
#include "typenet/io/model_file_format.hpp"
#include "typenet/io/training_state_json.hpp"

namespace typenet {

namespace detail {

// Refuses a file saved from another network than Net, showing both side by side.
template <class Net>
void check_architecture(const io::ModelFileReader& file) {
  using Kind = io::ModelFileError::Kind;
  const auto& header = file.header();
  if (!header.contains("architecture") || !header.contains("layers"))
    throw file.error(Kind::malformed_header, file.header_offset(), "the header has no \"architecture\" and \"layers\"");
  std::vector<io::ArchitectureRow> saved;
  try {
    saved = io::architecture_rows(header["architecture"], header["layers"]);
  } catch (const std::invalid_argument& e) {
    throw file.error(Kind::malformed_header, file.header_offset(), e.what());
  }
  if (const auto difference = io::architecture_difference(io::architecture_rows<Net>(), saved))
    throw file.error(Kind::other_architecture, file.header_offset(),
                     "the file holds another network than the one loading it; they first differ at layer " +
                         std::to_string(difference->first_layer) + ":\n" + difference->table);
  const auto& count = header.value("param_count", nlohmann::ordered_json());
  if (!count.is_number_unsigned() || count.get<std::uint64_t>() != Net::param_count)
    throw file.error(Kind::malformed_header, file.header_offset(),
                     "the header's \"param_count\" is " + count.dump() + "; the network has " +
                         std::to_string(Net::param_count));
}

}  // namespace detail

template <class Spec>
void Model<Spec>::save(const std::filesystem::path& path) const {
  nlohmann::ordered_json header = {{"format", "typenet model"},
                                   {"format_version", io::model_format_version},
                                   {"architecture", io::keras_model_json<Net>()},
                                   {"layers", io::layer_table<Net>()},
                                   {"input_shape", input_shape::dims},
                                   {"output_shape", output_shape::dims},
                                   {"param_count", param_count}};
  std::vector<io::ModelFileSection> sections{{"weights", params_}};
  if constexpr (non_trainable_count > 0) sections.push_back({"non_trainable", non_trainable_});
  if (compiled_) {
    const std::vector<std::string> slots = io::optimizer_slot_names(optimizer_.config());
    header["compile"] = {{"optimizer", io::optimizer_json(optimizer_.config())}, {"loss", io::loss_name(loss_)}};
    header["optimizer_state"] = {{"iterations", optimizer_.iterations()}, {"slots", slots}};
    for (std::size_t k = 0; k < slots.size(); ++k) sections.push_back({"optimizer/" + slots[k], optimizer_.slot(k)});
  } else {
    header["compile"] = nullptr;
    header["optimizer_state"] = nullptr;
  }
  header["history"] = io::history_json(history_);
  header["random_state"] = {{"dropout", io::rng_json(dropout_rng_)}, {"shuffle", io::rng_json(shuffle_rng_)}};
  io::write_model_file(path, header, sections);
}

template <class Spec>
Model<Spec> Model<Spec>::load(const std::filesystem::path& path) {
  using Kind = io::ModelFileError::Kind;
  const io::ModelFileReader file(path);
  detail::check_architecture<Net>(file);
  const auto& header = file.header();
  auto field = [&](const char* key) -> const nlohmann::ordered_json& {
    if (!header.contains(key)) throw file.error(Kind::malformed_header, file.header_offset(), std::string("the header has no \"") + key + "\"");
    return header[key];
  };

  // Everything from the header first (cheap to refuse), then the sections, then the model.
  Model model;
  try {
    const auto& compile = field("compile");
    const auto& state = field("optimizer_state");
    if (!compile.is_null()) {
      io::detail::require(compile.is_object() && compile.contains("optimizer") && compile.contains("loss") &&
                              compile["loss"].is_string(),
                          "the header's \"compile\" is not {\"optimizer\": ..., \"loss\": ...}");
      const Optimizer optimizer = io::optimizer_from_json(compile["optimizer"]);
      model.loss_ = io::loss_from_name(compile["loss"].template get<std::string>());
      const std::vector<std::string> slots = io::optimizer_slot_names(optimizer);
      io::detail::require(state.is_object() && state.contains("iterations") && state["iterations"].is_number_unsigned() &&
                              state.contains("slots") && state["slots"] == nlohmann::ordered_json(slots),
                          "the header's \"optimizer_state\" is not {\"iterations\": N, \"slots\": " +
                              nlohmann::ordered_json(slots).dump() + "} for " + compile["optimizer"].dump());
      model.optimizer_ = OptimizerState(optimizer, param_count);
      model.optimizer_.set_iterations(state["iterations"].template get<std::size_t>());
      model.compiled_ = true;
    } else {
      io::detail::require(state.is_null(), "the header has an \"optimizer_state\" but no \"compile\"");
    }
    model.history_ = io::history_from_json(field("history"));
    const auto& random = field("random_state");
    io::detail::require(random.is_object() && random.contains("dropout") && random.contains("shuffle"),
                        "the header's \"random_state\" is not {\"dropout\": [...], \"shuffle\": [...]}");
    model.dropout_rng_.set_state(io::rng_state_from_json(random["dropout"], "dropout"));
    model.shuffle_rng_.set_state(io::rng_state_from_json(random["shuffle"], "shuffle"));
  } catch (const std::invalid_argument& e) {
    throw file.error(Kind::malformed_header, file.header_offset(), e.what());
  }

  const std::vector<float> weights = file.read_section("weights", param_count);
  std::copy(weights.begin(), weights.end(), model.params_.begin());
  if constexpr (non_trainable_count > 0) {
    const std::vector<float> values = file.read_section("non_trainable", non_trainable_count);
    std::copy(values.begin(), values.end(), model.non_trainable_.begin());
  }
  if (model.compiled_) {
    const std::vector<std::string> slots = io::optimizer_slot_names(model.optimizer_.config());
    for (std::size_t k = 0; k < slots.size(); ++k) {
      const std::vector<float> values = file.read_section("optimizer/" + slots[k], param_count);
      std::copy(values.begin(), values.end(), model.optimizer_.slot(k).begin());
    }
  }
  return model;
}

template <class Spec>
void Model<Spec>::load_weights(const std::filesystem::path& path) {
  const io::ModelFileReader file(path);
  detail::check_architecture<Net>(file);
  const std::vector<float> weights = file.read_section("weights", param_count);
  // Keras's load_weights restores the moving statistics too: they are part of what was learnt.
  std::vector<float> frozen;
  if constexpr (non_trainable_count > 0) frozen = file.read_section("non_trainable", non_trainable_count);
  std::copy(weights.begin(), weights.end(), params_.begin());
  std::copy(frozen.begin(), frozen.end(), non_trainable_.begin());
}

template <class Spec>
std::string Model<Spec>::to_json() const {
  return io::keras_model_json<Net>().dump();
}

// Indented, unlike to_json(), to be read and diffed; Keras's model_from_json reads either.
template <class Spec>
void Model<Spec>::export_json(const std::filesystem::path& path) const {
  io::write_file_atomically(path, io::keras_model_json<Net>().dump(2) + "\n");
}

}  // namespace typenet
