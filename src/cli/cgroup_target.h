// -c/--cgroup PATH|ID and --unit NAME, resolved at option-parsing time into
// the cgroup v2 directory the BPF side filters on (FilterSpec::cgroup_path),
// and followed by a daemon when that directory is removed and made again.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "util/expected.h"

namespace syslat::cli {

// A cgroup v2 directory, or a cgroup id (what bpf_get_current_cgroup_id()
// and `bpftool cgroup` show: the directory's inode number on cgroup v2).
// Errors are one line naming -c/--cgroup and the accepted form.
util::Expected<std::string> resolve_cgroup_option(const std::string& value);

// A systemd unit (a name without a unit suffix means NAME.service): its
// ControlGroup from systemd when systemd runs, else the one directory of that
// name under the cgroup2 mount. Errors are one line naming --unit.
util::Expected<std::string> resolve_unit_option(const std::string& value);

// The cgroup of -c PATH, -c ID or --unit NAME, looked at once per poll by
// a daemon: systemd removes a unit's cgroup and makes a new one when it
// restarts the unit, and a filter on the removed one counts nothing. A path
// (for --unit, the unit's cgroup path, found again when it moved) can be
// followed to the new directory; an id names one directory for good.
class CgroupTarget {
 public:
  enum class Kind { Path, Id, Unit };
  struct Place {
    std::string path;
    ino_t ino = 0;  // the cgroup id: the same path with another inode is another cgroup
  };

  // The -c value (a path or an id) or the unit name (with its suffix), and
  // the directory it resolved to, now in force.
  static CgroupTarget from_cgroup_option(const std::string& value, std::string dir);
  static CgroupTarget from_unit_option(const std::string& unit, std::string dir);

  // Where the target is now: nullopt when no cgroup v2 directory is there.
  std::optional<Place> look() const;
  // `now` (from look()) is the directory in force.
  bool in_force(const std::optional<Place>& now) const { return now && present_ && now->ino == in_force_.ino; }
  bool present() const { return present_; }
  bool can_follow() const { return kind_ != Kind::Id; }
  void set_gone() { present_ = false; }
  void set_in_force(Place now);

  // One line each for stderr (without the program name).
  std::string gone_message() const;
  std::string back_message() const;

 private:
  CgroupTarget(Kind kind, std::string given, std::string dir);

  Kind kind_;
  std::string given_;
  Place in_force_;
  bool present_ = true;
};

}  // namespace syslat::cli
