#include "collect/user_unwinder.h"

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <unordered_set>

#include "collect/process_elf.h"

namespace syslat::collect {
namespace {

// x86_64 DWARF register numbers (the psABI's table).
constexpr int kDwarfRbp = 6;
constexpr int kDwarfRsp = 7;

// Whether the module's CFI (.eh_frame, else .debug_frame) covers `addr`.
bool covers(Dwarf_CFI* cfi, Dwarf_Addr bias, uint64_t addr) {
  Dwarf_Frame* frame = nullptr;
  if (cfi == nullptr || dwarf_cfi_addrframe(cfi, addr - bias, &frame) != 0) return false;
  std::free(frame);
  return true;
}

bool has_cfi(Dwfl_Module* module, uint64_t addr) {
  Dwarf_Addr bias = 0;
  if (Dwarf_CFI* eh = dwfl_module_eh_cfi(module, &bias); covers(eh, bias, addr)) return true;
  Dwarf_CFI* debug = dwfl_module_dwarf_cfi(module, &bias);
  return covers(debug, bias, addr);
}

}  // namespace

// One process's modules, with libdwfl's unwinder attached to them. libdwfl
// keeps the attached state (its callbacks and their argument) for the Dwfl's
// life and allows one attach per Dwfl; but every dwfl_getthread_frames builds
// the thread and its frames anew (set_initial_registers, then one unwind step
// per frame, nothing kept past the call: elfutils' libdwfl/dwfl_frame.c), so
// the callbacks read the stack of the call under way, which unwind() sets in
// `current_` first.
class UserUnwinder::ProcessUnwind {
 public:
  // nullptr when the process is gone (or its maps cannot be read).
  static std::unique_ptr<ProcessUnwind> open(uint32_t pid) {
    auto process = ProcessDwfl::open(pid);
    if (!process) return nullptr;
    return std::unique_ptr<ProcessUnwind>(new ProcessUnwind(std::move(process)));
  }

  bool replaced() const { return process_->replaced(); }

  std::vector<uint64_t> unwind(const UserRegs& regs, std::span<const uint8_t> stack, size_t max_frames,
                               size_t& bytes_read) {
    current_ = Capture{&regs, stack, 0};
    std::vector<uint64_t> ips;
    // At most one re-read of the maps per stack, and none for an address
    // that was in no module after the last re-read (code not from a file: a
    // JIT's) until the maps are re-read for another.
    Walk walk{this, &ips, max_frames, 0};
    if (attach()) {
      walk_frames(walk);
      if (walk.unmapped != 0 && !still_unmapped_.contains(walk.unmapped)) {
        const uint64_t missing = walk.unmapped;
        refresh();
        ips.clear();
        walk.unmapped = 0;
        walk_frames(walk);
        if (walk.unmapped == missing && still_unmapped_.size() < kMaxRemembered) still_unmapped_.insert(missing);
      }
    }
    if (ips.empty() && max_frames > 0) ips.push_back(regs.ip);
    bytes_read = current_.bytes_read;
    current_ = Capture{};
    return ips;
  }


 private:
  explicit ProcessUnwind(std::unique_ptr<ProcessDwfl> process) : process_(std::move(process)) {}

  // The stack being unwound: what the callbacks read.
  struct Capture {
    const UserRegs* regs = nullptr;
    std::span<const uint8_t> stack;
    size_t bytes_read = 0;  // the end of the highest word read, from sp
  };

  struct Walk {
    ProcessUnwind* self;
    std::vector<uint64_t>* ips;
    size_t max_frames;
    uint64_t unmapped;  // a pc in no module, where the walk stopped; 0 if none
  };

  void walk_frames(Walk& walk) {
    if (walk.max_frames == 0) return;
    // Ends on its own where the CFI says the return address is undefined
    // (_start), where a read falls outside the copy, or where a step fails;
    // on_frame ends it at max_frames, at a pc in no module or with no CFI.
    dwfl_getthread_frames(process_->dwfl(), static_cast<pid_t>(process_->pid()), on_frame, &walk);
  }

  static int on_frame(Dwfl_Frame* frame, void* arg) {
    auto& walk = *static_cast<Walk*>(arg);
    Dwarf_Addr pc = 0;
    // Not asked whether the frame is an activation (dwfl_frame_pc's
    // isactivation): libdwfl would unwind the next frame to tell, guessing
    // from rbp where there is no CFI, before this frame is checked below.
    if (!dwfl_frame_pc(frame, &pc, nullptr)) return DWARF_CB_ABORT;
    const bool first = walk.ips->empty();
    walk.ips->push_back(pc);
    if (walk.ips->size() >= walk.max_frames) return DWARF_CB_ABORT;
    // A return address's call is the instruction before it, and may be the
    // last of its function (a call to a noreturn function): its CFI is that
    // of pc-1. The first frame is exact. (So is a frame a signal
    // interrupted, whose pc-1 is then looked at for CFI alone: the same
    // function's unless the pc is its first byte.)
    const uint64_t lookup = first || pc == 0 ? pc : pc - 1;
    if (!walk.self->unwinds_from(lookup)) {
      if (dwfl_addrmodule(walk.self->process_->dwfl(), lookup) == nullptr) walk.unmapped = pc;
      return DWARF_CB_ABORT;
    }
    return DWARF_CB_OK;
  }

  // Whether the frame at `addr` can be unwound from CFI. Where there is
  // none, libdwfl's x86_64 backend would guess from rbp, which in code built
  // without frame pointers is any value: the walk stops there instead.
  // Answers are kept per address (stacks repeat; each look costs an FDE
  // search and a run of its CFI program).
  bool unwinds_from(uint64_t addr) {
    if (auto it = cfi_known_.find(addr); it != cfi_known_.end()) return it->second;
    Dwfl_Module* module = dwfl_addrmodule(process_->dwfl(), addr);
    const bool found = module != nullptr && has_cfi(module, addr);
    if (module == nullptr) return false;  // not kept: the maps may be re-read
    if (cfi_known_.size() >= kMaxRemembered) cfi_known_.clear();
    cfi_known_.emplace(addr, found);
    return found;
  }

  void refresh() {
    if (process_->refresh()) cfi_known_.clear();
    still_unmapped_.clear();
  }

  // Once per Dwfl (libdwfl refuses a second attach). The architecture comes
  // from an ELF header of our own (x86_64), not from one of the process's
  // modules: libdwfl would keep using that module's backend after a re-read
  // of the maps dropped the module, and could attach to no process whose
  // files it cannot open.
  bool attach() {
    if (attached_) return true;
    if (!arch_) {
      elf_version(EV_CURRENT);
      arch_header_.e_ident[EI_MAG0] = ELFMAG0;
      arch_header_.e_ident[EI_MAG1] = ELFMAG1;
      arch_header_.e_ident[EI_MAG2] = ELFMAG2;
      arch_header_.e_ident[EI_MAG3] = ELFMAG3;
      arch_header_.e_ident[EI_CLASS] = ELFCLASS64;
      arch_header_.e_ident[EI_DATA] = ELFDATA2LSB;
      arch_header_.e_ident[EI_VERSION] = EV_CURRENT;
      arch_header_.e_type = ET_EXEC;
      arch_header_.e_machine = EM_X86_64;
      arch_header_.e_version = EV_CURRENT;
      arch_header_.e_ehsize = sizeof(arch_header_);
      arch_.reset(elf_memory(reinterpret_cast<char*>(&arch_header_), sizeof(arch_header_)));
      if (!arch_) return false;
    }
    attached_ = dwfl_attach_state(process_->dwfl(), arch_.get(), static_cast<pid_t>(process_->pid()), &kCallbacks,
                                  &current_);
    return attached_;
  }

  // The one thread: the stack under way, whatever the TID.
  static pid_t next_thread(Dwfl* dwfl, void* dwfl_arg, void** thread_argp) {
    // Only dwfl_getthreads calls it (get_thread answers dwfl_getthread_frames):
    // no list of threads to give.
    (void)dwfl;
    (void)dwfl_arg;
    (void)thread_argp;
    return 0;
  }

  static bool get_thread(Dwfl*, pid_t, void* dwfl_arg, void** thread_argp) {
    *thread_argp = dwfl_arg;
    return true;
  }

  // Words of the copy only: an address outside it is unknown.
  static bool memory_read(Dwfl*, Dwarf_Addr addr, Dwarf_Word* result, void* dwfl_arg) {
    auto& capture = *static_cast<Capture*>(dwfl_arg);
    if (capture.regs == nullptr || addr < capture.regs->sp) return false;
    const uint64_t offset = addr - capture.regs->sp;
    if (offset > capture.stack.size() || capture.stack.size() - offset < sizeof(Dwarf_Word)) return false;
    std::memcpy(result, capture.stack.data() + offset, sizeof(Dwarf_Word));
    capture.bytes_read = std::max<size_t>(capture.bytes_read, offset + sizeof(Dwarf_Word));
    return true;
  }

  static bool set_initial_registers(Dwfl_Thread* thread, void* thread_arg) {
    const auto& capture = *static_cast<Capture*>(thread_arg);
    if (capture.regs == nullptr) return false;
    const Dwarf_Word bp_sp[2] = {capture.regs->bp, capture.regs->sp};
    static_assert(kDwarfRsp == kDwarfRbp + 1);
    if (!dwfl_thread_state_registers(thread, kDwarfRbp, 2, bp_sp)) return false;
    dwfl_thread_state_register_pc(thread, capture.regs->ip);
    return true;
  }

  static constexpr Dwfl_Thread_Callbacks kCallbacks = {
      .next_thread = next_thread,
      .get_thread = get_thread,
      .memory_read = memory_read,
      .set_initial_registers = set_initial_registers,
      .detach = nullptr,
      .thread_detach = nullptr,
  };

  static constexpr size_t kMaxRemembered = 4096;
  std::unordered_map<uint64_t, bool> cfi_known_;  // address -> CFI covers it
  std::unordered_set<uint64_t> still_unmapped_;  // pcs in no module after the last re-read
  Capture current_;                              // read by the callbacks
  bool attached_ = false;
  struct ElfDeleter {
    void operator()(Elf* elf) const { elf_end(elf); }
  };
  Elf64_Ehdr arch_header_{};               // the architecture libdwfl unwinds for
  std::unique_ptr<Elf, ElfDeleter> arch_;  // over arch_header_, kept while the Dwfl lives
  std::unique_ptr<ProcessDwfl> process_;  // last: its Dwfl goes before what its callbacks use
};

UserUnwinder::UserUnwinder() = default;
UserUnwinder::~UserUnwinder() = default;
UserUnwinder::UserUnwinder(UserUnwinder&&) noexcept = default;
UserUnwinder& UserUnwinder::operator=(UserUnwinder&&) noexcept = default;

UserUnwinder::ProcessUnwind* UserUnwinder::process_of(uint32_t pid) { return processes_.get(pid); }

std::vector<uint64_t> UserUnwinder::unwind(uint32_t pid, const UserRegs& regs, std::span<const uint8_t> stack,
                                           size_t max_frames) {
  last_bytes_read_ = 0;
  if (max_frames == 0) return {};
  ProcessUnwind* process = process_of(pid);
  if (process == nullptr) return {regs.ip};
  return process->unwind(regs, stack, max_frames, last_bytes_read_);
}

void UserUnwinder::forget(uint32_t pid) { processes_.forget(pid); }

}  // namespace syslat::collect
