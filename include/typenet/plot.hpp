#pragma once
// PNG figures of a training run: the loss/accuracy curves of a History (plot/history.hpp) and the
// heat map of a confusion matrix (plot/confusion.hpp), drawn with PLplot's cairo PNG device.
// Programs that include this header link the CMake target `typenet_plot`.
#include "typenet/plot/history.hpp"

#include "typenet/plot/confusion.hpp"
