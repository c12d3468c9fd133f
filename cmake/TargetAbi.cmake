# SYSLAT_TARGET_ABI: the target's syscall ABI (x86_64 or arm64), from
# CMAKE_SYSTEM_PROCESSOR. It picks the native syscall table (src/core) and the
# BPF arch (cmake/BpfObject.cmake). x86_64 targets also get the i386 table for
# 32-bit (int $0x80) calls: SYSLAT_HAVE_I386_TABLE is ON, and src/core makes
# SYSLAT_HAVE_I386_TABLE=1 a PUBLIC compile definition of syslat_core.
# Included by the top-level CMakeLists.txt and by src/core when that is built
# on its own (tests/fuzz).
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(SYSLAT_TARGET_ABI x86_64)
  set(SYSLAT_HAVE_I386_TABLE ON)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(SYSLAT_TARGET_ABI arm64)
  set(SYSLAT_HAVE_I386_TABLE OFF)
else()
  message(FATAL_ERROR "syslat: unsupported target processor '${CMAKE_SYSTEM_PROCESSOR}' "
                      "(x86_64 and aarch64 are)")
endif()
