#pragma once
// typenet::Model<Net> (model/model.hpp): a network type with its weights, trained like Keras.
#include "typenet/model/model.hpp"
