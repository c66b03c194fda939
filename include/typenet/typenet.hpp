#pragma once
// Everything typenet offers; each concept lives in its own header below.
#include "typenet/activations.hpp"
#include "typenet/confusion.hpp"
#include "typenet/history.hpp"
#include "typenet/layers/activation.hpp"
#include "typenet/layers/dense.hpp"
#include "typenet/layers/dropout.hpp"
#include "typenet/layers/flatten.hpp"
#include "typenet/layers/input.hpp"
#include "typenet/sequential.hpp"
#include "typenet/shape.hpp"
