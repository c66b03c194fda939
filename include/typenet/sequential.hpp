#pragma once
// Moved to typenet/network/sequential.hpp; this path keeps working.
#include "typenet/network/sequential.hpp"
