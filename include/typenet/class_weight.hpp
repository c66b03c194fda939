#pragma once
// Moved to typenet/metrics/class_weight.hpp; this path keeps working.
#include "typenet/metrics/class_weight.hpp"
