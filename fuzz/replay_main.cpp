// Replays files through a harness without libFuzzer: `replay <file or folder>...`. The ctest
// tests fuzz_regression.* run it on fuzz/regression/<harness>/ with the test suite's compiler,
// so every input that once crashed a loader is checked on every run: no crash, and (outside
// AddressSanitizer, whose shadow memory counts too) a peak of at most 256 MB, which an input
// that makes a loader allocate what a header claims would exceed.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include <sys/resource.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
void replay(const std::filesystem::path& file, std::size_t& count) {
  std::ifstream in(file, std::ios::binary);
  const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  std::printf("%s (%zu bytes)\n", file.c_str(), bytes.size());
  std::fflush(stdout);  // the last name printed is the input that crashed, if one does
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  ++count;
}
}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg = argv[i];
    if (std::filesystem::is_directory(arg)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(arg))
        if (entry.is_regular_file()) replay(entry.path(), count);
    } else {
      replay(arg, count);
    }
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const long peak_mb = usage.ru_maxrss / 1024;
  std::printf("replayed %zu inputs, none crashed; peak memory %ld MB\n", count, peak_mb);
#if !defined(__SANITIZE_ADDRESS__)
  if (peak_mb > 256) {
    std::printf("FAILED: more than 256 MB\n");
    return 1;
  }
#endif
  return count > 0 ? 0 : 1;  // an empty corpus would test nothing
}
