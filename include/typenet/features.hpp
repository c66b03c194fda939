#pragma once
// Features computed from images: HOG as scikit-image computes it (features/hog.hpp, whole data
// sets with hog_batch), and the picture of a HOG descriptor (features/hog_visualization.hpp).
#include "typenet/features/hog_visualization.hpp"

#include "typenet/features/hog.hpp"
