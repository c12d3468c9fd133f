// -c/--cgroup PATH|ID and --unit NAME, resolved at option-parsing time into
// the cgroup v2 directory the BPF side filters on (FilterSpec::cgroup_path).
#pragma once

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

}  // namespace syslat::cli
