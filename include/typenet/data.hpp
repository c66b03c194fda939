#pragma once
// Data loading: IDX files, the MNIST data set, NumPy .npz archives, and one-hot labels.
#include "typenet/data/mnist.hpp"

#include "typenet/data/categorical.hpp"
#include "typenet/data/idx.hpp"
#include "typenet/data/npz.hpp"
