# Compiles one source with -fsyntax-only and checks the diagnostic, run by CTest as
#   cmake -DCOMPILER=... -DSOURCE=... -DINCLUDE=... -P check.cmake
# A source without "// expect" lines must compile; otherwise it must fail with a diagnostic that
# contains every "// expect:" text, and the "// expect-gcc:" or "// expect-clang:" texts of the
# compiler at hand, in at most 10 lines under g++ and 12 under clang. (Clang prints every note with
# its source line and a caret line, where g++ gives a note one line: a source can raise clang's cap
# with "// max-lines-clang: N", as a Model adds one more level of template instantiation.)
# An expected text must not hold "[" : CMake lists would join it with the next line.
execute_process(COMMAND "${COMPILER}" --version OUTPUT_VARIABLE version)
if(version MATCHES "clang")
  set(family clang)
  set(MAX_LINES 12)
else()
  set(family gcc)
  set(MAX_LINES 10)
endif()
file(STRINGS "${SOURCE}" expectations REGEX "^// expect(-${family})?: ")
file(STRINGS "${SOURCE}" any_expectation REGEX "^// expect")
file(STRINGS "${SOURCE}" cap REGEX "^// max-lines-${family}: [0-9]+$")
if(cap)
  string(REGEX REPLACE "^// max-lines-${family}: " "" MAX_LINES "${cap}")
endif()
execute_process(
  COMMAND "${COMPILER}" -std=c++20 -fsyntax-only -fdiagnostics-color=never -DTYPENET_COMPILED_LIB=1 "-I${INCLUDE}" "${SOURCE}"
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(output "${out}${err}")
if(NOT any_expectation)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${SOURCE} should compile but failed:\n${output}")
  endif()
  return()
endif()
if(status EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but it must be rejected")
endif()
string(REGEX MATCHALL "\n" newlines "${output}")
list(LENGTH newlines line_count)
if(line_count GREATER MAX_LINES)
  message(FATAL_ERROR "${SOURCE}: the diagnostic has ${line_count} lines, more than ${MAX_LINES}:\n${output}")
endif()
# g++ writes a closing `> >` where clang writes `>>`: both sides are compared without that space.
string(REPLACE " >" ">" compared "${output}")
foreach(line IN LISTS expectations)
  string(REGEX REPLACE "^// expect(-${family})?: " "" text "${line}")
  string(REPLACE " >" ">" text "${text}")
  string(FIND "${compared}" "${text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${SOURCE}: the diagnostic does not say \"${text}\":\n${output}")
  endif()
endforeach()
message(STATUS "${SOURCE}: rejected in ${line_count} lines, as expected")
