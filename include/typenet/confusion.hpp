#pragma once
// Moved to typenet/metrics/confusion.hpp; this path keeps working.
#include "typenet/metrics/confusion.hpp"
