#pragma once
// Reader for IDX files, the format MNIST ships in: a 4-byte magic (two zero bytes, a type code,
// the number of dimensions), one big-endian uint32 per dimension, then the data in row-major order.
// Files may be gzip-compressed; that is decided by the gzip magic bytes, not by the file name,
// because downloads are often renamed or decompressed by the browser without renaming.
//
// The reader is strict on purpose: a truncated download or a file with bytes after the data
// must fail loudly rather than train on garbage, so every error names the file, the byte offset
// in the uncompressed stream, and what was expected versus found.
#include <cstdint>
#include <filesystem>

#include <xtensor/xtensor.hpp>

#include "typenet/config.hpp"

namespace typenet::data {

// A stack of images, shape (count, rows, columns), e.g. MNIST's train-images-idx3-ubyte.
xt::xtensor<std::uint8_t, 3> read_idx_images(const std::filesystem::path& path);

// One label per example, shape (count), e.g. MNIST's train-labels-idx1-ubyte.
xt::xtensor<std::uint8_t, 1> read_idx_labels(const std::filesystem::path& path);

}  // namespace typenet::data

#ifdef TYPENET_HEADER_ONLY
#include "typenet/data/idx-inl.hpp"
#endif
