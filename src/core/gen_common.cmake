# Helpers of the table generators (cmake -P scripts): their arguments and
# their checked-in data files.

# require_script_args(<script> <var>...): for a cmake -P script, fails
# unless every -D<var>=... was given.
function(require_script_args script)
  foreach(var IN LISTS ARGN)
    if(NOT DEFINED ${var})
      message(FATAL_ERROR "${script}: -D${var}=... is required")
    endif()
  endforeach()
endfunction()

# read_data_lines(<file> <out> [PATTERN <regex> EXPECTED <text>] [WHOLE]): the
# non-blank lines of a data file, "#" comments taken out, each as
# "<lineno>:<fields separated by ,>" (WHOLE: "<lineno>:<line>", its blanks
# kept). A line that does not match PATTERN (default: names and numbers)
# fails the build, naming EXPECTED.
function(read_data_lines file out)
  cmake_parse_arguments(ARG "WHOLE" "PATTERN;EXPECTED" "" ${ARGN})
  if(NOT ARG_PATTERN)
    set(ARG_PATTERN "^[A-Za-z0-9_. \t]+$")
    set(ARG_EXPECTED "names and numbers")
  endif()
  file(STRINGS "${file}" raw_lines)
  set(result "")
  set(lineno 0)
  foreach(line IN LISTS raw_lines)
    math(EXPR lineno "${lineno} + 1")
    string(REGEX REPLACE "#.*" "" line "${line}")
    string(STRIP "${line}" line)
    if(line STREQUAL "")
      continue()
    endif()
    if(NOT line MATCHES "${ARG_PATTERN}")
      message(FATAL_ERROR "${file}:${lineno}: malformed line (expected ${ARG_EXPECTED}): ${line}")
    endif()
    if(NOT ARG_WHOLE)
      string(REGEX REPLACE "[ \t]+" "," line "${line}")
    endif()
    list(APPEND result "${lineno}:${line}")
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

# split_data_line(<entry> <lineno_var> <fields_var>): a read_data_lines entry
# as its line number and its fields (a list).
function(split_data_line entry lineno_var fields_var)
  string(REGEX MATCH "^([0-9]+):(.*)$" _ "${entry}")
  set(${lineno_var} ${CMAKE_MATCH_1} PARENT_SCOPE)
  string(REPLACE "," ";" fields "${CMAKE_MATCH_2}")
  set(${fields_var} "${fields}" PARENT_SCOPE)
endfunction()
