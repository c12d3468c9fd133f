#include "util/cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include "util/fd.h"
#include "util/strings.h"

namespace syslat::util {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view s) {
  std::string out;
  const auto octal = [](char c) { return c >= '0' && c <= '7'; };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && octal(s[i + 1]) && octal(s[i + 2]) && octal(s[i + 3])) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

constexpr int kMaxDepth = 64;  // cgroup trees are shallow; a bound against loops

using Visitor = std::function<bool(const std::string&, std::string_view, const struct stat&)>;

// Calls visit(path, name, stat) for every directory below dir_fd, parents
// before children; false from visit stops the walk (and is returned).
bool walk(int dir_fd, const std::string& path, dev_t dev, int depth,
          const Visitor& visit) {
  if (depth > kMaxDepth) return true;
  const int fd = dup(dir_fd);
  if (fd < 0) return true;
  DIR* dir = fdopendir(fd);
  if (!dir) {
    close(fd);
    return true;
  }
  bool go_on = true;
  while (go_on) {
    const dirent* e = readdir(dir);
    if (!e) break;
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) continue;
    struct stat st {};
    if (fstatat(dir_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode) || st.st_dev != dev)
      continue;  // gone meanwhile, not a directory, or another file system
    const std::string child = path + "/" + std::string(name);
    go_on = visit(child, name, st);
    if (!go_on) break;
    UniqueFd child_fd(openat(dir_fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (child_fd) go_on = walk(child_fd.get(), child, dev, depth + 1, visit);
  }
  closedir(dir);
  return go_on;
}

// Walks below root; stops when visit returns false.
void walk_tree(const std::string& root, const Visitor& visit) {
  UniqueFd fd(open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  struct stat st {};
  if (!fd || fstat(fd.get(), &st) != 0) return;
  std::string base = root;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  if (base == "/") base.clear();
  walk(fd.get(), base, st.st_dev, 0, visit);
}

}  // namespace

std::optional<std::string> cgroup2_mount_in(std::string_view mountinfo) {
  // id parent major:minor root mount-point options [optional...] - fstype source super-options
  for (std::string_view line : split(mountinfo, '\n')) {
    std::vector<std::string_view> fields;
    for (std::string_view f : split(line, ' '))
      if (!f.empty()) fields.push_back(f);
    const auto dash = std::find(fields.begin(), fields.end(), "-");
    if (fields.size() < 5 || dash == fields.end() || dash + 1 == fields.end()) continue;
    if (dash[1] == "cgroup2") return unescape(fields[4]);
  }
  return std::nullopt;
}

Expected<std::string> cgroup2_mount() {
  std::ifstream in("/proc/self/mountinfo");
  if (!in) return make_error(std::string("cannot read /proc/self/mountinfo: ") + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  if (auto mount = cgroup2_mount_in(text.str())) return *mount;
  return make_error("no cgroup v2 file system is mounted");
}

std::optional<std::string> find_directory_by_inode(const std::string& root, uint64_t ino) {
  struct stat st {};
  if (stat(root.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_ino == ino) return root;
  std::optional<std::string> found;
  walk_tree(root, [&](const std::string& path, std::string_view, const struct stat& s) {
    if (s.st_ino != ino) return true;
    found = path;
    return false;
  });
  return found;
}

std::vector<std::string> find_directories_named(const std::string& root, std::string_view name) {
  std::vector<std::string> found;
  walk_tree(root, [&](const std::string& path, std::string_view n, const struct stat&) {
    if (n == name) found.push_back(path);
    return true;
  });
  std::sort(found.begin(), found.end());
  return found;
}

std::string systemd_unit_name(std::string_view name) {
  static constexpr std::string_view kSuffixes[] = {".service", ".socket", ".device", ".mount", ".automount", ".swap",
                                                   ".target",  ".path",   ".timer",  ".slice", ".scope"};
  for (std::string_view suffix : kSuffixes)
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) return std::string(name);
  return std::string(name) + ".service";
}

}  // namespace syslat::util
