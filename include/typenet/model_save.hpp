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

#include "typenet/io/architecture.hpp"
#include "typenet/io/atomic_file.hpp"
#include "typenet/io/saved_model.hpp"

// Each member below only copies between the Model and io/saved_model.hpp, which does the work
// without knowing the network's type: what is per network stays small for the compiler.
namespace typenet {

template <class Spec>
void Model<Spec>::save(const std::filesystem::path& path) const {
  io::write_saved_model(path, io::describe_network<Net>(), params_, non_trainable_, compiled_ ? &optimizer_ : nullptr,
                        loss_, history_, dropout_rng_, shuffle_rng_);
}

template <class Spec>
Model<Spec> Model<Spec>::load(const std::filesystem::path& path) {
  io::SavedModel saved = io::read_saved_model(path, io::describe_network<Net>());
  Model model;
  std::copy(saved.weights.trainable.begin(), saved.weights.trainable.end(), model.params_.begin());
  std::copy(saved.weights.non_trainable.begin(), saved.weights.non_trainable.end(), model.non_trainable_.begin());
  if (saved.optimizer) {
    model.optimizer_ = std::move(*saved.optimizer);
    model.loss_ = saved.loss;
    model.compiled_ = true;
  }
  model.history_ = std::move(saved.history);
  model.dropout_rng_.set_state(saved.dropout_rng);
  model.shuffle_rng_.set_state(saved.shuffle_rng);
  return model;
}

template <class Spec>
void Model<Spec>::load_weights(const std::filesystem::path& path) {
  const io::SavedWeights saved = io::read_saved_weights(path, io::describe_network<Net>());
  std::copy(saved.trainable.begin(), saved.trainable.end(), params_.begin());
  std::copy(saved.non_trainable.begin(), saved.non_trainable.end(), non_trainable_.begin());
}

template <class Spec>
std::string Model<Spec>::to_json() const {
  return io::keras_model_json(io::describe_network<Net>()).dump();
}

// Indented, unlike to_json(), to be read and diffed; Keras's model_from_json reads either.
template <class Spec>
void Model<Spec>::export_json(const std::filesystem::path& path) const {
  io::write_file_atomically(path, io::keras_model_json(io::describe_network<Net>()).dump(2) + "\n");
}

}  // namespace typenet
