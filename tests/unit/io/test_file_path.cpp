// FilePath (typenet/io/file_path.hpp), what save, load and History's writers take: every way a
// user names a file gives the same text, std::filesystem::path included, which the header takes
// without naming it.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <type_traits>

#include "typenet/io/file_path.hpp"

namespace test_file_path {

namespace tn = typenet;

TEST_CASE("FilePath takes a C string, a string, a string_view and a std::filesystem::path alike") {
  const std::string name = "runs/model.typenet";
  CHECK(tn::FilePath("runs/model.typenet").string() == name);
  CHECK(tn::FilePath(name).string() == name);
  CHECK(tn::FilePath(std::string_view(name)).string() == name);
  CHECK(tn::FilePath(std::filesystem::path("runs") / "model.typenet").string() == name);
  // Implicitly, as a call such as model.save(dir / "model.typenet") needs.
  static_assert(std::is_convertible_v<std::filesystem::path, tn::FilePath>);
  static_assert(std::is_convertible_v<const std::filesystem::path&, tn::FilePath>);
  static_assert(std::is_convertible_v<const char*, tn::FilePath>);
  static_assert(std::is_convertible_v<std::string_view, tn::FilePath>);
  static_assert(!std::is_convertible_v<int, tn::FilePath>);
}

}  // namespace test_file_path
