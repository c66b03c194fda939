// Not a misfit but a guard on what every misfit waits for: typenet/typenet.hpp must not parse
// <filesystem> (about 6% of its cost to the compiler; the core's functions take a FilePath,
// typenet/io/file_path.hpp). Like fits.cpp, it must compile.
#include <typenet/typenet.hpp>
#if defined(_GLIBCXX_FILESYSTEM) || defined(_LIBCPP_FILESYSTEM)
#error "typenet/typenet.hpp includes <filesystem>: take a typenet::FilePath where a path is passed"
#endif
