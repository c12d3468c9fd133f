// The decision behind "what is this kernel missing?", driven with made-up
// kernels: one line naming the first missing piece, newest requirement first.
#include <catch2/catch.hpp>

#include <string>

#include "core/kernel_support.h"

using syslat::core::KernelFacts;
using syslat::core::KernelVersion;
using syslat::core::missing_kernel_support;
using syslat::core::parse_kernel_release;

namespace {

KernelFacts everything() {
  KernelFacts f;
  f.btf = true;
  f.btf_tracepoints = true;
  f.get_current_task_btf = true;
  f.task_pt_regs = true;
  f.get_ns_current_pid_tgid = true;
  f.task_storage = true;
  f.task_storage_tracing = true;
  f.ringbuf = true;
  f.task_iter = true;
  return f;
}

// What the BTF of an unpatched kernel of that version holds.
KernelFacts as_of(KernelVersion v) {
  KernelFacts f;
  f.btf = true;
  f.btf_tracepoints = v >= KernelVersion{5, 5};
  f.get_ns_current_pid_tgid = v >= KernelVersion{5, 7};
  f.ringbuf = v >= KernelVersion{5, 8};
  f.task_iter = v >= KernelVersion{5, 8};
  f.get_current_task_btf = v >= KernelVersion{5, 11};
  f.task_storage = v >= KernelVersion{5, 11};
  f.task_storage_tracing = v >= KernelVersion{5, 13};
  f.task_pt_regs = v >= KernelVersion{5, 15};
  return f;
}

std::string why(const std::string& release, const KernelFacts& f) {
  auto m = missing_kernel_support(release, f);
  REQUIRE(m);
  CHECK(m->find('\n') == std::string::npos);
  CHECK(m->find("ptrace") == std::string::npos);  // collect/bpf_env.cpp adds the --backend ptrace hint
  return *m;
}

}  // namespace

TEST_CASE("parse_kernel_release reads major.minor", "[kernel]") {
  CHECK(*parse_kernel_release("5.10.0-28-amd64") == KernelVersion{5, 10});
  CHECK(*parse_kernel_release("6.18.44-fc-v1272") == KernelVersion{6, 18});
  CHECK(*parse_kernel_release("4.18.0-513.el8.x86_64") == KernelVersion{4, 18});
  CHECK(*parse_kernel_release("6.1") == KernelVersion{6, 1});
  CHECK(*parse_kernel_release("5.15-rc1") == KernelVersion{5, 15});
  for (const char* bad : {"", "6", "6.", "x6.1", "-5.10", "6.x", ".1"}) {
    INFO("release '" << bad << "'");
    CHECK_FALSE(parse_kernel_release(bad));
  }
}

TEST_CASE("a kernel with everything passes", "[kernel]") {
  CHECK_FALSE(missing_kernel_support("6.18.44", everything()));
  CHECK_FALSE(missing_kernel_support("5.15.0-91-generic", as_of({5, 15})));
  CHECK_FALSE(missing_kernel_support("", everything()));  // an unreadable release does not block
}

TEST_CASE("missing BTF is named first, with the config option", "[kernel]") {
  KernelFacts f = everything();
  f.btf = false;
  CHECK(why("6.1.0", f) == "no BTF at /sys/kernel/btf/vmlinux (the kernel needs CONFIG_DEBUG_INFO_BTF=y)");
  CHECK(why("4.19.0", KernelFacts{}) == "no BTF at /sys/kernel/btf/vmlinux (the kernel needs CONFIG_DEBUG_INFO_BTF=y)");
  f.btf_error = "Invalid argument";
  CHECK(why("6.1.0", f) == "cannot read the kernel's BTF at /sys/kernel/btf/vmlinux: Invalid argument");
}

TEST_CASE("an old kernel is told the version it needs", "[kernel]") {
  CHECK(why("5.10.0-28-amd64", as_of({5, 10})) == "kernel 5.10: bpf_task_pt_regs() needs 5.15");
  CHECK(why("5.4.0-150-generic", as_of({5, 4})) == "kernel 5.4: bpf_task_pt_regs() needs 5.15");
  CHECK(why("5.14.21", as_of({5, 14})) == "kernel 5.14: bpf_task_pt_regs() needs 5.15");
}

TEST_CASE("task storage from tracing programs needs 5.13, not just the 5.11 helper", "[kernel]") {
  // A 5.11/5.12 kernel with bpf_task_pt_regs backported: the helper id is
  // there, but only BPF LSM may call it.
  KernelFacts f = as_of({5, 12});
  f.task_pt_regs = true;
  CHECK(why("5.12.19", f) == "kernel 5.12: task storage for tracing programs needs 5.13");
  // The same kernel with the tracing change backported (its per-CPU counter
  // is in BTF) passes.
  f.task_storage_tracing = true;
  CHECK_FALSE(missing_kernel_support("5.12.19", f));
  // On 5.13+ the helper alone is enough (the counter may go away one day).
  KernelFacts g = everything();
  g.task_storage_tracing = false;
  CHECK_FALSE(missing_kernel_support("6.18.0", g));
  g.task_storage = false;
  CHECK(why("6.18.0", g) == "kernel 6.18: task storage for tracing programs is missing (in Linux since 5.13, but not in this kernel's BTF)");
}

TEST_CASE("each missing piece is named on its own", "[kernel]") {
  struct Case {
    bool KernelFacts::*field;
    const char* release;
    const char* message;
  };
  const Case cases[] = {
      {&KernelFacts::task_pt_regs, "5.10.0", "kernel 5.10: bpf_task_pt_regs() needs 5.15"},
      {&KernelFacts::get_current_task_btf, "5.10.0", "kernel 5.10: bpf_get_current_task_btf() needs 5.11"},
      {&KernelFacts::ringbuf, "5.7.0", "kernel 5.7: the BPF ring buffer (BPF_MAP_TYPE_RINGBUF) needs 5.8"},
      {&KernelFacts::task_iter, "5.7.0", "kernel 5.7: the BPF task iterator (bpf_iter_task) needs 5.8"},
      {&KernelFacts::get_ns_current_pid_tgid, "5.6.0", "kernel 5.6: bpf_get_ns_current_pid_tgid() needs 5.7"},
      {&KernelFacts::btf_tracepoints, "5.4.0",
       "kernel 5.4: tp_btf (BTF-typed tracepoints) for sys_enter/sys_exit/sched_switch needs 5.5"},
      // new enough by number, but built or patched without it
      {&KernelFacts::task_pt_regs, "6.1.0-13-amd64",
       "kernel 6.1: bpf_task_pt_regs() is missing (in Linux since 5.15, but not in this kernel's BTF)"},
      {&KernelFacts::ringbuf, "6.1.0", "kernel 6.1: the BPF ring buffer (BPF_MAP_TYPE_RINGBUF) is missing (in Linux since 5.8, but not in this kernel's BTF)"},
      {&KernelFacts::btf_tracepoints, "custom-kernel",
       "kernel custom-kernel: tp_btf (BTF-typed tracepoints) for sys_enter/sys_exit/sched_switch is missing (in Linux since 5.5, but not in this kernel's BTF)"},
  };
  for (const Case& c : cases) {
    KernelFacts f = everything();
    f.*c.field = false;
    INFO("release " << c.release);
    CHECK(why(c.release, f) == c.message);
  }
}

TEST_CASE("a distribution kernel with backports passes on what its BTF shows", "[kernel]") {
  // e.g. a 4.18 enterprise kernel with BPF backported up to 5.15's helpers
  CHECK_FALSE(missing_kernel_support("4.18.0-553.el8_10.x86_64", everything()));
}
