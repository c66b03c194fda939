# Configures typenet again in a tree of its own with another compiler or other flags, builds some
# of its targets there and runs their tests: the test suite's way to cover configurations beside
# the main build (clang, no -march=native, sanitisers) within the README's one test command.
#   -DSOURCE  typenet's source tree         -DTREE     the sub-build's folder (wiped first)
#   -DGENERATOR                             -DOPTIONS  comma-separated extra -D arguments for configure
#   -DTARGETS comma-separated targets       -DTESTS    ctest -R regex of the tests to run there
# (Commas, not CMake's ';', which add_test would split into separate arguments.)
include(${CMAKE_CURRENT_LIST_DIR}/../support/script_helpers.cmake)
require_defined(SOURCE TREE GENERATOR TARGETS TESTS)

string(REPLACE "," ";" OPTIONS "${OPTIONS}")
string(REPLACE "," ";" TARGETS "${TARGETS}")
file(REMOVE_RECURSE ${TREE})
run(${CMAKE_COMMAND} -S ${SOURCE} -B ${TREE} -G ${GENERATOR} -DTYPENET_BUILD_EXAMPLES=OFF
    -DTYPENET_BUILD_BENCHMARKS=OFF -DTYPENET_INSTALL=OFF ${OPTIONS})
run(${CMAKE_COMMAND} --build ${TREE} --target ${TARGETS})
run(${CMAKE_COMMAND} -E env ctest --test-dir ${TREE} --output-on-failure -R ${TESTS})
message(STATUS "${run_output}")
string(REGEX MATCH "tests passed, 0 tests failed out of [1-9]" summary "${run_output}")
if(NOT summary)
  message(FATAL_ERROR "no test matching '${TESTS}' ran in ${TREE}")
endif()
