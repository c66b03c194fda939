// libtypenet_onnx: ONNX export and import (typenet/io/onnx.hpp), compiled once for every program that links
// the CMake target typenet::onnx, so that only those parse the ONNX protobuf classes.
#ifndef TYPENET_COMPILED_LIB
#error "src/onnx.cpp is compiled with TYPENET_COMPILED_LIB defined (the CMake target typenet_onnx sets it)"
#endif

#include "typenet/io/onnx-inl.hpp"
#include "typenet/io/onnx_import-inl.hpp"
