#pragma once
// Model files as Model<Net> uses them (save, load, load_weights, to_json): four functions that take
// the network as a NetworkDescription and the numbers as spans, so that nothing here depends on
// the network's type. Their definitions (io/model_file-inl.hpp: the JSON header, zlib's CRC, the
// architecture check) are the heaviest code typenet has for a compiler; see typenet/config.hpp for
// where they are compiled. io/saved_model.hpp has the file's contents, io/model_file_format.hpp
// its byte layout.
#include "typenet/metrics/metric.hpp"

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/detail/random.hpp"
#include "typenet/io/file_path.hpp"
#include "typenet/io/network_description.hpp"
#include "typenet/training/history.hpp"
#include "typenet/io/custom_objects.hpp"
#include "typenet/training/losses.hpp"
#include "typenet/training/optimizers.hpp"

namespace typenet::io {

struct SavedWeights {
  std::vector<float> trainable;
  std::vector<float> non_trainable;  // empty for a network without any
};

struct SavedModel {
  SavedWeights weights;
  std::optional<OptimizerState> optimizer;  // set, with `loss`, when the saved model had been compiled
  Loss loss;
  std::vector<Metric> metrics;  // compile's; a file from before metrics: the loss's defaults
  History history;
  typenet::detail::Rng::State dropout_rng{}, shuffle_rng{};
};

// Writes the whole training state atomically; `optimizer` is null for a model never compiled.
void save_model_file(const FilePath& path, const NetworkDescription& net, std::span<const float> weights,
                     std::span<const float> non_trainable, const OptimizerState* optimizer, const Loss& loss,
                     std::span<const Metric> metrics, const History& history, const typenet::detail::Rng& dropout_rng,
                     const typenet::detail::Rng& shuffle_rng);

// Read back, after checking the file against `net`; a file saved from another network is refused
// with both architectures side by side.
// A model compiled with a user's loss or optimizer finds it in `custom`, by name.
SavedModel load_model_file(const FilePath& path, const NetworkDescription& net,
                           const CustomObjects& custom = {});
SavedWeights load_weights_file(const FilePath& path, const NetworkDescription& net);

// Keras's model.to_json() of the network: compact with indent < 0, else indented by `indent`.
std::string keras_model_json_text(const NetworkDescription& net, int indent = -1);
// The same indented by 2, written atomically (Model::export_json).
void export_keras_model_json(const FilePath& path, const NetworkDescription& net);

}  // namespace typenet::io

#ifdef TYPENET_HEADER_ONLY
#include "typenet/io/model_file-inl.hpp"
#endif
