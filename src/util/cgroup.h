// Finding cgroup v2 directories: the cgroup2 mount, a directory by its id
// (on cgroup v2 the id bpf_get_current_cgroup_id() and `bpftool cgroup` show
// is the directory's inode number), or by its name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.h"

namespace syslat::util {

// The mount point of the first cgroup2 file system in a mountinfo text
// (/proc/PID/mountinfo format; octal escapes such as \040 are decoded).
std::optional<std::string> cgroup2_mount_in(std::string_view mountinfo);

// The cgroup2 mount of this process's mount namespace (/proc/self/mountinfo):
// /sys/fs/cgroup on most systems, /sys/fs/cgroup/unified on hybrid ones.
Expected<std::string> cgroup2_mount();

// Walks the directory tree under root (root included), without following
// symlinks or leaving root's file system.
// The directory whose inode number is `ino`.
std::optional<std::string> find_directory_by_inode(const std::string& root, uint64_t ino);
// Every directory below root whose own name is `name`, sorted.
std::vector<std::string> find_directories_named(const std::string& root, std::string_view name);

// A systemd unit name: "nginx" -> "nginx.service"; a name that ends in a
// unit type (.service, .slice, .scope, ...) stays as it is.
std::string systemd_unit_name(std::string_view name);

}  // namespace syslat::util
