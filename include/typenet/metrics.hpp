#pragma once
// Evaluation metrics beyond a model's loss and accuracy (namespace typenet::metrics), and the
// balanced class weights for imbalanced training sets.
#include "typenet/metrics/classification.hpp"

#include "typenet/metrics/class_weight.hpp"
#include "typenet/metrics/roc.hpp"
