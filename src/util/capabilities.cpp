#include "util/capabilities.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "util/files.h"
#include "util/strings.h"

namespace syslat::util {
namespace {

// The highest capability number this kernel knows.
unsigned last_capability() {
  if (auto text = read_small_file("/proc/sys/kernel/cap_last_cap"))
    if (auto n = parse_u64(trim(*text)); n && *n < 64) return static_cast<unsigned>(*n);
  return 63;  // PR_CAPBSET_READ says which of these exist
}

bool has_effective(unsigned cap) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  return data[cap / 32].effective & (1u << (cap % 32));
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

Expected<void> drop_all_capabilities() {
  // The bounding set first: dropping from it needs CAP_SETPCAP, which the
  // capset() below takes away.
  if (has_effective(CAP_SETPCAP)) {
    for (unsigned cap = 0; cap <= last_capability(); ++cap)
      if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
        return make_error("cannot drop capability " + std::to_string(cap) + " from the bounding set: " + errno_text());
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)  // EINVAL: before Linux 4.3
    return make_error("cannot clear the ambient capabilities: " + errno_text());
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return make_error("cannot set no_new_privs: " + errno_text());
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct none[2]{};
  if (syscall(SYS_capset, &header, none) != 0) return make_error("cannot drop the capabilities: " + errno_text());
  return {};
}

}  // namespace syslat::util
