// A process's modules as elfutils libdwfl sees them, shared by the stack
// symbolizer (names of user frames) and the user unwinder (frames from a
// copied stack): the modules of /proc/PID/maps, each module's file read as
// the process itself sees it (/proc/PID/map_files, else /proc/PID/root), so
// that a process in another mount namespace (a container) is read from its
// own files; separate debug files from this machine only (no debuginfod).
// Not thread-safe.
#pragma once

#include <elfutils/libdwfl.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <unordered_map>

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

// Per-process sessions (a T with `static std::unique_ptr<T> open(uint32_t
// pid)` and `bool replaced() const`), at most `Max` of them, the least
// recently used dropped first: each holds a process's module files open. One
// whose PID another process took, or that exec'd, is opened afresh.
template <class T, size_t Max>
class ProcessCache {
 public:

  // nullptr when the process cannot be opened (gone). `opened`: just now.
  T* get(uint32_t pid, bool* opened = nullptr) {
    if (opened) *opened = false;
    auto it = entries_.find(pid);
    if (it != entries_.end() && it->second.value->replaced()) {
      entries_.erase(it);
      it = entries_.end();
    }
    if (it == entries_.end()) {
      auto value = T::open(pid);
      if (!value) return nullptr;
      if (opened) *opened = true;
      if (entries_.size() >= Max) {
        entries_.erase(std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
          return a.second.last_used < b.second.last_used;
        }));
      }
      it = entries_.emplace(pid, Entry{std::move(value), 0}).first;
    }
    it->second.last_used = ++clock_;
    return it->second.value.get();
  }

  void forget(uint32_t pid) { entries_.erase(pid); }

 private:
  struct Entry {
    std::unique_ptr<T> value;
    uint64_t last_used = 0;
  };
  std::unordered_map<uint32_t, Entry> entries_;
  uint64_t clock_ = 0;  // of least-recently-used eviction
};

}  // namespace syslat::collect
