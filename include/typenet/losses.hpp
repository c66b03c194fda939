#pragma once
// Moved to typenet/training/losses.hpp; this path keeps working.
#include "typenet/training/losses.hpp"
