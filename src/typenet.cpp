// libtypenet: the part of typenet that does not depend on a network's type, compiled once for
// every program that links the CMake target typenet::typenet (typenet/config.hpp explains the two
// ways typenet's non-template code is built).
#ifndef TYPENET_COMPILED_LIB
#error "src/typenet.cpp is compiled with TYPENET_COMPILED_LIB defined (the CMake target typenet sets it)"
#endif

#include "typenet/detail/parallel-inl.hpp"
#include "typenet/detail/score-inl.hpp"
#include "typenet/detail/sparse_rows-inl.hpp"
#include "typenet/io/atomic_file-inl.hpp"
#include "typenet/io/model_file-inl.hpp"
#include "typenet/io/network_description-inl.hpp"
#include "typenet/layers/dense-inl.hpp"
#include "typenet/layers/input-inl.hpp"
#include "typenet/layers/layer_config-inl.hpp"
#include "typenet/metrics/metric-inl.hpp"
#include "typenet/model/fit_support-inl.hpp"
#include "typenet/model/layer_weights-inl.hpp"
#include "typenet/model/summary-inl.hpp"
#include "typenet/model/targets-inl.hpp"
#include "typenet/training/callbacks-inl.hpp"
#include "typenet/training/history-inl.hpp"
#include "typenet/training/keep_best-inl.hpp"
#include "typenet/training/learning_rate-inl.hpp"
#include "typenet/training/optimizers-inl.hpp"
