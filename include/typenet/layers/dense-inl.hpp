#pragma once
// The definition of layers/dense.hpp's config (typenet/config.hpp says where it is compiled).
#include "typenet/layers/dense.hpp"

namespace typenet::detail {

TYPENET_INLINE LayerConfig dense_config(std::size_t units, std::string_view activation) {
  return {"Dense",
          {{"units", units},
           {"activation", activation},
           {"use_bias", true},
           // What initialize() does, so that Keras rebuilds the network as typenet built it.
           {"kernel_initializer", JsonText{R"({"module": "keras.initializers", "class_name": "GlorotUniform", )"
                                           R"("config": {"seed": null}, "registered_name": null})"}},
           {"bias_initializer", JsonText{R"({"module": "keras.initializers", "class_name": "Zeros", )"
                                         R"("config": {}, "registered_name": null})"}},
           {"kernel_regularizer", nullptr},
           {"bias_regularizer", nullptr},
           {"kernel_constraint", nullptr},
           {"bias_constraint", nullptr}}};
}

}  // namespace typenet::detail
