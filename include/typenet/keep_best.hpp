#pragma once
// Moved to typenet/training/keep_best.hpp; this path keeps working.
#include "typenet/training/keep_best.hpp"
