#pragma once
// Moved to typenet/network/shape.hpp; this path keeps working.
#include "typenet/network/shape.hpp"
