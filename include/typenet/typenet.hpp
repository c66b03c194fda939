#pragma once
// What a program that trains a network includes: the topology (typenet/network.hpp), Model with
// its losses, optimizers and callbacks, and the thread count. The rest is opt-in, each from its
// own entry point, so that a program parses only what it uses:
//   typenet/data.hpp      loading IDX (MNIST), NumPy .npz, MedMNIST, image folders
//   typenet/metrics.hpp   confusion matrices, precision/recall/F1, ROC AUC, class weights
//   typenet/features.hpp  HOG features and their pictures
//   typenet/plot.hpp      PNG plots (link typenet::plot)
//   typenet/io.hpp        images and the files behind Model::save/load
//   typenet/distributed.hpp  training across MPI processes (link typenet::mpi)
// The layers are listed here rather than through typenet/network.hpp: one include level less keeps
// a misfit's diagnostic within the ten lines tests/compile_fail allows.
#include "typenet/layers/conv2d.hpp"

#include "typenet/layers/activation.hpp"
#include "typenet/layers/activations.hpp"
#include "typenet/layers/batch_normalization.hpp"
#include "typenet/layers/dense.hpp"
#include "typenet/layers/dropout.hpp"
#include "typenet/layers/flatten.hpp"
#include "typenet/layers/global_average_pooling2d.hpp"
#include "typenet/layers/hog.hpp"
#include "typenet/layers/input.hpp"
#include "typenet/layers/pooling2d.hpp"
#include "typenet/model/model.hpp"
#include "typenet/network/sequential.hpp"
#include "typenet/network/shape.hpp"
#include "typenet/threads.hpp"
#include "typenet/training/callbacks.hpp"
#include "typenet/training/history.hpp"
#include "typenet/training/keep_best.hpp"
#include "typenet/training/losses.hpp"
#include "typenet/training/optimizers.hpp"
