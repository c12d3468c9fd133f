# Generates a syscall table (number, name, classes) for one ABI; the native
# one, syscall_table.inc, is what everything else reads. Run as a build step:
#   cmake -DABI=<x86_64|i386|arm64> -DUNISTD_H=<header> -DNEWER=<supplement>
#         -DCLASSES=<syscall_classes.txt> [-DCLASSES_EXTRA=<supplement>]
#         [-DCPP=<C compiler>] -DOUTPUT=<file.inc> -P gen_syscall_table.cmake
#
#   ABI     UNISTD_H                 NEWER                      CLASSES_EXTRA
#   x86_64  asm/unistd_64.h          syscalls_newer.txt         -
#   i386    asm/unistd_32.h          syscalls_newer_unified.txt syscall_classes_i386.txt
#   arm64   asm-generic/unistd.h     syscalls_newer_unified.txt (optional)
# ABI defaults to x86_64. arm64 needs CPP (any gcc/clang): the generic header is
# run through the preprocessor with arm64's __ARCH_WANT_* defines (those of the
# kernel's arch/arm64/include/uapi/asm/unistd.h) as a 64-bit ABI, so the
# conditionals and the __NR3264_* indirections come out as on arm64
# (__NR3264_fstatat -> newfstatat, __NR3264_mmap -> mmap).
#
# How it is put together, so a new per-syscall attribute (e.g. argument types
# for the decoder) is one more data file, not a rewrite:
#   1. numbers and names: the UAPI header, plus the checked-in supplement for
#      syscalls newer than the build host's header (the header wins);
#   2. attributes: name-keyed data files ("<name> <value>..."), each read by
#      read_name_keyed_file(), which checks that no unknown or duplicate name
#      appears; check_all_named() then checks that every syscall has an entry.
#      CLASSES is x86_64's file: for x86_64 it must name exactly the table; for
#      i386/arm64 its rows for names the ABI lacks are skipped, and every
#      syscall it does not name must be in CLASSES_EXTRA (and only those);
#   3. emit: one SYSLAT_SYSCALL(nr, "name", classes) row per syscall, sorted by
#      number. A further attribute gets its own row macro so existing
#      includers need not change: with -DARGS_OUTPUT=<syscall_args.inc>, the
#      argument signatures (-DARGS=syscall_args.txt, x86_64 only) become
#      SYSLAT_SYSCALL_ARGS rows (see syscall_arg_rules.cmake); without ARGS the
#      file is written with no rows (other ABIs have no signatures yet).
# Anything malformed (no definitions, an unresolved or duplicate definition in
# the header, a bad supplement line, an unknown class, a syscall without
# classes, a known number that came out wrong) fails the build.
cmake_minimum_required(VERSION 3.21)

include(${CMAKE_CURRENT_LIST_DIR}/gen_common.cmake)
require_script_args(gen_syscall_table UNISTD_H NEWER CLASSES OUTPUT)
if(NOT DEFINED ABI)
  set(ABI x86_64)
endif()
# Per ABI: a few numbers every table must have, to catch a wrong or misread
# header (numbers from the kernel's syscall tables).
if(ABI STREQUAL "x86_64")
  set(anchors read=0 write=1 openat=257 exit_group=231 rt_sigreturn=15)
elseif(ABI STREQUAL "i386")
  set(anchors exit=1 read=3 write=4 openat=295 exit_group=252 rt_sigreturn=173 socketcall=102)
elseif(ABI STREQUAL "arm64")
  set(anchors openat=56 read=63 write=64 exit_group=94 clone=220 execve=221 newfstatat=79 mmap=222)
  if(NOT DEFINED CPP)
    message(FATAL_ERROR "gen_syscall_table: ABI arm64 needs -DCPP=<C compiler>")
  endif()
else()
  message(FATAL_ERROR "gen_syscall_table: unknown ABI '${ABI}' (x86_64, i386, arm64)")
endif()

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

# check_named_once(<where> <name> <seen_var>): fails on a name that is not a
# syscall of this table, or that <seen_var> holds already; adds it there.
function(check_named_once where name seen_var)
  if(NOT DEFINED SC_NR_${name})
    message(FATAL_ERROR "${where}: '${name}' is not a known ${ABI} syscall")
  endif()
  if(name IN_LIST ${seen_var})
    message(FATAL_ERROR "${where}: '${name}' is listed twice")
  endif()
  set(names "${${seen_var}}")
  list(APPEND names ${name})
  set(${seen_var} "${names}" PARENT_SCOPE)
endfunction()

# 1a. The UAPI header, as "<name>=<nr>" pairs. One header never defines a name
# or a number twice; if it seems to, it was misread.
set(header_pairs "")
if(ABI STREQUAL "arm64")
  # Macros after preprocessing, e.g. "#define __NR3264_fstatat 79" and
  # "#define __NR_newfstatat __NR3264_fstatat"; the asm/unistd.h that arm64
  # wraps around the generic one is these defines.
  execute_process(
    COMMAND ${CPP} -E -dM -x c
            -D__ARCH_WANT_RENAMEAT -D__ARCH_WANT_NEW_STAT -D__ARCH_WANT_SET_GET_RLIMIT
            -D__ARCH_WANT_TIME32_SYSCALLS -D__ARCH_WANT_SYS_CLONE3 -D__ARCH_WANT_MEMFD_SECRET
            "${UNISTD_H}"
    OUTPUT_VARIABLE macros
    ERROR_VARIABLE cpp_errors
    RESULT_VARIABLE cpp_result)
  if(NOT cpp_result EQUAL 0)
    message(FATAL_ERROR "${CPP} -E -dM ${UNISTD_H} failed (${cpp_result}):\n${cpp_errors}")
  endif()
  string(REGEX MATCH "#define __BITS_PER_LONG ([0-9]+)" _ "${macros}")
  if(NOT CMAKE_MATCH_1 STREQUAL "64")
    message(FATAL_ERROR "${UNISTD_H}: __BITS_PER_LONG is '${CMAKE_MATCH_1}' with ${CPP}; "
                        "the arm64 view needs a compiler for a 64-bit host")
  endif()
  string(REGEX MATCHALL "#define __NR(3264)?_[a-z0-9_]+ [^\n]*" defines "${macros}")
  foreach(def IN LISTS defines)
    string(REGEX MATCH "^#define (__NR(3264)?_[a-z0-9_]+) (.*)$" _ "${def}")
    set(MACRO_${CMAKE_MATCH_1} "${CMAKE_MATCH_3}")
  endforeach()
  foreach(def IN LISTS defines)
    if(NOT def MATCHES "^#define __NR_([a-z0-9_]+) ")
      continue()
    endif()
    set(name "${CMAKE_MATCH_1}")
    # Not syscalls: the table size and the start of the per-arch range.
    if(name STREQUAL "syscalls" OR name STREQUAL "arch_specific_syscall")
      continue()
    endif()
    set(value "${MACRO___NR_${name}}")
    foreach(depth RANGE 3)
      if(value MATCHES "^__NR(3264)?_[a-z0-9_]+$" AND DEFINED MACRO_${value})
        set(value "${MACRO_${value}}")
      endif()
    endforeach()
    if(NOT value MATCHES "^[0-9]+$")
      message(FATAL_ERROR "${UNISTD_H}: __NR_${name} does not resolve to a number (${value})")
    endif()
    list(APPEND header_pairs "${name}=${value}")
  endforeach()
else()
  # "#define __NR_read 0"
  file(STRINGS "${UNISTD_H}" defines REGEX "^#define[ \t]+__NR_[a-z0-9_]+[ \t]+[0-9]+[ \t]*$")
  foreach(def IN LISTS defines)
    string(REGEX MATCH "__NR_([a-z0-9_]+)[ \t]+([0-9]+)" _ "${def}")
    list(APPEND header_pairs "${CMAKE_MATCH_1}=${CMAKE_MATCH_2}")
  endforeach()
endif()
if(NOT header_pairs)
  message(FATAL_ERROR "${UNISTD_H}: no __NR_ definitions found")
endif()
foreach(pair IN LISTS header_pairs)
  string(REGEX MATCH "^(.*)=(.*)$" _ "${pair}")
  set(name ${CMAKE_MATCH_1})
  set(nr ${CMAKE_MATCH_2})
  if(DEFINED SC_NR_${name} OR DEFINED SC_NAME_${nr})
    message(FATAL_ERROR "${UNISTD_H}: ${name}=${nr} clashes with an earlier definition "
                        "of that name or number (header misread for ABI ${ABI}?)")
  endif()
  add_syscall(${nr} ${name} "${UNISTD_H}")
endforeach()

# 1b. The supplement: "<nr> <name> <first kernel version>".
read_data_lines("${NEWER}" newer_lines)
foreach(entry IN LISTS newer_lines)
  split_data_line("${entry}" lineno fields)
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

foreach(anchor IN LISTS anchors)
  string(REGEX MATCH "^(.*)=(.*)$" _ "${anchor}")
  if(NOT SC_NR_${CMAKE_MATCH_1} STREQUAL CMAKE_MATCH_2)
    message(FATAL_ERROR "${UNISTD_H}: ${ABI} ${CMAKE_MATCH_1} came out as "
                        "'${SC_NR_${CMAKE_MATCH_1}}', not ${CMAKE_MATCH_2} (wrong header?)")
  endif()
endforeach()

list(SORT all_nrs COMPARE NATURAL)
set(all_names "")
foreach(nr IN LISTS all_nrs)
  list(APPEND all_names ${SC_NAME_${nr}})
endforeach()

# read_name_keyed_file(<file> <prefix> [SKIP_UNKNOWN]): sets <prefix>_<name> to
# the list of values after the name on its line and appends the name to
# <prefix>_NAMED. A name that is not a syscall of this table fails, unless
# SKIP_UNKNOWN (then its line is ignored); a name given twice (in this file or
# an earlier one for the same prefix) always fails.
function(read_name_keyed_file file prefix)
  cmake_parse_arguments(ARG "SKIP_UNKNOWN" "" "" ${ARGN})
  read_data_lines("${file}" lines)
  set(seen "${${prefix}_NAMED}")
  foreach(entry IN LISTS lines)
    split_data_line("${entry}" lineno fields)
    list(POP_FRONT fields name)
    if(ARG_SKIP_UNKNOWN AND NOT DEFINED SC_NR_${name})
      continue()
    endif()
    check_named_once("${file}:${lineno}" ${name} seen)
    set(${prefix}_${name} "${fields}" PARENT_SCOPE)
  endforeach()
  set(${prefix}_NAMED "${seen}" PARENT_SCOPE)
endfunction()

# check_all_named(<prefix> <files>): fails unless every syscall has an entry.
function(check_all_named prefix files)
  set(missing "")
  foreach(name IN LISTS all_names)
    if(NOT name IN_LIST ${prefix}_NAMED)
      list(APPEND missing ${name})
    endif()
  endforeach()
  if(missing)
    list(JOIN missing " " missing)
    message(FATAL_ERROR "${files}: no ${ABI} entry for: ${missing}")
  endif()
endfunction()

# 2. Attributes.
set(CLASS_NAMED "")
if(ABI STREQUAL "x86_64")
  read_name_keyed_file("${CLASSES}" CLASS)
  set(class_files "${CLASSES}")
else()
  read_name_keyed_file("${CLASSES}" CLASS SKIP_UNKNOWN)
  set(class_files "${CLASSES}")
  if(DEFINED CLASSES_EXTRA)
    read_name_keyed_file("${CLASSES_EXTRA}" CLASS)
    set(class_files "${CLASSES_EXTRA}")
  endif()
endif()
check_all_named(CLASS "${class_files}")
set(class_enum_file kClassFile)
set(class_enum_net kClassNet)
set(class_enum_process kClassProcess)
set(class_enum_memory kClassMemory)
set(class_enum_signal kClassSignal)
set(class_enum_ipc kClassIpc)
set(class_enum_desc kClassDesc)
set(class_enum_time kClassTime)

# 3. Emit.
set(text "// Generated by src/core/gen_syscall_table.cmake (ABI ${ABI}) from\n")
string(APPEND text "//   ${UNISTD_H}\n//   ${NEWER}\n//   ${CLASSES}\n")
if(DEFINED CLASSES_EXTRA)
  string(APPEND text "//   ${CLASSES_EXTRA}\n")
endif()
string(APPEND text "// Do not edit.\n")
string(APPEND text "// SYSLAT_SYSCALL(nr, name, classes)\n")
foreach(nr IN LISTS all_nrs)
  set(name ${SC_NAME_${nr}})
  set(enums "")
  foreach(class IN LISTS CLASS_${name})
    if(NOT DEFINED class_enum_${class})
      message(FATAL_ERROR "${class_files}: ${name}: unknown class '${class}'")
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

# 4. Argument signatures, into their own file.
if(DEFINED ARGS_OUTPUT)
  if(DEFINED ARGS)
    include(${CMAKE_CURRENT_LIST_DIR}/syscall_arg_rules.cmake)
    syslat_emit_syscall_args("${ARGS}" "${ARGS_OUTPUT}")
  else()
    file(WRITE "${ARGS_OUTPUT}.tmp" "// Generated by src/core/gen_syscall_table.cmake: no ${ABI} signatures.\n")
    file(COPY_FILE "${ARGS_OUTPUT}.tmp" "${ARGS_OUTPUT}" ONLY_IF_DIFFERENT)
    file(REMOVE "${ARGS_OUTPUT}.tmp")
  endif()
endif()
