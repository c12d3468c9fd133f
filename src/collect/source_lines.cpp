#include "collect/source_lines.h"

#include <cxxabi.h>
#include <dwarf.h>
#include <elfutils/libdw.h>

#include <cstdlib>
#include <memory>

namespace syslat::collect {
namespace {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

// Appends to `path` the DIEs under `parent` whose code holds `pc`, outermost
// first (the subprogram, its lexical blocks, the subroutines inlined into
// it, ...); true when it found any. One walk of the unit that descends only
// where the address is, instead of dwarf_getscopes (which continues an
// inlined subroutine with its abstract definition's scopes) followed by
// dwarf_getscopes_die (a second walk for the DIEs' parents). It looks where
// dwarf_getscopes does: into namespaces and types too (clang nests
// functions' code in their namespace).
bool find_path(Dwarf_Die* parent, Dwarf_Addr pc, std::vector<Dwarf_Die>& path, int depth = 0) {
  Dwarf_Die child;
  if (depth > 64 || dwarf_child(parent, &child) != 0) return false;
  do {
    switch (dwarf_tag(&child)) {
      case DW_TAG_subprogram:
      case DW_TAG_inlined_subroutine:
      case DW_TAG_lexical_block:
      case DW_TAG_try_block:
      case DW_TAG_catch_block:
      case DW_TAG_entry_point:
      case DW_TAG_with_stmt:
        if (dwarf_haspc(&child, pc) > 0) {
          path.push_back(child);
          find_path(&child, pc, path, depth + 1);
          return true;
        }
        break;
      case DW_TAG_namespace:
      case DW_TAG_module:
      case DW_TAG_class_type:
      case DW_TAG_structure_type:
        if (find_path(&child, pc, path, depth + 1)) return true;
        break;
      default:
        break;
    }
  } while (dwarf_siblingof(&child, &child) == 0);
  return false;
}

// A C++ function's linkage name, demangled, says it in full (as its ELF
// symbol does); other names as DW_AT_name has them (a C function's linkage
// name is only an asm label, glibc's "__GI___libc_read" for __libc_read).
// Both may sit on the declaration or the abstract instance the DIE points to.
std::string function_name(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  for (const unsigned name : {DW_AT_linkage_name, DW_AT_MIPS_linkage_name}) {
    const char* linkage = dwarf_formstring(dwarf_attr_integrate(die, name, &attr));
    if (linkage != nullptr && linkage[0] == '_' && linkage[1] == 'Z') return demangle(linkage);
  }
  const char* name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
  return name != nullptr ? name : "";
}

// Where an inlined subroutine was called from: a position in the function it was inlined into.
core::SourceLine call_site(Dwarf_Die* inlined, Dwarf_Files* files) {
  core::SourceLine site;
  Dwarf_Attribute attr;
  Dwarf_Word value = 0;
  if (files != nullptr && dwarf_formudata(dwarf_attr(inlined, DW_AT_call_file, &attr), &value) == 0) {
    if (const char* file = dwarf_filesrc(files, value, nullptr, nullptr)) site.file = file;
  }
  if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_line, &attr), &value) == 0)
    site.line = static_cast<uint32_t>(value);
  return site;
}

}  // namespace

std::string demangle(const char* name) {
  if (name[0] != '_' || name[1] != 'Z') return name;
  int status = 0;
  std::unique_ptr<char, FreeDeleter> plain(abi::__cxa_demangle(name, nullptr, nullptr, &status));
  return status == 0 && plain ? std::string(plain.get()) : std::string(name);
}

std::vector<core::SourceLine> source_lines(Dwfl_Module* module, uint64_t address) {
  Dwarf_Addr bias = 0;
  Dwarf_Die* cu = dwfl_module_addrdie(module, address, &bias);
  if (cu == nullptr) return {};
  core::SourceLine at;  // the position the next function out is at
  if (Dwfl_Line* line = dwfl_module_getsrc(module, address)) {
    int line_number = 0;
    const char* file = dwfl_lineinfo(line, nullptr, &line_number, nullptr, nullptr, nullptr);
    if (file != nullptr) at.file = file;
    at.line = line_number > 0 ? static_cast<uint32_t>(line_number) : 0;
  }
  std::vector<Dwarf_Die> path;
  find_path(cu, address - bias, path);
  Dwarf_Files* files = nullptr;
  if (dwarf_getsrcfiles(cu, &files, nullptr) != 0) files = nullptr;
  std::vector<core::SourceLine> lines;
  for (auto scope = path.rbegin(); scope != path.rend(); ++scope) {
    const int tag = dwarf_tag(&*scope);
    if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram) continue;
    at.function = function_name(&*scope);
    lines.push_back(std::move(at));
    if (tag == DW_TAG_subprogram) break;
    at = call_site(&*scope, files);
  }
  // Code DWARF has lines for but no function (assembly): its line alone.
  if (lines.empty() && !at.file.empty()) lines.push_back(std::move(at));
  return lines;
}

}  // namespace syslat::collect
