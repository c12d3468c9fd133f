// libFuzzer: the strace-style decoders on arbitrary arguments and arbitrary
// tracee memory. A traced program chooses what its structs, strings and
// buffers hold, so systrace and sysslow must print anything without crashing
// or reading past what the reader returned.
//
// Input: 2 bytes syscall number, 1 byte ABI, 1 byte flags (bit 0: the call
// returned, bit 1: with a negative value), 8 bytes the return, 6 x 8 bytes
// arguments, then the tracee's memory: every address except NULL reads from
// it (wrapping), as many bytes as it has from there on.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "decode/format.h"

namespace {

constexpr size_t kHeader = 2 + 1 + 1 + 8 + 6 * 8;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < kHeader) return 0;
  using syslat::core::Abi;
  uint16_t nr = 0;
  std::memcpy(&nr, data, 2);
  const Abi abi = data[2] & 1 ? Abi::I386 : Abi::Native;
  const uint8_t flags = data[3];
  int64_t ret = 0;
  std::memcpy(&ret, data + 4, 8);
  std::array<uint64_t, 6> args{};
  std::memcpy(args.data(), data + 12, sizeof args);
  const uint8_t* memory = data + kHeader;
  const size_t memory_size = size - kHeader;

  auto offset_of = [&](uint64_t addr) { return static_cast<size_t>(addr % memory_size); };
  syslat::decode::CallContext ctx;
  ctx.resolve_fds = false;
  ctx.max_string = 32;
  ctx.read_memory = [&](uint64_t addr, void* out, size_t len) -> size_t {
    if (addr == 0 || memory_size == 0) return 0;
    const size_t at = offset_of(addr);
    const size_t n = std::min(len, memory_size - at);
    std::memcpy(out, memory + at, n);
    return n;
  };
  ctx.read_string = [&](uint64_t addr, size_t max_len) -> std::optional<std::string> {
    if (addr == 0 || memory_size == 0) return std::nullopt;
    const size_t at = offset_of(addr);
    const size_t n = std::min(max_len, memory_size - at);
    const auto* begin = reinterpret_cast<const char*>(memory + at);
    return std::string(begin, strnlen(begin, n));
  };
  if (flags & 1) ctx.ret = flags & 2 ? -static_cast<int64_t>(static_cast<uint64_t>(ret) % 4096) : ret;

  const syslat::core::SyscallId id(abi, nr % 1024);
  const std::string call = syslat::decode::format_call(id, args, ctx);
  const std::string result = syslat::decode::format_return(id, ctx.ret.value_or(ret), &args);
  // One line each: a newline inside would break the trace's line format.
  if (call.find('\n') != std::string::npos || result.find('\n') != std::string::npos) __builtin_trap();
  return 0;
}
