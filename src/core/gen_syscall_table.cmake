# Generates syscall_table.inc, the one table of x86_64 syscalls (number, name,
# classes) that everything else reads. Run as a build step:
#   cmake -DUNISTD_H=<asm/unistd_64.h> -DNEWER=<syscalls_newer.txt>
#         -DCLASSES=<syscall_classes.txt> -DOUTPUT=<syscall_table.inc>
#         -P gen_syscall_table.cmake
#
# How it is put together, so a new per-syscall attribute (e.g. argument types
# for the decoder) is one more data file, not a rewrite:
#   1. numbers and names: the UAPI header, plus the checked-in supplement for
#      syscalls newer than the build host's header (the header wins);
#   2. attributes: name-keyed data files ("<name> <value>..."), each read by
#      read_name_keyed_file(), which also checks that every syscall appears
#      exactly once and no unknown name does;
#   3. emit: one SYSLAT_SYSCALL(nr, "name", classes) row per syscall, sorted by
#      number. A further attribute gets its own row macro (say
#      SYSLAT_SYSCALL_ARGS(nr, ...)) so existing includers need not change.
cmake_minimum_required(VERSION 3.21)

foreach(var UNISTD_H NEWER CLASSES OUTPUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "gen_syscall_table: -D${var}=... is required")
  endif()
endforeach()

set(all_nrs "")

# add_syscall(<nr> <name> <origin>): records one syscall; the first origin to
# claim a name or number wins, later conflicting claims are reported.
function(add_syscall nr name origin)
  if(DEFINED SC_NR_${name})
    if(NOT SC_NR_${name} EQUAL nr)
      message(WARNING "${origin}: ${name} is ${nr} here but ${SC_NR_${name}} in "
                      "${SC_ORIGIN_${name}}; keeping ${SC_NR_${name}}")
    endif()
    return()
  endif()
  if(DEFINED SC_NAME_${nr})
    message(WARNING "${origin}: number ${nr} is ${name} here but ${SC_NAME_${nr}} in "
                    "${SC_ORIGIN_${SC_NAME_${nr}}}; keeping ${SC_NAME_${nr}}")
    return()
  endif()
  set(SC_NR_${name} ${nr} PARENT_SCOPE)
  set(SC_NAME_${nr} ${name} PARENT_SCOPE)
  set(SC_ORIGIN_${name} "${origin}" PARENT_SCOPE)
  set(all_nrs ${all_nrs} ${nr} PARENT_SCOPE)
endfunction()

# read_data_lines(<file> <out>): the non-blank, non-comment lines of a data
# file, each as "<lineno>:<fields separated by ;>".
function(read_data_lines file out)
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
    if(NOT line MATCHES "^[A-Za-z0-9_. \t]+$")
      message(FATAL_ERROR "${file}:${lineno}: unexpected characters: ${line}")
    endif()
    string(REGEX REPLACE "[ \t]+" "," fields "${line}")
    list(APPEND result "${lineno}:${fields}")
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

# 1a. The UAPI header: "#define __NR_read 0".
file(STRINGS "${UNISTD_H}" defines REGEX "^#define[ \t]+__NR_[a-z0-9_]+[ \t]+[0-9]+[ \t]*$")
if(NOT defines)
  message(FATAL_ERROR "${UNISTD_H}: no __NR_ definitions found")
endif()
foreach(def IN LISTS defines)
  string(REGEX MATCH "__NR_([a-z0-9_]+)[ \t]+([0-9]+)" _ "${def}")
  add_syscall(${CMAKE_MATCH_2} ${CMAKE_MATCH_1} "${UNISTD_H}")
endforeach()

# 1b. The supplement: "<nr> <name> <first kernel version>".
read_data_lines("${NEWER}" newer_lines)
foreach(entry IN LISTS newer_lines)
  string(REGEX MATCH "^([0-9]+):(.*)$" _ "${entry}")
  set(lineno ${CMAKE_MATCH_1})
  string(REPLACE "," ";" fields "${CMAKE_MATCH_2}")
  list(LENGTH fields nfields)
  if(NOT nfields EQUAL 3)
    message(FATAL_ERROR "${NEWER}:${lineno}: expected '<nr> <name> <kernel version>'")
  endif()
  list(GET fields 0 nr)
  list(GET fields 1 name)
  list(GET fields 2 since)
  if(NOT nr MATCHES "^[0-9]+$" OR NOT name MATCHES "^[a-z_][a-z0-9_]*$" OR NOT since MATCHES "^[0-9]+\\.[0-9]+$")
    message(FATAL_ERROR "${NEWER}:${lineno}: expected '<nr> <name> <kernel version>'")
  endif()
  add_syscall(${nr} ${name} "${NEWER}:${lineno}")
  if(NOT DEFINED SC_SINCE_${name})
    set(SC_SINCE_${name} ${since})
  endif()
endforeach()

list(SORT all_nrs COMPARE NATURAL)
set(all_names "")
foreach(nr IN LISTS all_nrs)
  list(APPEND all_names ${SC_NAME_${nr}})
endforeach()

# read_name_keyed_file(<file> <prefix>): sets <prefix>_<name> to the list of
# values after the name on its line, for every syscall; fails on unknown,
# duplicate or missing names so the table and the data cannot drift apart.
function(read_name_keyed_file file prefix)
  read_data_lines("${file}" lines)
  set(seen "")
  foreach(entry IN LISTS lines)
    string(REGEX MATCH "^([0-9]+):(.*)$" _ "${entry}")
    set(lineno ${CMAKE_MATCH_1})
    string(REPLACE "," ";" fields "${CMAKE_MATCH_2}")
    list(POP_FRONT fields name)
    if(NOT DEFINED SC_NR_${name})
      message(FATAL_ERROR "${file}:${lineno}: '${name}' is not a known syscall")
    endif()
    if(name IN_LIST seen)
      message(FATAL_ERROR "${file}:${lineno}: '${name}' is listed twice")
    endif()
    list(APPEND seen ${name})
    set(${prefix}_${name} "${fields}" PARENT_SCOPE)
  endforeach()
  set(missing "")
  foreach(name IN LISTS all_names)
    if(NOT name IN_LIST seen)
      list(APPEND missing ${name})
    endif()
  endforeach()
  if(missing)
    list(JOIN missing " " missing)
    message(FATAL_ERROR "${file}: no entry for: ${missing}")
  endif()
endfunction()

# 2. Attributes.
read_name_keyed_file("${CLASSES}" CLASS)
set(class_enum_file kClassFile)
set(class_enum_net kClassNet)
set(class_enum_process kClassProcess)
set(class_enum_memory kClassMemory)
set(class_enum_signal kClassSignal)
set(class_enum_ipc kClassIpc)
set(class_enum_desc kClassDesc)
set(class_enum_time kClassTime)

# 3. Emit.
set(text "// Generated by src/core/gen_syscall_table.cmake from\n")
string(APPEND text "//   ${UNISTD_H}\n//   ${NEWER}\n//   ${CLASSES}\n// Do not edit.\n")
string(APPEND text "// SYSLAT_SYSCALL(nr, name, classes)\n")
foreach(nr IN LISTS all_nrs)
  set(name ${SC_NAME_${nr}})
  set(enums "")
  foreach(class IN LISTS CLASS_${name})
    if(NOT DEFINED class_enum_${class})
      message(FATAL_ERROR "${CLASSES}: ${name}: unknown class '${class}'")
    endif()
    list(APPEND enums ${class_enum_${class}})
  endforeach()
  if(enums)
    list(JOIN enums " | " classes)
  else()
    set(classes 0)
  endif()
  set(comment "")
  if(DEFINED SC_SINCE_${name})
    set(comment "  // Linux ${SC_SINCE_${name}}")
  endif()
  string(APPEND text "SYSLAT_SYSCALL(${nr}, \"${name}\", ${classes})${comment}\n")
endforeach()

file(WRITE "${OUTPUT}.tmp" "${text}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
