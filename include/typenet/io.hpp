#pragma once
// Files: images in and out (io/image.hpp, io/png.hpp), atomic writes (io/atomic_file.hpp), and
// the model files behind Model::save and load with their architecture check (io/saved_model.hpp,
// io/architecture.hpp). Model::save itself needs only typenet/model.hpp.
#include "typenet/io/saved_model.hpp"

#include "typenet/io/architecture.hpp"
#include "typenet/io/atomic_file.hpp"
#include "typenet/io/image.hpp"
#include "typenet/io/model_file.hpp"
#include "typenet/io/png.hpp"
