cmake_minimum_required(VERSION 3.22)
# The layout of include/typenet, checked on every test run (cmake -DROOT=<repository> -P check_layout.cmake):
#  - the root holds only the entry points a user includes, and the one-line forwarding headers
#    that keep 0.1's include paths working ("Moved to typenet/...");
#  - every file a comment in the library, the tests, the examples or the benchmarks names
#    (something.hpp, something.cpp) exists, so that comments do not point at code that moved; a
#    dependency's header is named by its include path (xtensor/xtensor.hpp) and looked up in
#    EXTERNAL_INCLUDE, the dependencies' include folders.
set(entry_points callbacks.hpp config.hpp data.hpp distributed.hpp features.hpp io.hpp metrics.hpp model.hpp
                 network.hpp plot.hpp threads.hpp typenet.hpp)
file(GLOB root_headers RELATIVE "${ROOT}/include/typenet" "${ROOT}/include/typenet/*")
set(problems "")
foreach(name IN LISTS root_headers)
  if(IS_DIRECTORY "${ROOT}/include/typenet/${name}" OR name IN_LIST entry_points)
    continue()
  endif()
  file(READ "${ROOT}/include/typenet/${name}" text)
  string(REGEX MATCHALL "\n" lines "${text}")
  list(LENGTH lines line_count)
  if(text MATCHES "// Moved to (typenet/[a-z_/]+\\.hpp); this path keeps working\\." AND NOT line_count GREATER 3)
    # tests/CMakeLists.txt compiles the header it names instead of it: it must include that one.
    set(moved_to "${CMAKE_MATCH_1}")
    if(NOT text MATCHES "\n#include \"${moved_to}\"\n")
      string(APPEND problems "include/typenet/${name} says it moved to ${moved_to} but does not include it\n")
    endif()
  else()
    string(APPEND problems "include/typenet/${name} is neither an entry point nor a forwarding header\n")
  endif()
endforeach()

file(GLOB_RECURSE sources "${ROOT}/include/*.hpp" "${ROOT}/src/*.cpp" "${ROOT}/tests/*.cpp" "${ROOT}/tests/*.hpp"
     "${ROOT}/examples/*.cpp" "${ROOT}/examples/*.hpp" "${ROOT}/benchmarks/*.cpp" "${ROOT}/benchmarks/*.hpp")
file(GLOB_RECURSE known RELATIVE "${ROOT}" "${ROOT}/include/*.hpp" "${ROOT}/src/*.cpp" "${ROOT}/tests/*.cpp"
     "${ROOT}/tests/*.hpp" "${ROOT}/examples/*.cpp" "${ROOT}/examples/*.hpp" "${ROOT}/benchmarks/*.cpp"
     "${ROOT}/benchmarks/*.hpp" "${ROOT}/fuzz/*.cpp" "${ROOT}/fuzz/*.hpp")
foreach(source IN LISTS sources)
  file(STRINGS "${source}" comments REGEX "//")
  foreach(line IN LISTS comments)
    string(REGEX REPLACE "^.*//" "" comment "${line}")
    string(REGEX MATCHALL "[A-Za-z_][A-Za-z_0-9/.-]*\\.[hc]pp" names "${comment}")
    foreach(named IN LISTS names)
      set(found FALSE)
      foreach(path IN LISTS known)
        if(path STREQUAL named OR path MATCHES "(^|/)${named}$")
          set(found TRUE)
          break()
        endif()
      endforeach()
      foreach(folder IN LISTS EXTERNAL_INCLUDE)
        if(NOT found AND named MATCHES "/" AND EXISTS "${folder}/${named}")
          set(found TRUE)
        endif()
      endforeach()
      if(NOT found)
        file(RELATIVE_PATH where "${ROOT}" "${source}")
        string(APPEND problems "${where}: a comment names ${named}, which does not exist\n")
      endif()
    endforeach()
  endforeach()
endforeach()
if(problems)
  message(FATAL_ERROR "${problems}")
endif()
