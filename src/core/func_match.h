// Which kernel functions a sysfunc pattern list names: exact names and shell
// globs matched against the functions the kernel can trace, and for a
// pattern that matches nothing, one line that says why (sysfunc prints them
// and exits 2). Pure: the caller reads the kernel (collect/kernel_functions.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syslat::core {

// A set of kernel function names, each with the module that holds it ("" for
// the kernel image). The names live in one buffer, not one allocation each:
// a kernel has 100k+ of them. Add names, then finish() before any lookup.
class FunctionNames {
 public:
  void add(std::string_view name, std::string_view module = {});
  // Sorts by name and drops repeated names; a repeated name keeps the module
  // it was first added with (the kernel lists static functions of the same
  // name once per definition).
  void finish();

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::string_view name(size_t i) const;
  std::string_view module(size_t i) const;
  bool contains(std::string_view name) const;
  // The index range [first, last) of the names that start with `prefix`.
  std::pair<size_t, size_t> with_prefix(std::string_view prefix) const;

 private:
  struct Entry {
    uint32_t text_offset;  // into text_: the name, then the module name
    uint16_t name_size;
    uint16_t module_size;
  };
  std::string_view name_of(const Entry& e) const;
  std::vector<Entry> entries_;
  std::string text_;
  bool finished_ = true;
};

// What the kernel says about its functions.
struct KernelFunctionSets {
  // What ftrace (and so kprobes and fentry) can attach to, compiler copies
  // such as "foo.isra.0" included.
  FunctionNames traceable;
  FunctionNames kallsyms;  // text symbols
  FunctionNames btf;       // functions with BTF (vmlinux and modules)
};

struct MatchedFunction {
  std::string name;
  std::string module;  // "" for the kernel image
};

struct FunctionMatch {
  // Each function once, in the patterns' order, a pattern's own matches by
  // name; at most max_functions.
  std::vector<MatchedFunction> functions;
  size_t total = 0;        // how many matched before the cap
  std::string cap_note;    // "N functions match; tracing the first M (--max-functions)", or ""
  // One line per pattern that matched nothing (or is malformed), saying why:
  //   'foo': not in this kernel (no such function; is its module loaded?)
  std::vector<std::string> unmatched;
};

inline constexpr size_t kDefaultMaxFunctions = 500;

FunctionMatch match_functions(const KernelFunctionSets& sets, const std::vector<std::string>& patterns,
                              size_t max_functions = kDefaultMaxFunctions);

// Shell glob matching as the shell and ftrace's set_ftrace_filter do it:
// `*`, `?`, `[abc]`, `[a-z]`, `[!a]` / `[^a]`, and `\c` for a literal c.
bool glob_match(std::string_view pattern, std::string_view name);
bool is_glob(std::string_view pattern);
// "" when the pattern can be used, else why not ("an unclosed '['").
std::string pattern_problem(std::string_view pattern);

}  // namespace syslat::core
