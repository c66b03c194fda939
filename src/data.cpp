// libtypenet_data: typenet's file readers (MNIST's IDX files, NumPy .npy/.npz, MedMNIST, image
// folders, image decoding by libpng, libjpeg-turbo and typenet's PGM/PPM reader), compiled once
// for every program that links the CMake target typenet::data. A program that loads MNIST then
// parses neither zlib, libzip, libpng nor libjpeg, and compiles none of the readers
// (typenet/config.hpp explains the two ways typenet's non-template code is built).
#ifndef TYPENET_COMPILED_LIB
#error "src/data.cpp is compiled with TYPENET_COMPILED_LIB defined (the CMake target typenet_data sets it)"
#endif

#include "typenet/data/idx-inl.hpp"
#include "typenet/data/image_folder-inl.hpp"
#include "typenet/data/medmnist-inl.hpp"
#include "typenet/data/mnist-inl.hpp"
#include "typenet/data/npy_header-inl.hpp"
#include "typenet/data/npz-inl.hpp"
#include "typenet/io/image-inl.hpp"
