#pragma once
// Moved to typenet/plot/roc.hpp; this path keeps working.
#include "typenet/plot/roc.hpp"
