#pragma once
// Moved to typenet/layers/activations.hpp; this path keeps working.
#include "typenet/layers/activations.hpp"
