#include "trace/seccomp_filter.h"

#include <linux/audit.h>
#include <linux/seccomp.h>

#include <cstddef>
#include <stdexcept>

namespace syslat::trace {
namespace {

constexpr uint32_t kNrOffset = offsetof(seccomp_data, nr);
constexpr uint32_t kArchOffset = offsetof(seccomp_data, arch);
constexpr uint32_t kX32Bit = 0x40000000;  // __X32_SYSCALL_BIT

struct Range {
  uint32_t lo, hi;  // inclusive
};

sock_filter stmt(uint16_t code, uint32_t k) { return BPF_STMT(code, k); }
sock_filter jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) { return BPF_JUMP(code, k, jt, jf); }

}  // namespace

std::vector<sock_filter> build_seccomp_filter(const core::SyscallSet& set) {
  std::vector<Range> ranges;
  for (uint32_t nr = 0; nr < core::kSetOther; ++nr) {
    if (!set.test(nr)) continue;
    if (!ranges.empty() && ranges.back().hi + 1 == nr)
      ranges.back().hi = nr;
    else
      ranges.push_back({nr, nr});
  }
  const bool other = set.test(core::kSetOther);
  // Layout: [0] load arch, [1] arch == x86_64 ? next : TRACE, [2] load nr,
  // [3] x32 or nr >= kSetOther ? (other ? TRACE : ALLOW) : next,
  // then per range: nr >= lo ? next : skip; nr <= hi ? TRACE : next...
  // then ALLOW, TRACE. Jumps are relative and at most 255: ranges are few
  // enough (a set of every other syscall would be ~230 ranges, 460 tests),
  // so long programs chain through a TRACE/ALLOW pair every 100 ranges.
  std::vector<sock_filter> p;
  p.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, kArchOffset));
  p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
  p.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_TRACE));  // i386 and others: the tracer decides
  p.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, kNrOffset));
  p.push_back(jump(BPF_JMP | BPF_JSET | BPF_K, kX32Bit, 0, 1));
  p.push_back(stmt(BPF_RET | BPF_K, other ? SECCOMP_RET_TRACE : SECCOMP_RET_ALLOW));
  p.push_back(jump(BPF_JMP | BPF_JGE | BPF_K, static_cast<uint32_t>(core::kSetOther), 0, 1));
  p.push_back(stmt(BPF_RET | BPF_K, other ? SECCOMP_RET_TRACE : SECCOMP_RET_ALLOW));
  // Each range: 2 tests jumping to the nearest "TRACE" that follows every
  // group of up to 100 ranges; misses fall through to the next range.
  constexpr size_t kGroup = 100;
  for (size_t start = 0; start < ranges.size(); start += kGroup) {
    const size_t end = std::min(ranges.size(), start + kGroup);
    for (size_t i = start; i < end; ++i) {
      // Instructions left until this group's TRACE: after the two tests of
      // this range come 2 per remaining range, then ALLOW-or-continue (1).
      const size_t after = 2 * (end - i - 1) + 1;
      p.push_back(jump(BPF_JMP | BPF_JGE | BPF_K, ranges[i].lo, 0, 1));  // below lo: next range
      p.push_back(jump(BPF_JMP | BPF_JGT | BPF_K, ranges[i].hi, 0, static_cast<uint8_t>(after)));
      // (A range test that fails hi falls to the next range too.)
    }
    // Group end: nothing matched here -> skip the TRACE to the next group.
    p.push_back(jump(BPF_JMP | BPF_JA, 1, 0, 0));
    p.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_TRACE));
  }
  p.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  return p;
}

uint32_t run_seccomp_filter(const std::vector<sock_filter>& program, uint32_t arch, int32_t nr) {
  uint32_t a = 0;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const sock_filter& f = program[pc];
    switch (f.code) {
      case BPF_LD | BPF_W | BPF_ABS: a = f.k == kArchOffset ? arch : static_cast<uint32_t>(nr); break;
      case BPF_RET | BPF_K: return f.k;
      case BPF_JMP | BPF_JA: pc += f.k; break;
      case BPF_JMP | BPF_JEQ | BPF_K: pc += a == f.k ? f.jt : f.jf; break;
      case BPF_JMP | BPF_JGE | BPF_K: pc += a >= f.k ? f.jt : f.jf; break;
      case BPF_JMP | BPF_JGT | BPF_K: pc += a > f.k ? f.jt : f.jf; break;
      case BPF_JMP | BPF_JSET | BPF_K: pc += (a & f.k) ? f.jt : f.jf; break;
      default: throw std::logic_error("run_seccomp_filter: unexpected instruction");
    }
  }
  throw std::logic_error("run_seccomp_filter: fell off the end");
}

}  // namespace syslat::trace
