# clang -target bpf -> bpftool gen object -> bpftool gen skeleton, exposed as an
# INTERFACE library whose include dir holds <name>.skel.h (libbpf-bootstrap style).
find_program(BPF_CLANG NAMES clang clang-14 REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)

# The arch the skeletons are built for: the target's (SYSLAT_TARGET_ABI, set
# in the top-level CMakeLists.txt), spelled as in __TARGET_ARCH_<arch> and
# vmlinux/<arch>/.
set(SYSLAT_BPF_ARCH x86)
if(SYSLAT_TARGET_ABI STREQUAL "arm64")
  set(SYSLAT_BPF_ARCH arm64)
endif()
set(SYSLAT_VMLINUX_DIR ${CMAKE_SOURCE_DIR}/vmlinux/${SYSLAT_BPF_ARCH})

# add_bpf_object(<object.bpf.o> <source.bpf.c> [ARCH x86|arm64] [DEPENDS headers...])
# The one place a BPF object is compiled: clang for __TARGET_ARCH_<ARCH>
# against vmlinux/<ARCH>/vmlinux.h (default: SYSLAT_BPF_ARCH), then bpftool gen
# object. Used for the skeletons and for the arm64 cross check
# (scripts/check-arm64.sh).
function(add_bpf_object obj source)
  cmake_parse_arguments(ARG "" "ARCH" "DEPENDS" ${ARGN})
  if(NOT ARG_ARCH)
    set(ARG_ARCH ${SYSLAT_BPF_ARCH})
  endif()
  get_filename_component(stem ${source} NAME_WE)
  get_filename_component(src_abs ${source} ABSOLUTE)
  get_filename_component(src_dir ${src_abs} DIRECTORY)
  get_filename_component(out ${obj} DIRECTORY)
  set(tmp_obj ${out}/${stem}.tmp.bpf.o)
  set(vmlinux_dir ${CMAKE_SOURCE_DIR}/vmlinux/${ARG_ARCH})
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out}
    COMMAND ${BPF_CLANG} -g -O2 -target bpf -mcpu=v3
            -D__TARGET_ARCH_${ARG_ARCH}
            -I${vmlinux_dir} -I${src_dir} -I${CMAKE_SOURCE_DIR}/bpf
            -Wall -Wno-unused-function -Werror
            -c ${src_abs} -o ${tmp_obj}
    COMMAND ${BPFTOOL} gen object ${obj} ${tmp_obj}
    DEPENDS ${src_abs} ${ARG_DEPENDS} ${vmlinux_dir}/vmlinux.h
    COMMENT "BPF ${stem} (${ARG_ARCH}): clang -> bpftool gen object"
    VERBATIM)
endfunction()

# add_bpf_skeleton(<target> <source.bpf.c> [NAME skeleton_name] [DEPENDS headers...])
# NAME (default: the file's stem) names the skeleton struct and functions.
function(add_bpf_skeleton target source)
  cmake_parse_arguments(ARG "" "NAME" "DEPENDS" ${ARGN})
  get_filename_component(stem ${source} NAME_WE)
  if(NOT ARG_NAME)
    set(ARG_NAME ${stem})
  endif()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_skel)
  set(obj ${out}/${stem}.bpf.o)
  set(skel ${out}/${stem}.skel.h)
  add_bpf_object(${obj} ${source} DEPENDS ${ARG_DEPENDS})
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL} gen skeleton ${obj} name ${ARG_NAME} > ${skel}
    DEPENDS ${obj}
    COMMENT "BPF ${stem}: bpftool gen skeleton"
    VERBATIM)
  add_custom_target(${target}_gen DEPENDS ${skel})
  add_library(${target} INTERFACE)
  add_dependencies(${target} ${target}_gen)
  target_include_directories(${target} INTERFACE ${out})
endfunction()
