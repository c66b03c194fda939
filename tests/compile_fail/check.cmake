# Compiles one source with -fsyntax-only and checks the diagnostic, run by CTest as
#   cmake -DCOMPILER=... -DSOURCE=... -DINCLUDE=... -P check.cmake
# A source whose "// expect:" lines are empty must compile; otherwise it must fail with at most
# MAX_LINES lines of output that contain every expected text. (An expected text must not hold
# "[" : CMake lists would join it with the next line.)
set(MAX_LINES 10)
file(STRINGS "${SOURCE}" expectations REGEX "^// expect: ")
execute_process(
  COMMAND "${COMPILER}" -std=c++20 -fsyntax-only -fdiagnostics-color=never -DTYPENET_COMPILED_LIB=1 "-I${INCLUDE}" "${SOURCE}"
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(output "${out}${err}")
if(NOT expectations)
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
foreach(line IN LISTS expectations)
  string(REGEX REPLACE "^// expect: " "" text "${line}")
  string(FIND "${output}" "${text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${SOURCE}: the diagnostic does not say \"${text}\":\n${output}")
  endif()
endforeach()
message(STATUS "${SOURCE}: rejected in ${line_count} lines, as expected")
