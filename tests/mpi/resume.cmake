# A job whose last rank throws after epoch 3 must end within TIMEOUT seconds, naming the rank,
# and leave a checkpoint; a second job resumes from it and must match an uninterrupted run.
file(REMOVE "${CHECKPOINT}")
execute_process(COMMAND ${MPIRUN} ${PROGRAM} crash ${CHECKPOINT}
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT ${TIMEOUT})
message("crash: exit status ${status}\n${out}${err}")
if(status EQUAL 0 OR status MATCHES "timeout|terminated")
  message(FATAL_ERROR "the job with a failing rank must end with an error within ${TIMEOUT} s")
endif()
if(NOT "${out}${err}" MATCHES "typenet: rank 1 of 2 failed: simulated fault after epoch 3")
  message(FATAL_ERROR "no line naming the failed rank and the cause")
endif()
if(NOT EXISTS "${CHECKPOINT}")
  message(FATAL_ERROR "no checkpoint at ${CHECKPOINT}")
endif()
execute_process(COMMAND ${MPIRUN} ${PROGRAM} resume ${CHECKPOINT}
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT ${TIMEOUT})
message("resume: exit status ${status}\n${out}${err}")
if(NOT status EQUAL 0)
  message(FATAL_ERROR "the resumed run does not match the uninterrupted one")
endif()
