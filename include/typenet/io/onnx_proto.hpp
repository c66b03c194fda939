#pragma once
// ONNX's protobuf classes (::onnx::ModelProto, ...) as Debian's libonnx generates them, for the
// writer (io/onnx-inl.hpp) and the reader (io/onnx_import-inl.hpp). Debian ships the ONNX-ML
// flavour only (onnx-ml.pb.h); libonnx's CMake targets define these two, and a header-only
// program gets them here.
#ifndef ONNX_ML
#define ONNX_ML 1
#endif
#ifndef ONNX_NAMESPACE
#define ONNX_NAMESPACE onnx
#endif
#include <onnx/onnx_pb.h>
