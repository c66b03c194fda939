#pragma once
// Callbacks for Model::fit (training/callbacks.hpp): EarlyStopping, LambdaCallback and your own;
// and fit_keep_best (training/keep_best.hpp), model selection by a score of your own.
#include "typenet/training/keep_best.hpp"

#include "typenet/training/callbacks.hpp"
