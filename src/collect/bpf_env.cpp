#include "collect/bpf_env.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace syslat::collect {
namespace {

constexpr const char* kVmlinuxBtf = "/sys/kernel/btf/vmlinux";

bool has_cap(const __user_cap_data_struct (&data)[2], int cap) {
  return data[cap / 32].effective & (1u << (cap % 32));
}

}  // namespace

util::Expected<void> check_bpf_environment() {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &hdr, data) == 0) {
    const bool admin = has_cap(data, CAP_SYS_ADMIN);
    const bool bpf = admin || has_cap(data, 39 /* CAP_BPF */);
    const bool perfmon = admin || has_cap(data, 38 /* CAP_PERFMON */);
    if (!bpf || !perfmon) {
      std::string missing = !bpf && !perfmon ? "CAP_BPF and CAP_PERFMON" : !bpf ? "CAP_BPF" : "CAP_PERFMON";
      return util::make_error("missing " + missing +
                              " (or CAP_SYS_ADMIN) to load BPF programs; run as root, or use "
                              "--backend ptrace, which needs neither");
    }
  }
  struct stat st {};
  if (stat(kVmlinuxBtf, &st) != 0) {
    return util::make_error(std::string("kernel BTF not found at ") + kVmlinuxBtf +
                            " (needs CONFIG_DEBUG_INFO_BTF=y); use --backend ptrace, which needs no BTF");
  }
  return {};
}

bool have_btf_syscall_tracepoints() {
  struct btf* vmlinux = btf__load_vmlinux_btf();
  if (!vmlinux) return false;
  const bool found = btf__find_by_name_kind(vmlinux, "btf_trace_sys_enter", BTF_KIND_TYPEDEF) > 0 &&
                     btf__find_by_name_kind(vmlinux, "btf_trace_sched_switch", BTF_KIND_TYPEDEF) > 0;
  btf__free(vmlinux);
  return found;
}

util::Expected<void> ensure_tracefs() {
  struct stat st {};
  if (stat("/sys/kernel/tracing/events/raw_syscalls", &st) == 0) return {};
  if (stat("/sys/kernel/debug/tracing/events/raw_syscalls", &st) == 0) return {};
  if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0) {
    return util::make_error(std::string("classic tracepoints need tracefs, and mounting it on "
                                        "/sys/kernel/tracing failed: ") + std::strerror(errno));
  }
  return {};
}

}  // namespace syslat::collect
