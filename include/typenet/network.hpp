#pragma once
// The topology alone: Sequential, Input, the layers and their activations, with every shape and
// parameter count a compile-time constant. This is all a compiler needs to check that a stack
// fits, so a program (or an editor) that includes only this header hears about a misfit in well
// under a second; typenet/typenet.hpp adds the Model that trains the network.
#include "typenet/layers/dense.hpp"

#include "typenet/layers/activation.hpp"
#include "typenet/layers/activations.hpp"
#include "typenet/layers/batch_normalization.hpp"
#include "typenet/layers/conv2d.hpp"
#include "typenet/layers/dropout.hpp"
#include "typenet/layers/flatten.hpp"
#include "typenet/layers/global_average_pooling2d.hpp"
#include "typenet/layers/hog.hpp"
#include "typenet/layers/input.hpp"
#include "typenet/layers/pooling2d.hpp"
#include "typenet/network/sequential.hpp"
#include "typenet/network/shape.hpp"
