// Memory at start-up (docs/performance.md, "Memory"; issue 18). The peak
// (VmHWM) is reached while libbpf loads the programs with the kernel's BTF
// parsed: SPEC wants syscount under 20 MB, and the load should hold one copy
// of that BTF, not two (src/collect/vmlinux_btf.cpp).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>
#include <string>

#include "test_support.h"

namespace {

// ASan's shadow memory and quarantine are in every number: the build under
// test is the one this test was built with.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
constexpr bool kSanitized = __has_feature(address_sanitizer);
#else
constexpr bool kSanitized = false;
#endif

struct Memory {
  long hwm_kb = -1;  // VmHWM: the peak so far
  long rss_kb = -1;  // VmRSS: now
};

Memory memory_of(pid_t pid) {
  Memory m;
  std::istringstream lines(slt::read_file("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("VmHWM:", 0) == 0) m.hwm_kb = std::stol(line.substr(6));
    if (line.rfind("VmRSS:", 0) == 0) m.rss_kb = std::stol(line.substr(6));
  }
  return m;
}

// The size of the kernel's BTF when it can be mapped (the kernel's pages,
// outside our RSS), else -1: the only way to parse it with one copy alive.
long mappable_btf_kb() {
  const int fd = open("/sys/kernel/btf/vmlinux", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st {};
  void* p = MAP_FAILED;
  if (fstat(fd, &st) == 0 && st.st_size > 0) p = mmap(nullptr, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (p == MAP_FAILED) return -1;
  munmap(p, st.st_size);
  return st.st_size / 1024;
}

}  // namespace

TEST_CASE("syscount memory: peak (VmHWM) under 20 MB system-wide, one copy of the kernel's BTF at load", "[privileged][memory]") {
  if (kSanitized) {
    slt::skip("memory is measured in the build without sanitizers");
    return;
  }
  slt::Background syscount({slt::syscount_bin(), "-d", "2"});
  REQUIRE(syscount.wait_for_stderr("Tracing ", 15));
  const Memory ready = memory_of(syscount.pid());  // loaded and attached: the start-up is behind it
  const slt::RunResult r = syscount.wait(10);
  INFO("VmHWM " << ready.hwm_kb << " kB, VmRSS " << ready.rss_kb << " kB once tracing; stderr: " << r.err);
  REQUIRE(r.status == 0);
  REQUIRE(ready.hwm_kb > 0);
  CHECK(ready.hwm_kb * 1024 < 20'000'000);

  // What the start-up needed beyond what the run keeps: one parsed copy of
  // the BTF (its size) and libbpf's index of it; two copies would be twice
  // the size. The BPF maps' memory is in both numbers (copied at load,
  // mapped after it).
  const long btf_kb = mappable_btf_kb();
  if (btf_kb < 0) {
    WARN("/sys/kernel/btf/vmlinux cannot be mapped on this kernel: libbpf reads it, two copies at once");
    return;
  }
  INFO("kernel BTF " << btf_kb << " kB");
  CHECK(ready.hwm_kb - ready.rss_kb < btf_kb + 2048);
}
