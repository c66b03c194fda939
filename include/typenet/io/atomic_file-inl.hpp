#pragma once
// The definitions of io/atomic_file.hpp (typenet/config.hpp says where they are compiled).
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include "typenet/io/atomic_file.hpp"

namespace typenet::io {

namespace detail {
TYPENET_INLINE std::runtime_error os_error(const std::string& what, const std::filesystem::path& path) {
  return std::runtime_error(what + " '" + path.string() + "': " + std::strerror(errno));
}

TYPENET_INLINE void fsync_path(const std::filesystem::path& path, int flags) {
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) throw os_error("cannot open for fsync", path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw os_error("fsync failed on", path);
}
}  // namespace detail

TYPENET_INLINE void replace_atomically(const std::filesystem::path& target,
                                       const std::function<void(const std::filesystem::path&)>& produce) {
  namespace fs = std::filesystem;
  fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  fs::create_directories(folder);
  fs::path temp = folder / ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()));
  try {
    produce(temp);
    detail::fsync_path(temp, O_RDONLY);
    fs::rename(temp, target);
    detail::fsync_path(folder, O_RDONLY | O_DIRECTORY);
  } catch (...) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw;
  }
}

TYPENET_INLINE void write_file_atomically(const std::filesystem::path& target, std::string_view content) {
  replace_atomically(target, [&](const std::filesystem::path& temp) {
    std::FILE* f = std::fopen(temp.c_str(), "wb");
    if (!f) throw detail::os_error("cannot create", temp);
    bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
    ok = (std::fflush(f) == 0) && ok;
    ok = (std::fclose(f) == 0) && ok;
    if (!ok) throw detail::os_error("cannot write", temp);
  });
}

}  // namespace typenet::io
