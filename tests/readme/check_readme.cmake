# Compiles the first C++ block of README.md as printed, run by CTest as
#   cmake -DCOMPILER=... -DREADME=... -DINCLUDE=... -DFLAGS=... -DOUT=... -P check_readme.cmake
# so that the first program a newcomer copies cannot drift from what the library accepts.
file(READ "${README}" readme)
string(FIND "${readme}" "```cpp\n" start)
if(start EQUAL -1)
  message(FATAL_ERROR "${README} has no ```cpp block")
endif()
math(EXPR start "${start} + 7")
string(SUBSTRING "${readme}" ${start} -1 rest)
string(FIND "${rest}" "```" end)
string(SUBSTRING "${rest}" 0 ${end} program)
file(WRITE "${OUT}" "${program}")
separate_arguments(flags UNIX_COMMAND "${FLAGS}")
execute_process(COMMAND "${COMPILER}" -std=c++20 -fsyntax-only ${flags} "-I${INCLUDE}" "${OUT}"
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "README.md's first program does not compile as printed:\n${out}${err}")
endif()
