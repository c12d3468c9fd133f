#include "util/run_as.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cstring>

#include "util/strings.h"

extern char** environ;

namespace syslat::util {

Expected<RunAs> lookup_user(std::string_view user, const std::string& option) {
  const std::string name(user);
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found) {
    if (auto uid = parse_u64(user); uid && *uid <= UINT32_MAX)
      getpwuid_r(static_cast<uid_t>(*uid), &pw, buf.data(), buf.size(), &found);
  }
  if (!found) return make_error(option + ": no user '" + name + "' (expected a user name or uid)");
  RunAs who;
  who.uid = pw.pw_uid;
  who.gid = pw.pw_gid;
  who.name = pw.pw_name;
  int n = 64;
  who.groups.resize(static_cast<size_t>(n));
  if (getgrouplist(pw.pw_name, pw.pw_gid, who.groups.data(), &n) < 0) {
    who.groups.resize(static_cast<size_t>(n));
    getgrouplist(pw.pw_name, pw.pw_gid, who.groups.data(), &n);
  }
  who.groups.resize(static_cast<size_t>(n));
  const std::string home = pw.pw_dir ? pw.pw_dir : "/";
  for (char** e = environ; e && *e; ++e) {
    const std::string_view var(*e);
    if (var.starts_with("HOME=") || var.starts_with("USER=") || var.starts_with("LOGNAME=")) continue;
    who.env.emplace_back(var);
  }
  who.env.push_back("HOME=" + home);
  who.env.push_back("USER=" + who.name);
  who.env.push_back("LOGNAME=" + who.name);
  return who;
}

bool become(const RunAs& who) {
  return setgroups(who.groups.size(), who.groups.data()) == 0 && setresgid(who.gid, who.gid, who.gid) == 0 &&
         setresuid(who.uid, who.uid, who.uid) == 0;
}

std::vector<char*> env_pointers(const RunAs& who) {
  std::vector<char*> out;
  for (const auto& var : who.env) out.push_back(const_cast<char*>(var.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace syslat::util
