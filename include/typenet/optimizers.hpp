#pragma once
// Moved to typenet/training/optimizers.hpp; this path keeps working.
#include "typenet/training/optimizers.hpp"
