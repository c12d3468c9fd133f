// Finding cgroup v2 directories: the cgroup2 mount from mountinfo, a directory
// by inode number or by name (driven here on a plain temporary tree), and
// systemd unit names.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "util/cgroup.h"

namespace fs = std::filesystem;
using syslat::util::cgroup2_mount_in;
using syslat::util::find_directories_named;
using syslat::util::find_directory_by_inode;
using syslat::util::systemd_unit_name;

namespace {

// A hybrid layout, as on this project's test machine.
constexpr const char* kHybrid =
    "22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw\n"
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

// The unified layout of current systemd systems (optional fields before "-").
constexpr const char* kUnified =
    "25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "29 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";

struct Tree {
  fs::path root;
  Tree() {
    char tmpl[] = "/tmp/syslat-cgtest-XXXXXX";
    root = mkdtemp(tmpl);
  }
  ~Tree() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  std::string mkdir(const std::string& rel) {
    fs::create_directories(root / rel);
    return (root / rel).string();
  }
};

uint64_t inode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  return st.st_ino;
}

}  // namespace

TEST_CASE("cgroup2_mount_in finds the cgroup2 line of mountinfo", "[cgroup]") {
  CHECK(*cgroup2_mount_in(kHybrid) == "/sys/fs/cgroup/unified");
  CHECK(*cgroup2_mount_in(kUnified) == "/sys/fs/cgroup");
  CHECK(*cgroup2_mount_in("41 30 0:38 / /mnt/cg\\040two rw - cgroup2 none rw\n") == "/mnt/cg two");
  // v1 only, a "cgroup2" source of another type, garbage: none
  CHECK_FALSE(cgroup2_mount_in("31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"));
  CHECK_FALSE(cgroup2_mount_in("50 1 0:40 / /mnt rw - tmpfs cgroup2 rw\n"));
  CHECK_FALSE(cgroup2_mount_in(""));
  CHECK_FALSE(cgroup2_mount_in("- cgroup2\n\n  \nnonsense\n"));
}

TEST_CASE("find_directory_by_inode walks the tree", "[cgroup]") {
  Tree t;
  const std::string deep = t.mkdir("system.slice/nginx.service/worker");
  const std::string other = t.mkdir("user.slice");
  CHECK(*find_directory_by_inode(t.root.string(), inode_of(deep)) == deep);
  CHECK(*find_directory_by_inode(t.root.string(), inode_of(other)) == other);
  CHECK(*find_directory_by_inode(t.root.string(), inode_of(t.root.string())) == t.root.string());
  // a file's inode is not a directory's
  const std::string file = (t.root / "user.slice" / "cgroup.procs").string();
  { FILE* f = fopen(file.c_str(), "w"); REQUIRE(f); fclose(f); }
  CHECK_FALSE(find_directory_by_inode(t.root.string(), inode_of(file)));
  // symlinks are not followed out of the tree
  fs::create_directory_symlink("/usr", t.root / "link");
  CHECK_FALSE(find_directory_by_inode(t.root.string(), inode_of("/usr")));
  CHECK_FALSE(find_directory_by_inode((t.root / "missing").string(), inode_of(deep)));
}

TEST_CASE("find_directories_named lists every match, sorted", "[cgroup]") {
  Tree t;
  const std::string a = t.mkdir("system.slice/app.service");
  CHECK(find_directories_named(t.root.string(), "app.service") == std::vector<std::string>{a});
  const std::string b = t.mkdir("user.slice/user-1000.slice/app.service");
  CHECK(find_directories_named(t.root.string(), "app.service") == std::vector<std::string>{a, b});
  CHECK(find_directories_named(t.root.string(), "app").empty());  // exact names only
  CHECK(find_directories_named(t.root.string(), "nothing.service").empty());
  CHECK(find_directories_named((t.root / "missing").string(), "app.service").empty());
  // a trailing slash on the root changes nothing
  CHECK(find_directories_named(t.root.string() + "/", "app.service") == std::vector<std::string>{a, b});
}

TEST_CASE("systemd_unit_name adds .service to a bare name", "[cgroup]") {
  CHECK(systemd_unit_name("nginx") == "nginx.service");
  CHECK(systemd_unit_name("nginx.service") == "nginx.service");
  CHECK(systemd_unit_name("system.slice") == "system.slice");
  CHECK(systemd_unit_name("session-2.scope") == "session-2.scope");
  CHECK(systemd_unit_name("user@1000.service") == "user@1000.service");
  CHECK(systemd_unit_name("my.app") == "my.app.service");
  CHECK(systemd_unit_name(".service") == ".service.service");
}
