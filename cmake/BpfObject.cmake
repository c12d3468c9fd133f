# clang -target bpf -> bpftool gen object -> bpftool gen skeleton, exposed as an
# INTERFACE library whose include dir holds <name>.skel.h (libbpf-bootstrap style).
find_program(BPF_CLANG NAMES clang clang-14 REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)

set(SYSLAT_BPF_ARCH x86)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  set(SYSLAT_BPF_ARCH arm64)
endif()
set(SYSLAT_VMLINUX_DIR ${CMAKE_SOURCE_DIR}/vmlinux/${SYSLAT_BPF_ARCH})

# add_bpf_skeleton(<target> <source.bpf.c> [NAME skeleton_name] [DEPENDS headers...])
# NAME (default: the file's stem) names the skeleton struct and functions.
function(add_bpf_skeleton target source)
  cmake_parse_arguments(ARG "" "NAME" "DEPENDS" ${ARGN})
  get_filename_component(stem ${source} NAME_WE)
  if(NOT ARG_NAME)
    set(ARG_NAME ${stem})
  endif()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_skel)
  set(tmp_obj ${out}/${stem}.tmp.bpf.o)
  set(obj ${out}/${stem}.bpf.o)
  set(skel ${out}/${stem}.skel.h)
  get_filename_component(src_abs ${source} ABSOLUTE)
  get_filename_component(src_dir ${src_abs} DIRECTORY)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out}
    COMMAND ${BPF_CLANG} -g -O2 -target bpf -mcpu=v3
            -D__TARGET_ARCH_${SYSLAT_BPF_ARCH}
            -I${SYSLAT_VMLINUX_DIR} -I${src_dir} -I${CMAKE_SOURCE_DIR}/bpf
            -Wall -Wno-unused-function -Werror
            -c ${src_abs} -o ${tmp_obj}
    COMMAND ${BPFTOOL} gen object ${obj} ${tmp_obj}
    COMMAND ${BPFTOOL} gen skeleton ${obj} name ${ARG_NAME} > ${skel}
    DEPENDS ${src_abs} ${ARG_DEPENDS} ${SYSLAT_VMLINUX_DIR}/vmlinux.h
    COMMENT "BPF ${stem}: clang -> bpftool gen object/skeleton"
    VERBATIM)
  add_custom_target(${target}_gen DEPENDS ${skel})
  add_library(${target} INTERFACE)
  add_dependencies(${target} ${target}_gen)
  target_include_directories(${target} INTERFACE ${out})
endfunction()
