#include "collect/bpf_env.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include "core/kernel_support.h"

namespace syslat::collect {
namespace {

constexpr const char* kVmlinuxBtf = core::kVmlinuxBtfPath;

bool has_cap(const __user_cap_data_struct (&data)[2], int cap) {
  return data[cap / 32].effective & (1u << (cap % 32));
}

bool has_enumerator(const struct btf* btf, const char* enum_name, std::string_view member) {
  const int id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM);
  if (id <= 0) return false;
  const struct btf_type* t = btf__type_by_id(btf, id);
  const struct btf_enum* e = btf_enum(t);
  for (int i = 0; i < btf_vlen(t); ++i)
    if (const char* name = btf__name_by_offset(btf, e[i].name_off); name && member == name) return true;
  return false;
}

bool has_type(const struct btf* btf, const char* name, int kind) { return btf__find_by_name_kind(btf, name, kind) > 0; }

// Presence in the kernel's BTF is what tells: the version number says little
// on distribution kernels with backports.
core::KernelFacts probe_kernel() {
  core::KernelFacts f;
  struct stat st {};
  if (stat(kVmlinuxBtf, &st) != 0) return f;
  struct btf* btf = btf__load_vmlinux_btf();
  if (!btf) {
    f.btf_error = std::strerror(errno);
    return f;
  }
  f.btf = true;
  f.btf_tracepoints = has_type(btf, "btf_trace_sys_enter", BTF_KIND_TYPEDEF) &&
                      has_type(btf, "btf_trace_sys_exit", BTF_KIND_TYPEDEF) &&
                      has_type(btf, "btf_trace_sched_switch", BTF_KIND_TYPEDEF);
  f.get_current_task_btf = has_enumerator(btf, "bpf_func_id", "BPF_FUNC_get_current_task_btf");
  f.task_pt_regs = has_enumerator(btf, "bpf_func_id", "BPF_FUNC_task_pt_regs");
  f.get_ns_current_pid_tgid = has_enumerator(btf, "bpf_func_id", "BPF_FUNC_get_ns_current_pid_tgid");
  f.task_storage = has_enumerator(btf, "bpf_func_id", "BPF_FUNC_task_storage_get");
  f.task_storage_tracing = has_type(btf, "bpf_task_storage_busy", BTF_KIND_VAR);
  f.ringbuf = has_enumerator(btf, "bpf_map_type", "BPF_MAP_TYPE_RINGBUF");
  f.task_iter = has_type(btf, "bpf_iter__task", BTF_KIND_STRUCT);
  f.rdonly_cast = has_type(btf, "bpf_rdonly_cast", BTF_KIND_FUNC);
  f.ia32 = has_type(btf, "ia32_sys_call", BTF_KIND_FUNC) || has_type(btf, "__ia32_compat_sys_socketcall", BTF_KIND_FUNC);
  btf__free(btf);
  return f;
}

std::string kernel_release() {
  struct utsname u {};
  return uname(&u) == 0 ? u.release : "";
}

}  // namespace

util::Expected<core::KernelFacts> check_bpf_environment(bool has_ptrace_backend) {
  const std::string no_ptrace =
      "this tool has no ptrace backend (syslat/syscount/sysslow --backend ptrace with a command or -p PID, "
      "or systrace, work without it)";
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &hdr, data) == 0) {
    const bool admin = has_cap(data, CAP_SYS_ADMIN);
    const bool bpf = admin || has_cap(data, 39 /* CAP_BPF */);
    const bool perfmon = admin || has_cap(data, 38 /* CAP_PERFMON */);
    if (!bpf || !perfmon) {
      std::string missing = !bpf && !perfmon ? "CAP_BPF and CAP_PERFMON" : !bpf ? "CAP_BPF" : "CAP_PERFMON";
      return util::make_error("missing " + missing + " (or CAP_SYS_ADMIN) to load BPF programs; run as root" +
                              (has_ptrace_backend ? ", or use --backend ptrace (needs a command or -p PID)"
                                                  : "; " + no_ptrace));
    }
  }
  const core::KernelFacts facts = probe_kernel();
  if (auto why = core::missing_kernel_support(kernel_release(), facts))
    return util::make_error(*why + "; " +
                            (has_ptrace_backend ? "--backend ptrace works without it (with a command or -p PID)" : no_ptrace));
  return facts;
}

}  // namespace syslat::collect
