// lab_options.hpp's parse_options, the only place the lab examples include CLI11.
#include "common/lab_options.hpp"

#include <cstdlib>

#include <CLI/CLI.hpp>

namespace lab {

Options parse_options(int argc, char** argv, const std::string& description, const std::vector<std::string>& models,
                      const fs::path& default_data, const fs::path& default_out, const std::vector<FolderFlag>& folder_flags) {
  Options o;
  o.data_dir = default_data;
  o.out_dir = default_out;
  CLI::App app{description};
  std::vector<std::string> choices = models;
  choices.push_back("all");
  app.add_option("--data", o.data_dir, "folder with the data set")->capture_default_str();
  app.add_option("--out", o.out_dir, "folder for the results (one sub-folder per model)")->capture_default_str();
  app.add_option("--epochs", o.epochs, "train every model for N epochs instead of the lab's");
  app.add_option("--seed", o.seed, "seed of weights, shuffling and dropout")->capture_default_str();
  app.add_option("--seeds", o.seeds,
                 "train the models that the lab runs on several seeds (seed, seed+1, ...) on N seeds instead")
      ->check(CLI::PositiveNumber);
  app.add_option("--model", o.model, "which model to train")->check(CLI::IsMember(choices))->capture_default_str();
  app.add_option("--verbose", o.verbose, "0 silent, 1 progress bar, 2 one line per epoch")->capture_default_str();
  for (const auto& flag : folder_flags)
    app.add_option(flag.name, *flag.value, flag.description)->check(CLI::ExistingDirectory);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  return o;
}

fs::path Options::model_dir(const std::string& name) const {
  return seed_folder.empty() ? out_dir / name : out_dir / name / seed_folder;
}

}  // namespace lab
