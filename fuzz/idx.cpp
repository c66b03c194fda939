// IDX files, plain and gzip: read_idx_images and read_idx_labels on the input written to a file.
// The first byte chooses: bit 0 gzips the rest first (so that mutation reaches the IDX reader
// behind a valid gzip stream; a raw input starting 1f 8b tests damaged streams), bit 1 reads
// labels (rank 1) instead of images (rank 3).
#include <new>

#include "fuzz_support.hpp"
#include "typenet/data/idx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace typenet::fuzz;
  if (size == 0) return 0;
  const std::span<const std::uint8_t> rest(data + 1, size - 1);
  const Bytes bytes = (data[0] & 1) ? gzip(rest) : Bytes(rest.begin(), rest.end());
  const auto path = write_file("input.idx", bytes);
  try {
    if (data[0] & 2) typenet::data::read_idx_labels(path);
    else typenet::data::read_idx_images(path);
  } catch (const std::bad_alloc&) {
    throw;  // memory taken on a header's word is a finding
  } catch (const std::exception&) {
  }
  return 0;
}
