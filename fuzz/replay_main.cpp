// Replays files through a harness without libFuzzer: `replay <file or folder>...`. The ctest
// tests fuzz_regression.* run it on fuzz/regression/<harness>/ with the test suite's compiler,
// so every input that once crashed a loader is checked on every run.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

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
  std::printf("replayed %zu inputs, none crashed\n", count);
  return count > 0 ? 0 : 1;  // an empty corpus would test nothing
}
