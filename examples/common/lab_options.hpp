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
  std::optional<std::size_t> seeds;  // overrides the seed count of the models trained on several seeds
  std::string model = "all";
  int verbose = 1;
  // Set for one of several seeds (lab_example.hpp's for_each_seed): that run's results go to
  // out_dir/<model>/<seed_folder>, the summary of all of them to out_dir/<model>.
  std::string seed_folder;

  bool wants(const std::string& name) const { return model == "all" || model == name; }
  fs::path model_dir(const std::string& name) const;  // out_dir/<name>[/<seed_folder>]
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
