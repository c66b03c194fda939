#pragma once
// FilePath: the path a function of typenet's core writes to or reads from (Model::save, load,
// load_weights, export_json; History::write_json, write_csv; onnx::save, load_weights), taken as
// a string or as a std::filesystem::path alike.
//
// Why not std::filesystem::path itself: <filesystem> is about 6% of what typenet/typenet.hpp
// costs the compiler (it brings <locale>, <iomanip> and <codecvt>), and every program pays it,
// a misfit's diagnostic included, while only the definitions that open the file need it. They are
// compiled once (typenet/config.hpp) and turn the text back into a std::filesystem::path.
#include <concepts>
#include <string>
#include <string_view>
#include <utility>

namespace typenet {

class FilePath {
 public:
  FilePath(const char* path) : text_(path) {}
  FilePath(std::string path) : text_(std::move(path)) {}
  FilePath(std::string_view path) : text_(path) {}
  // std::filesystem::path (whose native() is the path's text on POSIX), accepted without naming
  // it: a path converts to std::string only through its own conversion operator, and C++ allows
  // one user-defined conversion per argument, so the string constructor alone would not take it.
  template <class Path>
    requires requires(const Path& path) {
      { path.native() } -> std::convertible_to<const std::string&>;
    }
  FilePath(const Path& path) : text_(path.native()) {}

  const std::string& string() const { return text_; }

 private:
  std::string text_;
};

}  // namespace typenet
