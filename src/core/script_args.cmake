# require_script_args(<script> <var>...): for a cmake -P script, fails
# unless every -D<var>=... was given.
function(require_script_args script)
  foreach(var IN LISTS ARGN)
    if(NOT DEFINED ${var})
      message(FATAL_ERROR "${script}: -D${var}=... is required")
    endif()
  endforeach()
endfunction()
