// .npz archives built from the input: the pieces after the first (fuzz_support.hpp's separator)
// are the members, written by libzip with right sizes and CRCs, so that mutation reaches the
// .npy headers and data; byte k of the first piece names member k and chooses its compression.
#include <new>

#include "fuzz_support.hpp"
#include "typenet/data/npz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace typenet::fuzz;
  static const char* const names[] = {"x.npy", "y.npy", "train_images.npy", "train_labels.npy", "z.npy", "notes.txt", "a.npy", "b.npy"};
  const auto parts = pieces(data, size);
  std::vector<ZipMember> members;
  for (std::size_t k = 1; k < parts.size(); ++k) {
    const std::uint8_t control = k - 1 < parts[0].size() ? parts[0][k - 1] : 0;
    members.push_back({names[control % 8], parts[k], (control & 0x80) != 0});
  }
  const auto path = write_zip("built.npz", members);
  try {
    const auto npz = typenet::data::load_npz(path);
    for (const auto& key : npz.keys()) {
      (void)npz.at(key).values<double>();
      (void)npz.at(key).values<std::uint8_t>();
    }
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception&) {
  }
  return 0;
}
