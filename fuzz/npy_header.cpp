// The .npy header (magic, version, length, the Python dict) parsed from the input's bytes.
#include <new>

#include "fuzz_support.hpp"
#include "typenet/data/npy_header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto header = typenet::data::parse_npy_header(data, size);
    (void)header.element_count();
    (void)header.shape_string();
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception&) {
  }
  return 0;
}
