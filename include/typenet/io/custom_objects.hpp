#pragma once
// Keras's custom_objects: the user's own losses and optimizers that a saved model names, given to
// load so that it can compile the model again (`Model<Net>::load(path, {.losses = {Huber{}}})`).
// A user's layers and activations need nothing here: they are part of the network's type.
#include "typenet/training/optimizers.hpp"

#include <string>
#include <vector>

#include "typenet/training/losses.hpp"

namespace typenet {

struct CustomObjects {
  std::vector<CustomLoss> losses;
  // Found by name; the object's own settings are used, with the learning rate the file saved.
  std::vector<CustomOptimizer> optimizers;

  // ", huber, focal": the names given, for an error message.
  template <class T>
  static std::string names(const std::vector<T>& list) {
    std::string text;
    for (const T& item : list) text += ", " + item.name;
    return text;
  }
};

}  // namespace typenet
