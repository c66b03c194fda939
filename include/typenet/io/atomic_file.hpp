#pragma once
// Writes that never leave a half-written file behind: the content goes to a temporary file in
// the target's folder, is flushed and fsync'ed, then renamed over the target (rename is atomic
// within one file system, so a reader sees either the old file or the new one).
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "typenet/config.hpp"

namespace typenet::io {

namespace detail {
// `what` 'path': and the text of errno.
std::runtime_error os_error(const std::string& what, const std::filesystem::path& path);
// Opens `path` with `flags` (a file, or a folder with O_DIRECTORY) and fsyncs it.
void fsync_path(const std::filesystem::path& path, int flags);
}  // namespace detail

// Calls `produce(temp_path)` to write the new content to a temporary path, then makes it durable
// and renames it over `target`. Used for files written by other libraries (PLplot's PNGs).
void replace_atomically(const std::filesystem::path& target,
                        const std::function<void(const std::filesystem::path&)>& produce);

// Atomically replaces `target` with `content`.
void write_file_atomically(const std::filesystem::path& target, std::string_view content);

}  // namespace typenet::io

#ifdef TYPENET_HEADER_ONLY
#include "typenet/io/atomic_file-inl.hpp"
#endif
