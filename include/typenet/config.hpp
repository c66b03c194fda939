#pragma once
// How typenet's non-template code is built. Most of typenet depends on a network's type and lives
// in templates; what does not (reading and writing model files, a network's description and
// summary, what compile() sets, the epoch's bookkeeping, the callbacks, the thread team, layer
// configs, atomic writes, the data loaders and image decoders) is written once, each in a header
// of its own beside the one that declares it (model/fit_support-inl.hpp beside
// model/fit_support.hpp), and is built one of two ways:
//
//   header-only (the default, nothing to link): each header includes its definitions and the
//     functions are inline, compiled in every translation unit that uses them;
//   compiled (TYPENET_COMPILED_LIB, which the CMake target typenet::typenet sets): the headers
//     only declare them and libtypenet (src/typenet.cpp) compiles them once, the readers of
//     typenet/data.hpp and typenet/io/image.hpp in libtypenet_data (src/data.cpp, the target
//     typenet::data), so a program that trains a network does not parse JSON, zlib, libzip,
//     libpng or libjpeg, and compiles in a fraction of the time.
//
// As fmt's FMT_HEADER_ONLY and spdlog's SPDLOG_COMPILED_LIB, one macro selects it, and the same
// headers serve both.
#ifdef TYPENET_COMPILED_LIB
#define TYPENET_INLINE
#else
#define TYPENET_HEADER_ONLY 1
#define TYPENET_INLINE inline
#endif

// A function whose body is compiled once in a translation unit whatever its callers pass: neither
// inlined into them nor copied for the constants they pass (g++ -O3's -fipa-cp-clone would compile
// im2col and the poolings again for every layer shape, undoing what taking the shape at run time
// saves). Clang neither clones nor specialises a function it may not inline.
#if defined(__GNUC__) && !defined(__clang__)
#define TYPENET_COMPILED_ONCE [[gnu::noipa]]
#else
#define TYPENET_COMPILED_ONCE [[gnu::noinline]]
#endif

// The release, as CMakeLists.txt's project() gives it (CMake refuses to configure if they differ);
// written into exported files (io/onnx.hpp's metadata).
#define TYPENET_VERSION "0.1.0"
