// .npz archives as raw bytes: load_npz on the input written to a file, then every array read
// out, as a program would. (Mutations here mostly meet libzip's checks and the CRCs; npz_built.cpp
// builds valid zips to reach the .npy members.)
#include <new>

#include "fuzz_support.hpp"
#include "typenet/data/npz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace typenet::fuzz;
  const auto path = write_file("input.npz", {data, size});
  try {
    const auto npz = typenet::data::load_npz(path);
    for (const auto& key : npz.keys()) (void)npz.at(key).values<double>();
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception&) {
  }
  return 0;
}
