// MedMNIST archives: six pieces of the input (fuzz_support.hpp's separator) become the members
// {train,val,test}_{images,labels}.npy of a zip named as PneumoniaMNIST (so that its 2 classes
// are checked), written with right CRCs; load_medmnist reads it. Byte k of a seventh piece, if
// any, deflates member k when odd.
#include <new>

#include "fuzz_support.hpp"
#include "typenet/data/medmnist.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace typenet::fuzz;
  static const char* const names[] = {"train_images.npy", "train_labels.npy", "val_images.npy",
                                      "val_labels.npy",   "test_images.npy",  "test_labels.npy"};
  const auto parts = pieces(data, size);
  std::vector<ZipMember> members;
  for (std::size_t k = 0; k < 6 && k < parts.size(); ++k) {
    const bool deflate = parts.size() > 6 && k < parts[6].size() && (parts[6][k] & 1);
    members.push_back({names[k], parts[k], deflate});
  }
  const auto path = write_zip("pneumoniamnist.npz", members);
  try {
    (void)typenet::data::load_medmnist(path);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception&) {
  }
  return 0;
}
