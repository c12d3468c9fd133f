#include "cli/cgroup_target.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <optional>

#include "util/cgroup.h"
#include "util/fd.h"
#include "util/strings.h"

extern char** environ;

namespace syslat::cli {
namespace {

constexpr const char* kCgroupForm = "expected a cgroup v2 directory such as {}/system.slice, or a cgroup id";
constexpr const char* kUnitForm = "expected a systemd unit such as nginx.service; a name without a suffix means NAME.service";

bool is_cgroup2_dir(const std::string& path) {
  struct statfs sfs {};
  struct stat st {};
  return statfs(path.c_str(), &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC && stat(path.c_str(), &st) == 0 &&
         S_ISDIR(st.st_mode);
}

std::string example_root() {
  auto mount = util::cgroup2_mount();
  return mount ? *mount : "/sys/fs/cgroup";
}

util::Error bad_cgroup(const std::string& what) {
  return util::make_error(fmt::format("-c/--cgroup: {} ({})", what, fmt::format(fmt::runtime(kCgroupForm), example_root())));
}

util::Error bad_unit(const std::string& what) { return util::make_error(fmt::format("--unit: {} ({})", what, kUnitForm)); }

// All digits: a cgroup id (a directory named so is reachable as ./NAME).
bool is_cgroup_id(const std::string& value) { return !value.empty() && value.find_first_not_of("0123456789") == std::string::npos; }

bool systemd_running() {
  struct stat st {};
  return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);  // what sd_booted() checks
}

// `systemctl show -p ControlGroup --value UNIT`: "/system.slice/nginx.service",
// or "" when the unit has no cgroup (not running, unknown) or systemctl fails.
std::string systemd_control_group(const std::string& unit) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return "";
  util::UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  const std::array<std::string, 7> args = {"systemctl", "show", "-p", "ControlGroup", "--value", "--", unit};
  std::array<char*, args.size() + 1> argv{};
  for (size_t i = 0; i < args.size(); ++i) argv[i] = const_cast<char*>(args[i].c_str());
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, "systemctl", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  write_end.reset();
  if (rc != 0) return "";

  // A hung systemd must not hang us: 5 s, then give up on it.
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{read_end.get(), POLLIN, 0};
    const int ready = left.count() > 0 ? poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      kill(pid, SIGKILL);
      out.clear();
      break;
    }
    char buf[512];
    const ssize_t n = read(read_end.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "";
  return std::string(util::trim(out));
}

}  // namespace

util::Expected<std::string> resolve_cgroup_option(const std::string& value) {
  if (value.empty()) return bad_cgroup("empty value");
  if (is_cgroup_id(value)) {
    auto id = util::parse_u64(value);
    if (!id || *id == 0) return bad_cgroup(fmt::format("'{}' is not a cgroup id", value));
    auto root = util::cgroup2_mount();
    if (!root) return bad_cgroup(fmt::format("cannot look up id {}: {}", *id, root.error().message));
    auto dir = util::find_directory_by_inode(*root, *id);
    if (!dir || !is_cgroup2_dir(*dir)) return bad_cgroup(fmt::format("no cgroup with id {} under {}", *id, *root));
    return *dir;
  }
  if (!is_cgroup2_dir(value)) return bad_cgroup(fmt::format("'{}' is not a cgroup v2 directory", value));
  return value;
}

util::Expected<std::string> resolve_unit_option(const std::string& value) {
  if (value.empty() || value.find('/') != std::string::npos || value == "." || value == ".." ||
      value.find_first_of(" \t\n") != std::string::npos)
    return bad_unit(fmt::format("'{}' is not a unit name", value));
  const std::string unit = util::systemd_unit_name(value);
  auto root = util::cgroup2_mount();
  if (!root) return bad_unit(fmt::format("cannot find unit {}: {}", unit, root.error().message));
  if (systemd_running()) {
    const std::string group = systemd_control_group(unit);
    if (!group.empty() && group.front() == '/') {
      const std::string dir = *root + (group == "/" ? "" : group);
      if (is_cgroup2_dir(dir)) return dir;
    }
  }
  // No systemd (or it knows no cgroup for the unit): the directory of that
  // name, as systemd would have made it.
  const auto found = util::find_directories_named(*root, unit);
  if (found.empty()) return bad_unit(fmt::format("no unit {}: no cgroup of that name under {}", unit, *root));
  if (found.size() > 1) {
    std::string list;
    for (const auto& dir : found) list += (list.empty() ? "" : ", ") + dir;
    return bad_unit(fmt::format("{} is ambiguous, {} cgroups have that name: {}; use -c PATH for one", unit,
                                found.size(), list));
  }
  return found.front();
}

CgroupTarget::CgroupTarget(Kind kind, std::string given, std::string dir) : kind_(kind), given_(std::move(given)) {
  in_force_.path = std::move(dir);
  struct stat st {};
  if (stat(in_force_.path.c_str(), &st) == 0) in_force_.ino = st.st_ino;
}

CgroupTarget CgroupTarget::from_cgroup_option(const std::string& value, std::string dir) {
  return CgroupTarget(is_cgroup_id(value) ? Kind::Id : Kind::Path, value, std::move(dir));
}

CgroupTarget CgroupTarget::from_unit_option(const std::string& unit, std::string dir) {
  return CgroupTarget(Kind::Unit, unit, std::move(dir));
}

std::optional<CgroupTarget::Place> CgroupTarget::look() const {
  const auto at = [](const std::string& path) -> std::optional<Place> {
    struct stat st {};
    if (!is_cgroup2_dir(path) || stat(path.c_str(), &st) != 0) return std::nullopt;
    return Place{path, st.st_ino};
  };
  if (auto place = at(in_force_.path); place || kind_ != Kind::Unit) return place;
  // The unit's cgroup is not where it was: gone, or moved (another slice).
  auto dir = resolve_unit_option(given_);
  return dir ? at(*dir) : std::nullopt;
}

void CgroupTarget::set_in_force(Place now) {
  in_force_ = std::move(now);
  present_ = true;
}

std::string CgroupTarget::gone_message() const {
  switch (kind_) {
    case Kind::Path:
      return fmt::format("-c {}: the cgroup is gone; nothing is counted until one is made there again", given_);
    case Kind::Unit:
      return fmt::format("--unit {}: its cgroup {} is gone (the unit stopped or is restarting); nothing is counted "
                         "until the unit has a cgroup again", given_, in_force_.path);
    case Kind::Id:
      break;
  }
  return fmt::format("-c {}: the cgroup with this id ({}) is gone, and an id cannot follow a cgroup made again "
                     "(-c PATH or --unit can): nothing more is counted", given_, in_force_.path);
}

std::string CgroupTarget::back_message() const {
  if (kind_ == Kind::Unit) return fmt::format("--unit {}: its cgroup is back at {}; counting it", given_, in_force_.path);
  return fmt::format("-c {}: the cgroup is back (made again); counting it", given_);
}

}  // namespace syslat::cli
