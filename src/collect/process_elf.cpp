#include "collect/process_elf.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>

#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace syslat::collect {
namespace {

// libdwfl's standard search ends, when DEBUGINFOD_URLS is set (Debian's
// libdebuginfod-common sets it in login shells), with a debuginfod download:
// up to a minute of network in the middle of a trace, for each stripped
// library. Then only what is on this machine is searched: the build-id tree
// (/usr/lib/debug/.build-id, where -dbgsym packages install).
int find_debuginfo_offline(Dwfl_Module* mod, void** userdata, const char* module_name, Dwarf_Addr base,
                           const char* file_name, const char* debuglink_file, GElf_Word debuglink_crc,
                           char** debuginfo_file_name) {
  const char* urls = std::getenv("DEBUGINFOD_URLS");
  if (urls != nullptr && urls[0] != '\0')
    return dwfl_build_id_find_debuginfo(mod, userdata, module_name, base, file_name, debuglink_file,
                                        debuglink_crc, debuginfo_file_name);
  return dwfl_standard_find_debuginfo(mod, userdata, module_name, base, file_name, debuglink_file, debuglink_crc,
                                      debuginfo_file_name);
}

// Whether `pid` sees the files we see at the paths we see them: the same
// mount namespace and the same root directory.
bool sees_our_files(uint32_t pid) {
  for (const char* entry : {"ns/mnt", "root"}) {
    struct stat ours {}, theirs {};
    if (stat(fmt::format("/proc/self/{}", entry).c_str(), &ours) != 0 ||
        stat(fmt::format("/proc/{}/{}", pid, entry).c_str(), &theirs) != 0 || ours.st_dev != theirs.st_dev ||
        ours.st_ino != theirs.st_ino)
      return false;
  }
  return true;
}

// /proc/PID/map_files/START-END of the mapping that starts at `start`; "" if none.
std::string mapped_file(uint32_t pid, uint64_t start) {
  const std::string dir = fmt::format("/proc/{}/map_files", pid);
  const std::string prefix = fmt::format("{:x}-", start);
  std::string found;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (std::string_view(e->d_name).starts_with(prefix)) {
        found = dir + "/" + e->d_name;
        break;
      }
    }
    closedir(d);
  }
  return found;
}

// The file of a module, as the process itself sees it. The path in its maps
// names a file of *its* mount namespace (a container's), which ours may not
// have, or have with other contents. So: the very file it mapped, through
// /proc/PID/map_files (also when replaced or deleted since; needs
// CAP_SYS_ADMIN), else the path under its own root, /proc/PID/root; the path
// as it is only for a process that sees our files (one gone by now). The
// vDSO is read from the process's memory, as libdwfl does.
int find_process_elf(Dwfl_Module* mod, void** userdata, const char* module_name, Dwarf_Addr base,
                     char** file_name, Elf** elfp) {
  if (module_name[0] != '/') return dwfl_linux_proc_find_elf(mod, userdata, module_name, base, file_name, elfp);
  const auto* owner = static_cast<const ProcessDwfl::Owner*>(*userdata);
  if (owner == nullptr) return -1;
  const std::string own_root = fmt::format("/proc/{}/root{}", owner->pid, module_name);
  std::vector<std::string> candidates = {mapped_file(owner->pid, base), own_root};
  if (owner->sees_our_files) candidates.emplace_back(module_name);
  for (const std::string& path : candidates) {
    // Regular files only: a mapped device could block the open or the read.
    struct stat st {};
    if (path.empty() || stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    // The name libdwfl searches separate debug files next to (.gnu_debuglink):
    // in the process's own directories.
    *file_name = strdup(owner->sees_our_files ? module_name : own_root.c_str());
    return fd;
  }
  return -1;
}

const Dwfl_Callbacks kProcessCallbacks = {
    .find_elf = find_process_elf,
    .find_debuginfo = find_debuginfo_offline,
    .section_address = nullptr,  // only relocatable files (kernel modules) need one
    .debuginfo_path = nullptr,   // the default: ":.debug:/usr/lib/debug"
};

int set_owner(Dwfl_Module*, void** userdata, const char*, Dwarf_Addr, void* owner) {
  *userdata = owner;
  return DWARF_CB_OK;
}

int on_removed(Dwfl_Module*, void*, const char*, Dwarf_Addr, void* removed) {
  *static_cast<bool*>(removed) = true;
  return DWARF_CB_OK;
}

}  // namespace

std::unique_ptr<ProcessDwfl> ProcessDwfl::open(uint32_t pid) {
  // Who it is, before its maps are read: an exec in between shows as a
  // change on the next use, which reads them again.
  auto watch = ProcessWatch::start(pid);
  if (!watch) return nullptr;
  DwflPtr dwfl(dwfl_begin(&kProcessCallbacks));
  if (!dwfl) return nullptr;
  std::unique_ptr<ProcessDwfl> process(new ProcessDwfl(pid, std::move(*watch), std::move(dwfl)));
  bool removed = false;
  if (!process->report(&removed)) return nullptr;
  return process;
}

ProcessDwfl::ProcessDwfl(uint32_t pid, ProcessWatch watch, DwflPtr dwfl)
    : owner_{pid, sees_our_files(pid)}, watch_(std::move(watch)), dwfl_(std::move(dwfl)) {}

ProcessDwfl::~ProcessDwfl() = default;

bool ProcessDwfl::refresh() {
  bool removed = false;
  // A zombie's maps read empty: reported, every module would go.
  std::ifstream maps(fmt::format("/proc/{}/maps", owner_.pid));
  if (maps && maps.peek() != std::ifstream::traits_type::eof()) report(&removed);
  return removed;
}

bool ProcessDwfl::report(bool* removed) {
  dwfl_report_begin(dwfl_.get());
  const int report_rc = dwfl_linux_proc_report(dwfl_.get(), static_cast<pid_t>(owner_.pid));
  // Ended even after a failure: until a report ends no module can be found.
  const int end_rc = dwfl_report_end(dwfl_.get(), on_removed, removed);
  // Each module's file is opened on first use, by find_process_elf: it
  // needs to know whose module it is.
  dwfl_getmodules(dwfl_.get(), set_owner, &owner_, 0);
  return report_rc == 0 && end_rc == 0;
}

}  // namespace syslat::collect
