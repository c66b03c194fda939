# What the test scripts run with `cmake -P` share (tests/consumer/run.cmake, tests/subbuild/run.cmake).

# Fails the script unless every named variable was given with -D.
function(require_defined)
  foreach(var IN LISTS ARGN)
    if(NOT DEFINED ${var})
      message(FATAL_ERROR "${CMAKE_SCRIPT_MODE_FILE} needs -D${var}")
    endif()
  endforeach()
endfunction()

# Runs a command; fails the script with the command and its output unless it exits 0. The output
# is left in run_output.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT result EQUAL 0)
    list(JOIN ARGN " " command)
    message(FATAL_ERROR "failed (${result}): ${command}\n${out}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()
