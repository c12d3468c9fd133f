// sysfunc's name matching: globs, dedup and order, the cap, and the one-line
// reason for each pattern that matches nothing.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/func_match.h"

using namespace syslat::core;

namespace {

FunctionNames names(std::initializer_list<std::pair<std::string_view, std::string_view>> list) {
  FunctionNames set;
  for (const auto& [name, module] : list) set.add(name, module);
  set.finish();
  return set;
}

// A small kernel: what ftrace lists (a copy, a name defined twice, a module's
// functions), the text symbols, and the functions with BTF.
KernelFunctionSets small_kernel() {
  KernelFunctionSets k;
  k.traceable = names({{"vfs_read", ""}, {"vfs_write", ""}, {"vfs_open", ""}, {"ext4_file_read_iter", "ext4"},
                       {"ext4_file_write_iter", "ext4"}, {"show_stat", ""}, {"show_stat", "xfs"},
                       {"tcp_ack.isra.0", ""}, {"do_read.constprop.0", ""}, {"vfs_fsync", ""}});
  k.kallsyms = names({{"vfs_read", ""}, {"vfs_write", ""}, {"vfs_open", ""}, {"ext4_file_read_iter", "ext4"},
                      {"ext4_file_write_iter", "ext4"}, {"show_stat", ""}, {"show_stat", "xfs"},
                      {"tcp_ack.isra.0", ""}, {"do_read.constprop.0", ""}, {"vfs_fsync", ""},
                      {"rcu_is_watching", ""}, {"entry_SYSCALL_64", ""}, {"cold_only.cold", ""}});
  k.btf = names({{"vfs_read", ""}, {"vfs_write", ""}, {"vfs_open", ""}, {"tcp_ack", ""}, {"do_read", ""},
                 {"fdget_inlined", ""}, {"rcu_is_watching", ""}, {"ext4_file_read_iter", "ext4"}});
  return k;
}

std::vector<std::string> matched_names(const FunctionMatch& m) {
  std::vector<std::string> out;
  for (const auto& f : m.functions) out.push_back(f.name);
  return out;
}

}  // namespace

TEST_CASE("glob matching: *, ?, brackets, escapes", "[core]") {
  CHECK(glob_match("vfs_read", "vfs_read"));
  CHECK_FALSE(glob_match("vfs_read", "vfs_readv"));
  CHECK(glob_match("vfs_*", "vfs_"));
  CHECK(glob_match("vfs_*", "vfs_readv"));
  CHECK_FALSE(glob_match("vfs_*", "xvfs_read"));
  CHECK(glob_match("*_read*", "ext4_file_read_iter"));
  CHECK(glob_match("*", "anything"));
  CHECK(glob_match("a*b*c", "aXXbYYbZZc"));
  CHECK_FALSE(glob_match("a*b*c", "aXXbYYbZZ"));
  CHECK(glob_match("vfs_rea?", "vfs_read"));
  CHECK_FALSE(glob_match("vfs_rea?", "vfs_rea"));
  CHECK(glob_match("vfs_[rw]*", "vfs_write"));
  CHECK_FALSE(glob_match("vfs_[rw]*", "vfs_open"));
  CHECK(glob_match("vfs_[!rw]*", "vfs_open"));
  CHECK(glob_match("vfs_[^rw]*", "vfs_open"));
  CHECK(glob_match("x[a-c]", "xb"));
  CHECK_FALSE(glob_match("x[a-c]", "xd"));
  CHECK(glob_match("x[]]", "x]"));
  CHECK(glob_match("a\\*", "a*"));
  CHECK_FALSE(glob_match("a\\*", "ab"));
  CHECK(is_glob("ext4_*"));
  CHECK(is_glob("vfs_rea?"));
  CHECK_FALSE(is_glob("vfs_read"));
  CHECK(pattern_problem("vfs_[rw").find("unclosed") != std::string::npos);
  CHECK(pattern_problem("").find("empty") != std::string::npos);
  CHECK(pattern_problem("vfs_[rw]*").empty());
}

TEST_CASE("function matching: exact names and globs, deduped, patterns' order", "[core]") {
  const auto k = small_kernel();
  auto m = match_functions(k, {"vfs_write", "vfs_*", "ext4_*"});
  CHECK(matched_names(m) == std::vector<std::string>{"vfs_write", "vfs_fsync", "vfs_open", "vfs_read",
                                                     "ext4_file_read_iter", "ext4_file_write_iter"});
  CHECK(m.total == 6);
  CHECK(m.unmatched.empty());
  CHECK(m.cap_note.empty());
  CHECK(m.functions[4].module == "ext4");
  CHECK(m.functions[0].module.empty());

  // A name the kernel lists twice (two static definitions) is traced once;
  // its first listing's module stays.
  m = match_functions(k, {"show_stat", "show_*"});
  CHECK(matched_names(m) == std::vector<std::string>{"show_stat"});
  CHECK(m.functions[0].module.empty());
  CHECK(m.unmatched.empty());  // show_* matched, if only what was already there

  // An exact name never takes a copy; a glob does.
  m = match_functions(k, {"tcp_ack*", "do_read*"});
  CHECK(matched_names(m) == std::vector<std::string>{"tcp_ack.isra.0", "do_read.constprop.0"});
}

TEST_CASE("function matching: one line per pattern that matches nothing, saying why", "[core]") {
  const auto k = small_kernel();
  const auto m = match_functions(k, {"vfs_read", "tcp_ack", "rcu_is_watching", "entry_SYSCALL_64", "fdget_inlined",
                                     "no_such_fn", "xfs_*", "cold_only", "tcp_a?k", "bad[", "rcu_*", "fdget_*"});
  CHECK(matched_names(m) == std::vector<std::string>{"vfs_read"});
  CHECK(m.unmatched == std::vector<std::string>{
      "'tcp_ack': only as tcp_ack.isra.0 here (a compiler-specialised copy): try 'tcp_ack*'",
      "'rcu_is_watching': not traceable (in kallsyms, but ftrace cannot attach to it: notrace or on the kprobe "
      "blacklist)",
      "'entry_SYSCALL_64': not traceable (in kallsyms, but ftrace cannot attach to it: notrace or on the kprobe "
      "blacklist)",
      "'fdget_inlined': inlined everywhere (its BTF exists, but it has no symbol of its own)",
      "'no_such_fn': not in this kernel (no such function; is its module loaded?)",
      "'xfs_*': not in this kernel (no such function; is its module loaded?)",
      "'cold_only': not traceable (in kallsyms, but ftrace cannot attach to it: notrace or on the kprobe "
      "blacklist)",
      "'tcp_a?k': only as tcp_ack.isra.0 here (a compiler-specialised copy): try 'tcp_a?k*'",
      "'bad[': not a function name or glob (an unclosed '[')",
      "'rcu_*': not traceable (in kallsyms, but ftrace cannot attach to it: notrace or on the kprobe blacklist)",
      "'fdget_*': inlined everywhere (its BTF exists, but it has no symbol of its own)",
  });
}

TEST_CASE("function matching: what a user typed is escaped in the reason", "[core]") {
  const auto m = match_functions(small_kernel(), {"vfs\x1b[31m]", "a\nb"});
  REQUIRE(m.unmatched.size() == 2);
  CHECK(m.unmatched[0] == "'vfs\\33[31m]': not in this kernel (no such function; is its module loaded?)");
  CHECK(m.unmatched[1] == "'a\\nb': not in this kernel (no such function; is its module loaded?)");
}

TEST_CASE("function matching: the cap keeps the first max and says how many matched", "[core]") {
  KernelFunctionSets k;
  for (int i = 0; i < 1200; ++i) k.traceable.add("fn_" + std::to_string(10000 + i));
  k.traceable.finish();
  k.kallsyms.finish();
  k.btf.finish();
  auto m = match_functions(k, {"fn_1100?", "fn_*"});  // 10 first, then the rest
  CHECK(m.total == 1200);
  REQUIRE(m.functions.size() == kDefaultMaxFunctions);
  CHECK(m.functions[0].name == "fn_11000");
  CHECK(m.functions[9].name == "fn_11009");
  CHECK(m.functions[10].name == "fn_10000");
  CHECK(m.cap_note == "1200 functions match; tracing the first 500 (--max-functions)");

  m = match_functions(k, {"fn_*"}, 1200);
  CHECK(m.functions.size() == 1200);
  CHECK(m.cap_note.empty());
  m = match_functions(k, {"fn_1*"}, 3);
  CHECK(m.cap_note == "1200 functions match; tracing the first 3 (--max-functions)");
}

TEST_CASE("function names: sorted, deduped, looked up by name and prefix", "[core]") {
  auto set = names({{"b", ""}, {"a", "m1"}, {"ab", ""}, {"a", "m2"}, {"c", ""}});
  REQUIRE(set.size() == 4);
  CHECK(set.name(0) == "a");
  CHECK(set.module(0) == "m1");
  CHECK(set.contains("ab"));
  CHECK_FALSE(set.contains("abc"));
  CHECK_FALSE(set.contains(""));
  CHECK(set.with_prefix("a") == std::pair<size_t, size_t>{0, 2});
  CHECK(set.with_prefix("z") == std::pair<size_t, size_t>{4, 4});
  CHECK(set.with_prefix("") == std::pair<size_t, size_t>{0, 4});
}
