#pragma once
// Golden files written by the scripts in tests/data: one line per case, its name and then its
// numbers, separated by spaces.
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace typenet::testing {

inline std::map<std::string, std::vector<double>> read_golden_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the golden file " + path);
  std::map<std::string, std::vector<double>> values;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string name;
    words >> name;
    for (double v; words >> v;) values[name].push_back(v);
  }
  return values;
}

}  // namespace typenet::testing
