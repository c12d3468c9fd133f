#include "collect/stack_symbolizer.h"

#include <elfutils/libdwfl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collect/process_elf.h"
#include "collect/source_lines.h"

namespace syslat::collect {
namespace {

std::string hex(uint64_t addr) { return fmt::format("{:#x}", addr); }

// Every frame but the first is a return address: the call it returns from is
// just before it, and may be the last instruction of its function.
uint64_t lookup_address(size_t frame, uint64_t ip) { return frame > 0 && ip > 0 ? ip - 1 : ip; }

// The module's path as /proc/PID/maps shows it; libdwfl calls the vDSO
// "[vdso: PID]", the maps "[vdso]".
std::string module_label(Dwfl_Module* module) {
  const char* name = dwfl_module_info(module, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
  if (name == nullptr) return "?";
  if (std::string_view(name).starts_with("[vdso")) return "[vdso]";
  return name;
}

// Lowercase hex of the module's ELF build ID; "" when it has none.
std::string build_id_hex(Dwfl_Module* module) {
  Dwarf_Addr bias = 0;
  if (dwfl_module_getelf(module, &bias) == nullptr) return "";  // the ID is read from the file
  const unsigned char* bits = nullptr;
  GElf_Addr vaddr = 0;
  const int len = dwfl_module_build_id(module, &bits, &vaddr);
  std::string hex_id;
  for (int i = 0; i < len; ++i) hex_id += fmt::format("{:02x}", bits[i]);
  return hex_id;
}

// One line of /proc/PID/maps that maps a file (or the vDSO).
struct Mapping {
  uint64_t start = 0, end = 0, file_offset = 0;
  bool executable = false;  // 'x' in its permissions: code can run from it
};

// The process's file mappings, sorted by address; empty when it is gone.
std::vector<Mapping> read_mappings(uint32_t pid) {
  std::vector<Mapping> mappings;
  std::ifstream maps(fmt::format("/proc/{}/maps", pid));
  std::string line;
  while (std::getline(maps, line)) {
    Mapping m;
    char perms[8] = {};
    int path_at = 0;
    if (std::sscanf(line.c_str(), "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %*s %n", &m.start, &m.end, perms,
                    &m.file_offset, &path_at) < 4)
      continue;
    m.executable = perms[2] == 'x';
    if (path_at > 0 && static_cast<size_t>(path_at) < line.size()) mappings.push_back(m);
  }
  std::sort(mappings.begin(), mappings.end(), [](const Mapping& a, const Mapping& b) { return a.start < b.start; });
  return mappings;
}

}  // namespace

// One process's address space as libdwfl knows it: the modules of its maps,
// each module's ELF file opened on first use and kept open until the end.
class StackSymbolizer::ProcessModules {
 public:
  // nullptr when the process is gone (or its maps cannot be read).
  static std::unique_ptr<ProcessModules> open(uint32_t pid) {
    auto process = ProcessDwfl::open(pid);
    if (!process) return nullptr;
    std::unique_ptr<ProcessModules> modules(new ProcessModules(std::move(process)));
    modules->mappings_ = read_mappings(pid);
    return modules;
  }

  // Another process now has the PID, or the process exec'd another
  // program: nothing known of it holds. One that is gone keeps what was
  // known (its last events still get names).
  bool replaced() const { return process_->replaced(); }

  // Each module's ELF file opened now (libdwfl opens them on first use).
  void open_files() {
    dwfl_getmodules(process_->dwfl(), &ProcessModules::open_file, nullptr, 0);
  }

  static int open_file(Dwfl_Module* module, void**, const char*, Dwarf_Addr, void*) {
    Dwarf_Addr bias = 0;
    dwfl_module_getelf(module, &bias);
    return DWARF_CB_OK;
  }

  // Re-reads the maps (something was dlopen()ed since); see ProcessDwfl::refresh.
  void refresh() {
    if (process_->refresh()) named_.clear();  // a module is gone: what was named may now be something else
    if (auto mappings = read_mappings(process_->pid()); !mappings.empty()) mappings_ = std::move(mappings);
  }

  // The frame; nullopt when no module maps the address.
  std::optional<core::SymbolizedFrame> frame(uint64_t ip, uint64_t lookup, SharedLines& shared_lines) {
    // User addresses leave the top bit free for "looked up at ip-1".
    const uint64_t key = ip | (lookup != ip ? uint64_t{1} << 63 : 0);
    if (auto it = named_.find(key); it != named_.end()) return it->second;
    // In no code the maps show: a frame-pointer walk that read data as a
    // return address (libdwfl would still name some module, or a variable, for it).
    if (!mappings_.empty()) {
      const Mapping* holder = mapping_of(lookup);
      if (holder == nullptr || !holder->executable) return std::nullopt;
    }
    Dwfl_Module* module = dwfl_addrmodule(process_->dwfl(), lookup);
    if (module == nullptr) return std::nullopt;
    if (named_.size() >= kMaxNamedFrames) named_.clear();
    return named_.emplace(key, name_frame(module, ip, lookup, shared_lines)).first->second;
  }


 private:
  explicit ProcessModules(std::unique_ptr<ProcessDwfl> process) : process_(std::move(process)) {}

  // The file mapping (read with the last report) that holds addr; nullptr: none.
  const Mapping* mapping_of(uint64_t addr) const {
    const auto holder = std::upper_bound(mappings_.begin(), mappings_.end(), addr,
                                         [](uint64_t a, const Mapping& m) { return a < m.start; });
    return holder != mappings_.begin() && addr < std::prev(holder)->end ? &*std::prev(holder) : nullptr;
  }

  core::SymbolizedFrame name_frame(Dwfl_Module* module, uint64_t ip, uint64_t lookup, SharedLines& shared_lines) const {
    core::SymbolizedFrame frame;
    frame.address = ip;
    core::FrameModule& mapped = frame.module.emplace();
    mapped.path = module_label(module);
    mapped.build_id = build_id_hex(module);
    // The mapping that holds the address (pprof's Mapping: an address's
    // offset in the file is address - start + file_offset); libdwfl's whole
    // module if the maps read with the report do not show it.
    const Mapping* holder = mapping_of(lookup);
    const bool in_maps = holder != nullptr;
    if (in_maps) {
      mapped.start = holder->start;
      mapped.limit = holder->end;
      mapped.file_offset = holder->file_offset;
    } else {
      Dwarf_Addr start = 0, end = 0;
      dwfl_module_info(module, nullptr, &start, &end, nullptr, nullptr, nullptr, nullptr);
      mapped.start = start;
      mapped.limit = end;
    }
    // ELF symbol tables (.symtab, else .dynsym), then DWARF's lines.
    GElf_Off offset = 0;
    GElf_Sym sym;
    const char* name = dwfl_module_addrinfo(module, lookup, &offset, &sym, nullptr, nullptr, nullptr);
    if (name != nullptr && name[0] != '\0') {
      frame.symbol = demangle(name);
      frame.symbol_offset = offset + (ip - lookup);
    }
    frame.lines = in_maps ? lines_of(module, lookup, mapped, shared_lines) : source_lines(module, lookup);
    // A line but no function and no symbol (padding after a function, which
    // the line table runs over): the module's path says more.
    if (frame.symbol.empty() && frame.lines.size() == 1 && frame.lines[0].function.empty()) frame.lines.clear();
    return frame;
  }

  // The source lines, from the files already read when another process
  // maps the same file (by build ID, at the same offset in it), else from
  // this module's DWARF.
  static std::vector<core::SourceLine> lines_of(Dwfl_Module* module, uint64_t lookup, const core::FrameModule& mapped,
                                                SharedLines& shared_lines) {
    if (mapped.build_id.empty()) return source_lines(module, lookup);
    std::string key = fmt::format("{}@{:x}", mapped.build_id, lookup - mapped.start + mapped.file_offset);
    if (auto it = shared_lines.find(key); it != shared_lines.end()) return it->second;
    if (shared_lines.size() >= kMaxSharedLines) shared_lines.clear();
    return shared_lines.emplace(std::move(key), source_lines(module, lookup)).first->second;
  }

  // Frames named so far. Stacks repeat, and each libdwfl lookup scans the
  // module's whole symbol table (about 50 us in libstdc++ here), and the
  // DWARF lookup walks the DIEs of the address's compilation unit.
  static constexpr size_t kMaxNamedFrames = 4096;
  std::unordered_map<uint64_t, core::SymbolizedFrame> named_;
  std::vector<Mapping> mappings_;  // read with each report of the modules
  std::unique_ptr<ProcessDwfl> process_;
};

StackSymbolizer::StackSymbolizer() = default;
StackSymbolizer::~StackSymbolizer() = default;
StackSymbolizer::StackSymbolizer(StackSymbolizer&&) noexcept = default;
StackSymbolizer& StackSymbolizer::operator=(StackSymbolizer&&) noexcept = default;

StackSymbolizer::ProcessModules* StackSymbolizer::modules_of(uint32_t pid, bool& just_read) {
  return processes_.get(pid, &just_read);
}

std::vector<core::SymbolizedFrame> StackSymbolizer::user_frames(uint32_t pid, std::span<const uint64_t> ips) {
  std::vector<core::SymbolizedFrame> frames;
  frames.reserve(ips.size());
  bool maps_read = false;  // at most one read of the maps per call
  ProcessModules* modules = ips.empty() ? nullptr : modules_of(pid, maps_read);
  for (size_t i = 0; i < ips.size(); ++i) {
    const uint64_t ip = ips[i];
    const uint64_t lookup = lookup_address(i, ip);
    std::optional<core::SymbolizedFrame> frame = modules ? modules->frame(ip, lookup, shared_lines_) : std::nullopt;
    if (!frame && modules != nullptr && !maps_read) {
      maps_read = true;
      modules->refresh();
      frame = modules->frame(ip, lookup, shared_lines_);
    }
    if (!frame) {
      frame.emplace();
      frame->address = ip;
    }
    frames.push_back(std::move(*frame));
  }
  return frames;
}

std::vector<std::string> StackSymbolizer::user_stack(uint32_t pid, std::span<const uint64_t> ips) {
  std::vector<std::string> texts;
  texts.reserve(ips.size());
  for (const core::SymbolizedFrame& frame : user_frames(pid, ips)) {
    for (std::string& text : core::frame_texts(frame)) texts.push_back(std::move(text));
  }
  return texts;
}

std::vector<std::string> StackSymbolizer::kernel_stack(std::span<const uint64_t> ips) {
  if (!kernel_) kernel_ = KernelSymbols::load();
  std::vector<std::string> frames;
  frames.reserve(ips.size());
  for (size_t i = 0; i < ips.size(); ++i) {
    const uint64_t ip = ips[i];
    const uint64_t lookup = lookup_address(i, ip);
    const auto symbol = kernel_->find(lookup);
    if (!symbol) {
      frames.push_back(hex(ip));
      continue;
    }
    // The BPF side skips its own program and bpf_trace_run; a tracepoint
    // with more than one probe attached (another tracer on sched_switch)
    // also calls through its iterator: not where the call waited either.
    if (frames.empty() && symbol->name.starts_with("__traceiter_")) continue;
    std::string frame = fmt::format("{}+{:#x}", symbol->name, symbol->offset + (ip - lookup));
    if (!symbol->module.empty()) frame += fmt::format(" [{}]", symbol->module);
    frames.push_back(std::move(frame));
  }
  return frames;
}

void StackSymbolizer::forget(uint32_t pid) { processes_.forget(pid); }

void StackSymbolizer::pin(uint32_t pid) {
  bool just_read = false;
  ProcessModules* modules = modules_of(pid, just_read);
  if (modules == nullptr) return;
  // Libraries mapped since the first look (the loader maps libc after execve returns).
  if (!just_read) modules->refresh();
  modules->open_files();
}

}  // namespace syslat::collect
