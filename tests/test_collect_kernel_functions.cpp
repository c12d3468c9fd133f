// Which kernel functions sysfunc can trace, and their signatures, read from
// this machine's kernel (its BTF, kallsyms and, where it can be read,
// tracefs); and the parsers of those formats.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

#include "collect/function_btf.h"
#include "collect/kernel_functions.h"
#include "core/func_match.h"
#include "decode/func_args.h"
#include "test_support.h"

using namespace syslat;
using core::FuncArgKind;
using core::FuncValueShape;

namespace {

struct Kernel {
  collect::KernelBtf btf;
  collect::KernelFunctions functions;
};

Kernel load_kernel() {
  auto btf = collect::KernelBtf::load();
  REQUIRE(btf);
  auto functions = collect::load_kernel_functions(*btf);
  REQUIRE(functions);
  return {std::move(*btf), std::move(*functions)};
}

std::string one_reason(const core::KernelFunctionSets& sets, const std::string& pattern) {
  const auto m = core::match_functions(sets, {pattern});
  REQUIRE(m.functions.empty());
  REQUIRE(m.unmatched.size() == 1);
  return m.unmatched[0];
}

}  // namespace

TEST_CASE("kernel function lists: available_filter_functions, kallsyms, the BTF stand-in", "[collect]") {
  const auto ftrace = collect::parse_available_filter_functions(
      "vfs_read\nshow_stat\ntcp_ack.isra.0\next4_file_read_iter [ext4]\nshow_stat [xfs]\n"
      "__ftrace_invalid_address___748\nno_newline [mod]");
  REQUIRE(ftrace.size() == 5);
  CHECK(ftrace.contains("tcp_ack.isra.0"));
  CHECK_FALSE(ftrace.contains("__ftrace_invalid_address___748"));
  const auto [e, e_end] = ftrace.with_prefix("ext4_file_read_iter");
  REQUIRE(e_end == e + 1);
  CHECK(ftrace.module(e) == "ext4");
  const auto [s, s_end] = ftrace.with_prefix("show_stat");
  REQUIRE(s_end == s + 1);
  CHECK(ftrace.module(s).empty());  // the first listing's
  CHECK(ftrace.module(ftrace.with_prefix("no_newline").first) == "mod");

  // Addresses as an unprivileged reader sees them (zeros) do not matter here.
  const auto kallsyms = collect::parse_kallsyms_functions(
      "0000000000000000 T vfs_read\n0000000000000000 t __pfx_vfs_read\n0000000000000000 D some_data\n"
      "0000000000000000 t tcp_ack.isra.0\n0000000000000000 t tcp_ack.isra.0.cold\n"
      "0000000000000000 t vfs_kern_mount.part.0\n0000000000000000 t entry_SYSCALL_64\n"
      "0000000000000000 t ext4_file_read_iter\t[ext4]\n");
  CHECK(kallsyms.text.size() == 6);
  CHECK(kallsyms.init_text.empty());  // no addresses, no init text range
  CHECK_FALSE(kallsyms.text.contains("__pfx_vfs_read"));
  CHECK_FALSE(kallsyms.text.contains("some_data"));
  CHECK(kallsyms.text.module(kallsyms.text.with_prefix("ext4_file_read_iter").first) == "ext4");

  // With addresses, the kernel's init text: freed after boot, ftrace drops it.
  const auto with_init = collect::parse_kallsyms_functions(
      "ffffffff81000000 T vfs_read\nffffffff83576000 T _sinittext\nffffffff83576000 B __init_begin\n"
      "ffffffff83576b10 T start_kernel\nffffffff8359dbb0 t init_helper\nffffffff835ec770 T _einittext\n"
      "ffffffff835ec780 T after_init\nffffffffc0001000 t mod_fn\t[mod]\n");
  CHECK(with_init.text.size() == 7);
  CHECK(with_init.init_text.size() == 3);
  CHECK(with_init.init_text.contains("start_kernel"));
  CHECK(with_init.init_text.contains("init_helper"));
  CHECK_FALSE(with_init.init_text.contains("after_init"));
  core::FunctionNames init_btf;
  for (const char* name : {"vfs_read", "start_kernel", "init_helper", "after_init", "mod_fn"}) init_btf.add(name);
  init_btf.finish();
  const auto without_init = collect::traceable_from_btf(init_btf, with_init);
  CHECK(without_init.size() == 3);
  CHECK_FALSE(without_init.contains("start_kernel"));
  CHECK(without_init.contains("after_init"));

  core::FunctionNames btf;
  for (const char* name : {"vfs_read", "tcp_ack", "vfs_kern_mount", "ext4_file_read_iter", "inlined_fn"}) btf.add(name);
  btf.finish();
  const auto traceable = collect::traceable_from_btf(btf, kallsyms);
  CHECK(traceable.size() == 4);  // not the .cold part, not entry_SYSCALL_64 (no BTF)
  CHECK(traceable.contains("tcp_ack.isra.0"));
  CHECK(traceable.contains("vfs_kern_mount.part.0"));
  CHECK_FALSE(traceable.contains("tcp_ack.isra.0.cold"));
  CHECK(traceable.module(traceable.with_prefix("ext4_file_read_iter").first) == "ext4");

  collect::KernelFunctionPaths nowhere;
  nowhere.tracefs[0] = "/nonexistent/tracing";
  nowhere.tracefs[1] = "/nonexistent/debug/tracing";
  auto loaded = collect::load_traceable_functions(btf, kallsyms, nowhere);
  REQUIRE(loaded);
  CHECK(loaded->origin == collect::TraceableOrigin::BtfAndKallsyms);
  CHECK(loaded->names.size() == 4);
  CHECK(loaded->origin_text ==
        "the functions with BTF and a symbol in kallsyms (/nonexistent/tracing/available_filter_functions: No such "
        "file or directory)");
  auto none = collect::load_traceable_functions(core::FunctionNames{}, kallsyms, nowhere);
  REQUIRE_FALSE(none);
  CHECK(none.error().message ==
        "cannot tell which kernel functions can be traced: /nonexistent/tracing/available_filter_functions: No "
        "such file or directory, and no BTF to go by");
}

TEST_CASE("this kernel: vfs_read is traceable, with its signature from BTF", "[privileged]") {
  const Kernel k = load_kernel();
  INFO("traceable functions from " << k.functions.origin_text);
  CHECK(k.functions.sets.traceable.size() > 20000);
  CHECK(k.functions.sets.traceable.contains("vfs_read"));
  CHECK(k.functions.sets.kallsyms.contains("vfs_read"));
  CHECK(k.functions.sets.btf.contains("vfs_read"));

  const auto sig = k.btf.signature("vfs_read");
  REQUIRE(sig.known);
  REQUIRE(sig.params.size() == 4);
  const char* names[] = {"file", "buf", "count", "pos"};
  const char* types[] = {"struct file *", "char *", "size_t", "loff_t *"};
  for (int i = 0; i < 4; ++i) {
    CHECK(sig.params[i].name == names[i]);
    CHECK(sig.params[i].type.spelling == types[i]);
    CHECK(sig.params[i].reg == i);
  }
  CHECK(sig.params[0].kind == FuncArgKind::File);
  CHECK(sig.params[1].kind == FuncArgKind::Value);
  CHECK(sig.params[1].type.shape == FuncValueShape::Pointer);
  CHECK((sig.params[2].type.shape == FuncValueShape::Integer && sig.params[2].type.size == 8 &&
         !sig.params[2].type.is_signed));
  CHECK(sig.arg_kinds() == std::array<FuncArgKind, 6>{FuncArgKind::File});
  CHECK(sig.ret.spelling == "ssize_t");
  CHECK((sig.ret.shape == FuncValueShape::Integer && sig.ret.size == 8 && sig.ret.is_signed));
  CHECK(decode::format_func_args(sig, {0xffff888001000000, 0x7ffd5e2c1000, 4096, 0, 0, 0}, 0, "notes.txt") ==
        "file=\"notes.txt\" buf=0x7ffd5e2c1000 count=4096 pos=NULL");
  CHECK(decode::format_func_return(sig, static_cast<uint64_t>(-9)) == "= -9 (EBADF)");
}

TEST_CASE("this kernel: signatures with paths, dentries, enums, bools, void", "[privileged]") {
  const auto btf = collect::KernelBtf::load();
  REQUIRE(btf);
  auto open = btf->signature("vfs_open");  // int vfs_open(const struct path *path, struct file *file)
  REQUIRE(open.params.size() == 2);
  CHECK(open.params[0].type.spelling == "const struct path *");
  CHECK(open.arg_kinds() == std::array<FuncArgKind, 6>{FuncArgKind::Path, FuncArgKind::File});
  CHECK(open.ret.spelling == "int");

  // int vfs_mkdir(...) before 6.15, struct dentry * since; umode_t mode last either way.
  auto mkdir = btf->signature("vfs_mkdir");
  REQUIRE(mkdir.params.size() == 4);
  CHECK(mkdir.params[2].kind == FuncArgKind::Dentry);
  CHECK(mkdir.params[3].type.spelling == "umode_t");
  CHECK((mkdir.params[3].type.size == 2 && !mkdir.params[3].type.is_signed));

  // pid_t __task_pid_nr_ns(struct task_struct *task, enum pid_type type, struct pid_namespace *ns)
  auto pid_nr = btf->signature("__task_pid_nr_ns");
  REQUIRE(pid_nr.params.size() == 3);
  CHECK(pid_nr.params[1].type.spelling == "enum pid_type");
  CHECK(decode::format_func_value(pid_nr.params[1].type, 1) == "PIDTYPE_TGID");
  CHECK(pid_nr.ret.spelling == "pid_t");
  CHECK(decode::format_func_return(pid_nr, 0xffffffff00000007) == "= 7");

  auto has_page = btf->signature("filemap_range_has_page");
  REQUIRE(has_page.known);
  CHECK(has_page.ret.spelling == "bool");
  CHECK(decode::format_func_return(has_page, 1) == "= true");
  CHECK(has_page.params[1].type.spelling == "loff_t");
  CHECK(has_page.params[1].type.is_signed);

  auto dput = btf->signature("dput");  // void dput(struct dentry *dentry)
  CHECK(dput.ret.shape == FuncValueShape::Void);
  CHECK(dput.arg_kinds()[0] == FuncArgKind::Dentry);
  CHECK(decode::format_func_return(dput, 0).empty());

  // uid_t from_kuid(struct user_namespace *targ, kuid_t kuid): kuid_t is a
  // struct around a uid_t, passed in a register, shown as the number.
  auto from_kuid = btf->signature("from_kuid");
  REQUIRE(from_kuid.params.size() == 2);
  CHECK(from_kuid.params[1].type.spelling == "kuid_t");
  CHECK(from_kuid.params[1].reg == 1);
  CHECK(decode::format_func_args(from_kuid, {0xffffffff83000000, 0xdead000003e8, 0, 0, 0, 0}, -1, "") ==
        "targ=0xffffffff83000000 kuid=1000");
  CHECK(decode::format_func_return(from_kuid, static_cast<uint64_t>(-1)) == "= 4294967295");

  // int __io_run_local_work(struct io_ring_ctx *ctx, io_tw_token_t tw, int min_events, int max_events)
  // (6.15 and later): the empty struct takes no register.
  if (auto io = btf->signature("__io_run_local_work"); io.known && io.params.size() == 4) {
    CHECK(io.params[1].type.spelling == "io_tw_token_t");
    CHECK(decode::format_func_args(io, {0xffff888001000000, 8, 16, 0, 0, 0}, -1, "") ==
          "ctx=0xffff888001000000 tw={} min_events=8 max_events=16");
  }

  // A compiler's copy has no BTF of its own: shown raw.
  CHECK_FALSE(btf->signature("vfs_read.isra.0").known);
  CHECK_FALSE(btf->signature("no_such_function_here").known);
}

TEST_CASE("this kernel: every function with BTF has a signature, every type a spelling", "[privileged]") {
  const auto btf = collect::KernelBtf::load();
  REQUIRE(btf);
  const auto names = btf->function_names();
  size_t params = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    const auto sig = btf->signature(names.name(i), names.module(i));
    REQUIRE(sig.known);
    int last_reg = -1;
    for (const auto& p : sig.params) {
      ++params;
      INFO(names.name(i) << ": " << p.type.spelling << " " << p.name);
      REQUIRE(p.type.spelling.find('?') == std::string::npos);
      REQUIRE(p.reg < core::kFuncArgRegisters);
      if (p.reg >= 0) {
        REQUIRE(p.reg > last_reg);  // registers in order, none twice
        last_reg = p.reg;
      }
    }
  }
  CHECK(names.size() > 20000);
  CHECK(params > names.size());
}

TEST_CASE("this kernel: vfs_* matches many, vfs_read and vfs_write among them", "[privileged]") {
  const Kernel k = load_kernel();
  const auto m = core::match_functions(k.functions.sets, {"vfs_*"});
  CHECK(m.unmatched.empty());
  CHECK(m.total > 50);
  CHECK(m.total == m.functions.size());
  bool read = false, write = false;
  for (const auto& f : m.functions) {
    CHECK(f.name.rfind("vfs_", 0) == 0);
    read = read || f.name == "vfs_read";
    write = write || f.name == "vfs_write";
  }
  CHECK((read && write));
  // Capped: the first 10, and it says how many there were.
  const auto capped = core::match_functions(k.functions.sets, {"vfs_*"}, 10);
  CHECK(capped.functions.size() == 10);
  CHECK(capped.cap_note == std::to_string(m.total) + " functions match; tracing the first 10 (--max-functions)");
}

TEST_CASE("this kernel: functions that cannot be traced get the right reason", "[privileged]") {
  const Kernel k = load_kernel();
  const auto& sets = k.functions.sets;
  CHECK(one_reason(sets, "no_such_function_here") ==
        "'no_such_function_here': not in this kernel (no such function; is its module loaded?)");

  // Assembly: a symbol, no BTF, and never on ftrace's list (notrace).
  REQUIRE(sets.kallsyms.contains("entry_SYSCALL_64"));
  CHECK(one_reason(sets, "entry_SYSCALL_64") ==
        "'entry_SYSCALL_64': not traceable (in kallsyms, but ftrace cannot attach to it: notrace or on the kprobe "
        "blacklist)");

  // __init code: freed after boot.
  if (sets.kallsyms.contains("start_kernel")) {
    CHECK(one_reason(sets, "start_kernel") ==
          "'start_kernel': not traceable (in kallsyms, but ftrace cannot attach to it: notrace or on the kprobe "
          "blacklist)");
  }

  // BTF without a symbol or a copy of its own (inlined, or __exit code the
  // link dropped): the first such function of this kernel.
  std::string inlined;
  for (size_t i = 0; i < sets.btf.size() && inlined.empty(); ++i) {
    const std::string name(sets.btf.name(i));
    const auto [first, last] = sets.kallsyms.with_prefix(name);
    bool symbol = false;
    for (size_t j = first; j < last && !symbol; ++j) {
      const std::string_view s = sets.kallsyms.name(j);
      symbol = s.size() == name.size() || s[name.size()] == '.';
    }
    if (!symbol) inlined = name;
  }
  if (inlined.empty()) return slt::skip("every function with BTF has a symbol on this kernel");
  CHECK(one_reason(sets, inlined) ==
        "'" + inlined + "': inlined everywhere (its BTF exists, but it has no symbol of its own)");

  // A function that is only there as a compiler's copy.
  std::string copy, base;
  for (size_t i = 0; i < sets.traceable.size() && copy.empty(); ++i) {
    const std::string name(sets.traceable.name(i));
    const size_t dot = name.find(".isra.");
    if (dot != std::string::npos && !sets.traceable.contains(name.substr(0, dot)) &&
        !sets.kallsyms.contains(name.substr(0, dot))) {
      copy = name;
      base = name.substr(0, dot);
    }
  }
  REQUIRE_FALSE(copy.empty());
  INFO(base << " -> " << copy);
  const std::string reason = one_reason(sets, base);
  CHECK(reason.rfind("'" + base + "': only as " + base + ".", 0) == 0);
  CHECK(reason.find("here (a compiler-specialised copy): try '" + base + "*'") != std::string::npos);
  const auto with_star = core::match_functions(sets, {base + "*"});
  CHECK(with_star.unmatched.empty());
  CHECK(with_star.total >= 1);
}

TEST_CASE("this kernel: loading the function lists and matching take well under a second", "[privileged]") {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto btf = collect::KernelBtf::load();
  REQUIRE(btf);
  const auto btf_loaded = Clock::now();
  auto functions = collect::load_kernel_functions(*btf);
  REQUIRE(functions);
  const auto listed = Clock::now();
  const auto m = core::match_functions(functions->sets, {"vfs_*", "ext4_*", "*_read", "tcp_?endmsg", "do_sys_open*"});
  for (const auto& f : m.functions) (void)btf->signature(f.name, f.module);
  const auto matched = Clock::now();
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  WARN("BTF " << ms(start, btf_loaded) << " ms, function lists " << ms(btf_loaded, listed) << " ms (traceable "
              << functions->sets.traceable.size() << ", kallsyms " << functions->sets.kallsyms.size() << ", BTF "
              << functions->sets.btf.size() << ", from " << functions->origin_text << "), match + "
              << m.functions.size() << " signatures " << ms(listed, matched) << " ms");
  CHECK(ms(start, matched) < 1000);

  // Where tracefs can be read (not on every machine this runs on), the list
  // is ftrace's: the same names written in its format, ~80k lines as on a
  // distribution kernel with modules, read through the same path.
  slt::TempDir dir;
  {
    std::ofstream out(dir.file("available_filter_functions"));
    for (size_t i = 0; i < functions->sets.traceable.size(); ++i) out << functions->sets.traceable.name(i) << "\n";
    for (int i = 0; i < 25000; ++i) out << "mod_fn_" << i << " [mod" << i % 40 << "]\n";
  }
  collect::KernelFunctionPaths paths;
  paths.tracefs[0] = dir.path();
  const auto from_file_start = Clock::now();
  auto from_file = collect::load_kernel_functions(*btf, paths);
  REQUIRE(from_file);
  const auto from_file_matched = core::match_functions(from_file->sets, {"vfs_*", "mod_fn_1*"});
  const auto from_file_end = Clock::now();
  CHECK(from_file->origin == collect::TraceableOrigin::Tracefs);
  CHECK(from_file->origin_text == dir.file("available_filter_functions"));
  CHECK(from_file->sets.traceable.size() == functions->sets.traceable.size() + 25000);
  // mod_fn_1, _10.._19, _100.._199, _1000.._1999, _10000.._19999
  CHECK(from_file_matched.total == core::match_functions(functions->sets, {"vfs_*"}).total + 11111);
  WARN("from a " << from_file->sets.traceable.size() << "-line available_filter_functions: lists + match "
                 << ms(from_file_start, from_file_end) << " ms");
  CHECK(ms(from_file_start, from_file_end) < 1000);
}

// Another kernel's lists, as scripts/dump-kernel-functions.sh saves them from
// Debian's kernel booted under qemu (tracefs readable there, modules loaded):
// SYSLAT_KERNEL_DUMP=DIR with vmlinux, available_filter_functions, kallsyms
// and btf/<module>.
TEST_CASE("a dumped kernel: ftrace's own list, module functions, notrace reasons", "[privileged]") {
  const char* dump = std::getenv("SYSLAT_KERNEL_DUMP");
  if (!dump) return slt::skip("SYSLAT_KERNEL_DUMP is not set (scripts/dump-kernel-functions.sh)");
  const std::string dir = dump;
  auto btf = collect::KernelBtf::load(dir + "/btf", dir + "/vmlinux");
  REQUIRE(btf);
  collect::KernelFunctionPaths paths;
  paths.tracefs[0] = dir;
  paths.tracefs[1] = dir;
  paths.kallsyms = dir + "/kallsyms";
  const auto start = std::chrono::steady_clock::now();
  auto functions = collect::load_kernel_functions(*btf, paths);
  REQUIRE(functions);
  const auto& sets = functions->sets;
  const auto m = core::match_functions(sets, {"vfs_*", "ext4_*"}, 100000);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  CHECK(functions->origin == collect::TraceableOrigin::Tracefs);
  CHECK(m.unmatched.empty());
  WARN("dumped kernel: " << sets.traceable.size() << " traceable, " << sets.kallsyms.size() << " text symbols, "
                         << sets.btf.size() << " with BTF (" << btf->module_count() << " modules); lists + match "
                         << ms << " ms, " << m.total << " match vfs_* ext4_*");
  CHECK(ms < 1000);

  const auto read = btf->signature("vfs_read");
  REQUIRE(read.params.size() == 4);
  CHECK(read.params[0].kind == FuncArgKind::File);
  CHECK(read.ret.spelling == "ssize_t");

  // A module's function: ftrace lists it with its module, its BTF is the
  // module's (split on vmlinux's).
  bool ext4_sync_file = false;
  for (const auto& f : m.functions)
    if (f.name == "ext4_sync_file") ext4_sync_file = f.module == "ext4";
  CHECK(ext4_sync_file);
  const auto sync = btf->signature("ext4_sync_file", "ext4");
  REQUIRE(sync.params.size() == 4);  // (struct file *file, loff_t start, loff_t end, int datasync)
  CHECK(sync.params[0].type.spelling == "struct file *");
  CHECK(sync.arg_kinds()[0] == FuncArgKind::File);
  CHECK(sync.params[1].type.spelling == "loff_t");

  // notrace: a symbol and BTF, but ftrace does not list it.
  for (const char* name : {"rcu_is_watching", "native_sched_clock"}) {
    if (!sets.kallsyms.contains(name) || sets.traceable.contains(name)) continue;
    CHECK(one_reason(sets, name) == std::string("'") + name +
                                        "': not traceable (in kallsyms, but ftrace cannot attach to it: notrace or "
                                        "on the kprobe blacklist)");
  }
}
