#pragma once
// Moved to typenet/training/history.hpp; this path keeps working.
#include "typenet/training/history.hpp"
