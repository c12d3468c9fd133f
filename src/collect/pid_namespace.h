// The PID namespace the tool runs in. Inside a container the PIDs a user
// gives (-p, -t) and reads (-P) are that namespace's, so the BPF side must
// translate (bpf_get_ns_current_pid_tgid).
#pragma once

#include <cstdint>
#include <optional>

namespace syslat::collect {

struct PidNamespace {
  uint64_t dev = 0;  // of /proc/self/ns/pid (nsfs)
  uint64_t ino = 0;
};

// The namespace when it is not the initial one; nullopt in the initial one
// (or when it cannot be told, which behaves like the initial one).
std::optional<PidNamespace> current_pid_namespace();

}  // namespace syslat::collect
