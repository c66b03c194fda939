#pragma once
// Moved to typenet/data/augment.hpp; this path keeps working.
#include "typenet/data/augment.hpp"
