#include "collect/stack_symbolizer.h"

#include <cxxabi.h>
#include <elfutils/libdwfl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collect/process_elf.h"

namespace syslat::collect {
namespace {

std::string hex(uint64_t addr) { return fmt::format("{:#x}", addr); }

// Every frame but the first is a return address: the call it returns from is
// just before it, and may be the last instruction of its function.
uint64_t lookup_address(size_t frame, uint64_t ip) { return frame > 0 && ip > 0 ? ip - 1 : ip; }

std::string demangle(const char* name) {
  if (name[0] != '_' || name[1] != 'Z') return name;
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> plain(abi::__cxa_demangle(name, nullptr, nullptr, &status),
                                                    &std::free);
  return status == 0 && plain ? std::string(plain.get()) : std::string(name);
}

// The module's path as /proc/PID/maps shows it; libdwfl calls the vDSO
// "[vdso: PID]", the maps "[vdso]".
std::string module_label(Dwfl_Module* module) {
  const char* name = dwfl_module_info(module, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
  if (name == nullptr) return "?";
  if (std::string_view(name).starts_with("[vdso")) return "[vdso]";
  return name;
}

// ELF symbol tables only (.symtab, else .dynsym): no DWARF, no line numbers.
std::string user_frame(Dwfl_Module* module, uint64_t ip, uint64_t lookup) {
  GElf_Off offset = 0;
  GElf_Sym sym;
  const char* name = dwfl_module_addrinfo(module, lookup, &offset, &sym, nullptr, nullptr, nullptr);
  if (name != nullptr && name[0] != '\0')
    return fmt::format("{}+{:#x} ({})", demangle(name), offset + (ip - lookup), module_label(module));
  return fmt::format("{:#x} ({})", ip, module_label(module));
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
    return std::unique_ptr<ProcessModules>(new ProcessModules(std::move(process)));
  }

  // Another process now has the PID, or the process exec'd another
  // program: nothing known of it holds. One that is gone keeps what was
  // known (its last events still get names).
  bool replaced() const { return process_->replaced(); }

  // Re-reads the maps (something was dlopen()ed since). A module gone
  // (dlclose): what was named may now be something else.
  void refresh() {
    if (process_->refresh()) named_.clear();
  }

  // The frame's text; nullopt when no module maps the address.
  std::optional<std::string> frame(uint64_t ip, uint64_t lookup) {
    // User addresses leave the top bit free for "looked up at ip-1".
    const uint64_t key = ip | (lookup != ip ? uint64_t{1} << 63 : 0);
    if (auto it = named_.find(key); it != named_.end()) return it->second;
    Dwfl_Module* module = dwfl_addrmodule(process_->dwfl(), lookup);
    if (module == nullptr) return std::nullopt;
    if (named_.size() >= kMaxNamedFrames) named_.clear();
    return named_.emplace(key, user_frame(module, ip, lookup)).first->second;
  }

  uint64_t last_used = 0;

 private:
  explicit ProcessModules(std::unique_ptr<ProcessDwfl> process) : process_(std::move(process)) {}

  // Frames named so far. Stacks repeat, and each libdwfl lookup scans the
  // module's whole symbol table (about 50 us in libstdc++ here).
  static constexpr size_t kMaxNamedFrames = 4096;
  std::unordered_map<uint64_t, std::string> named_;
  std::unique_ptr<ProcessDwfl> process_;
};

StackSymbolizer::StackSymbolizer() = default;
StackSymbolizer::~StackSymbolizer() = default;
StackSymbolizer::StackSymbolizer(StackSymbolizer&&) noexcept = default;
StackSymbolizer& StackSymbolizer::operator=(StackSymbolizer&&) noexcept = default;

StackSymbolizer::ProcessModules* StackSymbolizer::modules_of(uint32_t pid, bool& just_read) {
  just_read = false;
  auto it = processes_.find(pid);
  if (it != processes_.end() && it->second->replaced()) {
    processes_.erase(it);
    it = processes_.end();
  }
  if (it == processes_.end()) {
    auto modules = ProcessModules::open(pid);
    if (!modules) return nullptr;
    just_read = true;
    if (processes_.size() >= kMaxCachedProcesses) {
      processes_.erase(std::min_element(processes_.begin(), processes_.end(), [](const auto& a, const auto& b) {
        return a.second->last_used < b.second->last_used;
      }));
    }
    it = processes_.emplace(pid, std::move(modules)).first;
  }
  it->second->last_used = ++calls_;
  return it->second.get();
}

std::vector<std::string> StackSymbolizer::user_stack(uint32_t pid, std::span<const uint64_t> ips) {
  std::vector<std::string> frames;
  frames.reserve(ips.size());
  bool maps_read = false;  // at most one read of the maps per call
  ProcessModules* modules = ips.empty() ? nullptr : modules_of(pid, maps_read);
  for (size_t i = 0; i < ips.size(); ++i) {
    const uint64_t ip = ips[i];
    const uint64_t lookup = lookup_address(i, ip);
    std::optional<std::string> frame = modules ? modules->frame(ip, lookup) : std::nullopt;
    if (!frame && modules != nullptr && !maps_read) {
      maps_read = true;
      modules->refresh();
      frame = modules->frame(ip, lookup);
    }
    frames.push_back(frame ? std::move(*frame) : hex(ip));
  }
  return frames;
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

void StackSymbolizer::forget(uint32_t pid) { processes_.erase(pid); }

}  // namespace syslat::collect
