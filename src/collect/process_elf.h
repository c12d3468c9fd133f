// A process's modules as elfutils libdwfl sees them, shared by the stack
// symbolizer (names of user frames) and the user unwinder (frames from a
// copied stack): the modules of /proc/PID/maps, each module's file read as
// the process itself sees it (/proc/PID/map_files, else /proc/PID/root), so
// that a process in another mount namespace (a container) is read from its
// own files; separate debug files from this machine only (no debuginfod).
// Not thread-safe.
#pragma once

#include <elfutils/libdwfl.h>

#include <cstdint>
#include <memory>

#include "collect/process_watch.h"

namespace syslat::collect {

struct DwflDeleter {
  void operator()(Dwfl* dwfl) const { dwfl_end(dwfl); }
};
using DwflPtr = std::unique_ptr<Dwfl, DwflDeleter>;

// One process's libdwfl session: a Dwfl with the modules of its maps, each
// module's ELF file opened on first use and kept open until the end.
class ProcessDwfl {
 public:
  // nullptr when the process is gone (or its maps cannot be read).
  static std::unique_ptr<ProcessDwfl> open(uint32_t pid);
  ~ProcessDwfl();
  ProcessDwfl(const ProcessDwfl&) = delete;
  ProcessDwfl& operator=(const ProcessDwfl&) = delete;

  Dwfl* dwfl() const { return dwfl_.get(); }
  uint32_t pid() const { return owner_.pid; }

  // Another process now has the PID, or the process exec'd another
  // program: nothing known of it holds. One that is gone keeps what was
  // known (its last events still get names).
  bool replaced() const { return watch_.replaced(); }

  // Re-reads the maps (something was dlopen()ed since). Modules still mapped
  // where they were are kept by libdwfl with their files open, so this costs
  // little more than reading the maps. A process that is gone keeps what was
  // known. True when a module went away (dlclose): what was learned of its
  // addresses may now be wrong.
  bool refresh();

  // Whose module a libdwfl module is (its userdata, set after each report).
  struct Owner {
    uint32_t pid = 0;
    bool sees_our_files = false;  // our mount namespace and root: its paths name our files
  };

 private:
  ProcessDwfl(uint32_t pid, ProcessWatch watch, DwflPtr dwfl);
  bool report(bool* removed);

  Owner owner_;
  ProcessWatch watch_;
  DwflPtr dwfl_;
};

}  // namespace syslat::collect
