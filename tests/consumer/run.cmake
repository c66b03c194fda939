# Builds and runs tests/consumer against typenet, as a user would get it:
#   -DMODE=package      `cmake --install` of typenet's build tree BUILD into a staging prefix, then
#                       find_package(typenet 0.1) from that prefix; also builds it with the flags of
#                       the installed typenet.pc
#   -DMODE=subdirectory add_subdirectory(typenet's source tree), and checks that this builds none
#   -DMODE=fetchcontent of typenet's examples, tests or benchmarks (the same for FetchContent)
# Required: -DMODE -DSOURCE (typenet's source tree) -DBUILD (typenet's build tree) -DWORK (scratch)
# -DCOMPILER (the C++ compiler) -DGENERATOR.
include(${CMAKE_CURRENT_LIST_DIR}/../support/script_helpers.cmake)
require_defined(MODE SOURCE BUILD WORK COMPILER GENERATOR)

file(REMOVE_RECURSE ${WORK})
set(consumer_build ${WORK}/build)
set(configure ${CMAKE_COMMAND} -S ${CMAKE_CURRENT_LIST_DIR} -B ${consumer_build} -G ${GENERATOR}
              -DCMAKE_CXX_COMPILER=${COMPILER} -DCMAKE_BUILD_TYPE=Release -DTYPENET_CONSUME=${MODE})

if(MODE STREQUAL "package")
  set(prefix ${WORK}/prefix)
  run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${prefix})
  run(${configure} -DCMAKE_PREFIX_PATH=${prefix})
  # pkg-config finds the same installation from the .pc file's own place.
  set(ENV{PKG_CONFIG_PATH} "")
  file(GLOB pc_dirs ${prefix}/lib*/pkgconfig ${prefix}/lib/*/pkgconfig)
  foreach(dir IN LISTS pc_dirs)
    set(ENV{PKG_CONFIG_PATH} "${dir}")
  endforeach()
  run(pkg-config --cflags --libs typenet)
  string(FIND "${run_output}" "${prefix}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "typenet.pc does not point into the prefix ${prefix}: ${run_output}")
  endif()
  # ... and its flags build the same program without CMake, as the README shows.
  separate_arguments(pc_flags UNIX_COMMAND "${run_output}")
  run(${COMPILER} -O1 ${CMAKE_CURRENT_LIST_DIR}/consumer.cpp ${pc_flags} -o ${WORK}/consumer_pkg_config)
  run(${WORK}/consumer_pkg_config)
  message(STATUS "pkg-config build: ${run_output}")
else()
  run(${configure} -DTYPENET_SOURCE=${SOURCE})
  # As a subproject typenet adds its library only: none of its own programs may be in the build.
  run(${CMAKE_COMMAND} --build ${consumer_build} --target help)
  foreach(own unit_tests lab mlp_raw_mnist bench_typenet compile_one_model)
    string(REGEX MATCH "(^|\n)${own}[: ]" found "${run_output}")
    if(found)
      message(FATAL_ERROR "as a subproject typenet still adds its target '${own}' to the user's build")
    endif()
  endforeach()
endif()

run(${CMAKE_COMMAND} --build ${consumer_build})
run(${consumer_build}/consumer)
message(STATUS "${run_output}")
if(EXISTS ${consumer_build}/consumer_onnx)
  run(${consumer_build}/consumer_onnx)
  message(STATUS "${run_output}")
elseif(EXISTS ${BUILD}/libtypenet_onnx.a)
  message(FATAL_ERROR "typenet's build has typenet::onnx, the consumer's (${MODE}) does not")
endif()
