#pragma once
// The command line every lab example takes. Parsing it is lab_options.cpp's job, compiled once
// for all the examples: CLI11 costs some 5 s of compiling in every file that includes it (its
// validators are objects at namespace scope, generated in full each time), as much as a network.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lab {

namespace fs = std::filesystem;

struct Options {
  fs::path data_dir;
  fs::path out_dir;
  std::optional<std::size_t> epochs;  // overrides every model's epochs
  std::uint64_t seed = 42;
  std::string model = "all";
  int verbose = 1;

  bool wants(const std::string& name) const { return model == "all" || model == name; }
};

// An example's own flag naming a folder that must exist (pneumonia_cnn's --images).
struct FolderFlag {
  std::string name;  // "--images"
  std::string description;
  std::optional<fs::path>* value;  // set when the flag is given
};

// Parses the flags every example takes; exits with CLI11's message on a bad command line.
Options parse_options(int argc, char** argv, const std::string& description, const std::vector<std::string>& models,
                      const fs::path& default_data, const fs::path& default_out,
                      const std::vector<FolderFlag>& folder_flags = {});

}  // namespace lab
