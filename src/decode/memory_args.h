// Arguments that point into the traced process's memory: counted buffers,
// structs (stat, sockaddr, timespec, pollfd), string arrays (execve). Read
// through CallContext::read_memory, never through ptrace directly, so the
// decoders stay usable by any source that can read the memory.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/syscall_args.h"
#include "decode/format.h"

namespace syslat::decode {

// The text of args[index] if its kind is one of the memory kinds (InBuf and
// after); nullopt for any other kind. Output kinds need ctx.ret (the call
// returned successfully); without a reader or on a bad address, the pointer.
std::optional<std::string> memory_arg_text(core::ArgKind kind, const std::array<uint64_t, 6>& args, size_t index,
                                           const CallContext& ctx);

// {st_mode=S_IFREG|0644, st_size=3, ...} from the bytes of a struct stat.
std::string stat_text(const void* stat_bytes);
// {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}; `len` bytes.
std::string sockaddr_text(const void* bytes, size_t len);

}  // namespace syslat::decode
