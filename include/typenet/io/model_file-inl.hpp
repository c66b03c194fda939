#pragma once
// The definitions of io/model_file.hpp (typenet/config.hpp says where they are compiled).
#include "typenet/io/architecture.hpp"
#include "typenet/io/atomic_file.hpp"
#include "typenet/io/model_file.hpp"
#include "typenet/io/saved_model.hpp"

namespace typenet::io {

TYPENET_INLINE void save_model_file(const FilePath& path, const NetworkDescription& net,
                                    std::span<const float> weights, std::span<const float> non_trainable,
                                    const OptimizerState* optimizer, const Loss& loss, std::span<const Metric> metrics,
                                    const History& history, const typenet::detail::Rng& dropout_rng,
                                    const typenet::detail::Rng& shuffle_rng) {
  write_saved_model(path.string(), net, weights, non_trainable, optimizer, loss, metrics, history, dropout_rng, shuffle_rng);
}

TYPENET_INLINE SavedModel load_model_file(const FilePath& path, const NetworkDescription& net,
                                          const CustomObjects& custom) {
  return read_saved_model(path.string(), net, custom);
}

TYPENET_INLINE SavedWeights load_weights_file(const FilePath& path, const NetworkDescription& net) {
  return read_saved_weights(path.string(), net);
}

TYPENET_INLINE std::string keras_model_json_text(const NetworkDescription& net, int indent) {
  return keras_model_json(net).dump(indent);
}

TYPENET_INLINE void export_keras_model_json(const FilePath& path, const NetworkDescription& net) {
  write_file_atomically(path.string(), keras_model_json_text(net, 2) + "\n");
}

}  // namespace typenet::io
