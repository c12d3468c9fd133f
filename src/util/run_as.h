// --run-as USER (systrace -u USER): a launched command runs as that user, as
// `sudo -u USER` and strace -u run it: their uid, primary and supplementary
// groups, and HOME, USER and LOGNAME. Everything is looked up before the
// fork; the child only calls what is async-signal-safe.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "util/expected.h"

namespace syslat::util {

struct RunAs {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary, from the group database
  std::string name;
  std::vector<std::string> env;  // the environment to exec with: ours, HOME/USER/LOGNAME the user's
};

// A user name, or a numeric uid that the password database knows. Errors
// say which ("--run-as: no user 'x' (expected a user name or uid)").
Expected<RunAs> lookup_user(std::string_view user, const std::string& option = "--run-as");

// In the child, after fork: drops to the user (groups, gid, then uid, so that
// nothing can be taken back).
// False with errno set when the kernel refuses.
bool become(const RunAs& who);

// RunAs::env as execve wants it (pointers into it, null at the end).
std::vector<char*> env_pointers(const RunAs& who);

}  // namespace syslat::util
