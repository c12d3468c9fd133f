// The kernel's BTF, parsed from a read-only mapping of /sys/kernel/btf/vmlinux
// (docs/performance.md, "Memory").
//
// libbpf 1.1 (Debian 12) reads that file (5.4 MB here) into a buffer and
// parses a copy of it: two copies at once, plus its type index. That was our
// peak memory (VmHWM), reached inside syslat_bpf__load() (issue 18). Kernels
// that let the file be mapped (6.16 and later) map the kernel's own pages,
// which are not counted in our RSS, so parsing from the mapping holds one copy.
//
// This definition takes the place of libbpf's for libbpf too: libbpf calls
// btf__load_vmlinux_btf() through its PLT when bpf_object__load() needs the
// kernel's types (CO-RE relocations, tp_btf attach points), and the
// executable's definition comes first in the dynamic linker's lookup. It is
// weak so that a static libbpf's own wins instead of failing the link.
// Where the file cannot be mapped, or libbpf maps it itself (1.6 and later),
// libbpf's own does the work; either way the caller gets what libbpf's would
// return (NULL and errno on failure) and frees it with btf__free().
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/kernel_support.h"

namespace {

struct btf* parse_mapped(const char* path) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st {};
  void* data = MAP_FAILED;
  if (fstat(fd, &st) == 0 && st.st_size > 0) data = mmap(nullptr, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (data == MAP_FAILED) return nullptr;
  struct btf* btf = btf__new(data, st.st_size);  // copies: nothing points into the mapping
  munmap(data, st.st_size);
  return btf;
}

bool libbpf_maps_it() { return libbpf_major_version() > 1 || (libbpf_major_version() == 1 && libbpf_minor_version() >= 6); }

}  // namespace

extern "C" __attribute__((weak)) struct btf* btf__load_vmlinux_btf(void) {
  using Load = struct btf* (*)();
  static const auto libbpf_load = reinterpret_cast<Load>(dlsym(RTLD_NEXT, "btf__load_vmlinux_btf"));
  if (!libbpf_load || !libbpf_maps_it()) {
    const int saved = errno;
    if (struct btf* btf = parse_mapped(syslat::core::kVmlinuxBtfPath)) return btf;
    errno = saved;
  }
  if (libbpf_load) return libbpf_load();
  errno = ENOENT;
  return nullptr;
}
