// sysfunc on this machine's kernel: what needs no probe attached (matching
// names, --list, the options it refuses) and, where the kernel allows no
// function probes, the one-line refusal. Counting and tracing run in the
// qemu lane on Debian's kernel (tests tagged [sysfunc]).
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <string>

#include "collect/func_source.h"
#include "test_support.h"

TEST_CASE("sysfunc: a kernel that allows no function probes is refused in one line naming what it lacks, status 1", "[privileged]") {
  if (syslat::collect::kprobes_missing_reason().empty())
    return slt::skip("this kernel has kprobes: the qemu lane's [sysfunc] tests attach for real");
  const auto r = slt::check_rejected({slt::sysfunc_bin(), "vfs_read", "-d", "1"}, "kprobes", 1);
  INFO(r.describe());
  CHECK(r.problem.empty());
  CHECK(r.run.err.find("fentry") != std::string::npos);
}

TEST_CASE("sysfunc: a name that matches nothing gets its reason in one line and status 2", "[privileged]") {
  const auto r = slt::check_rejected({slt::sysfunc_bin(), "no_such_function_syslat", "-d", "1"},
                                     "'no_such_function_syslat': not in this kernel");
  INFO(r.describe());
  CHECK(r.problem.empty());
}

TEST_CASE("sysfunc --list shows what a glob matches, without attaching", "[privileged]") {
  const auto r = slt::run({slt::sysfunc_bin(), "--list", "vfs_rea*"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("vfs_read\n") != std::string::npos);
  CHECK(r.out.find("vfs_write") == std::string::npos);
}

TEST_CASE("sysfunc refuses the options that are about syscalls, and the others refuse its own", "[privileged]") {
  struct Case {
    std::vector<std::string> argv;
    std::string names;
  };
  const std::vector<Case> cases = {
      {{slt::sysfunc_bin(), "-x", "vfs_read"}, "-x/--failures"},
      {{slt::sysfunc_bin(), "-P", "vfs_read"}, "-P/--process"},
      {{slt::sysfunc_bin(), "--threshold", "1ms", "vfs_read"}, "--threshold and --kstack without --trace"},
      {{slt::sysfunc_bin(), "--trace", "-i", "1", "vfs_read"}, "-i, -T and --sort with --trace"},
      {{slt::sysfunc_bin(), "--sort", "errors", "vfs_read"}, "--sort errors"},
      {{slt::sysfunc_bin(), "-S", "read", "vfs_read"}, "-S/--syscall without --by-syscall"},
      {{slt::sysfunc_bin(), "--trace", "--by-syscall", "vfs_read"}, "--by-syscall with --trace"},
      {{slt::sysfunc_bin(), "--attach", "uprobe", "vfs_read"}, "--attach: unknown way 'uprobe'"},
      {{slt::sysfunc_bin()}, "expected kernel function names"},
      {{slt::syscount_bin(), "--trace"}, "only sysfunc"},
      {{slt::syslat_bin(), "--sort", "self"}, "--sort self: only sysfunc"},
  };
  for (const Case& c : cases) {
    const auto r = slt::check_rejected(c.argv, c.names);
    INFO(r.describe());
    CHECK(r.problem.empty());
  }
}

// ---- Attached for real: the qemu lane runs these on Debian's kernel ----------

namespace {

constexpr long kReads = 300;
constexpr long kOpens = 50;

// wl_vfs waiting for its SIGUSR1 (its start-up, ld.so's reads, is before
// sysfunc attaches), over a file with a byte for every read.
struct VfsWorkload {
  slt::TempDir dir;
  std::string file = dir.file("wl-vfs-data");
  std::unique_ptr<slt::Background> wl;
  VfsWorkload() {
    std::ofstream(file) << std::string(kReads + 10, 'x');
    wl = std::make_unique<slt::Background>(
        std::vector<std::string>{slt::workload("wl_vfs"), file, std::to_string(kReads), std::to_string(kOpens)});
    REQUIRE(wl->wait_for_stderr("ready"));
  }
  std::string pid() const { return std::to_string(wl->pid()); }
  // Its calls, then its exit: a -p run ends with it.
  void run() {
    wl->signal(SIGUSR1);
    REQUIRE(wl->wait_for_stderr("done", 60));
    wl->signal(SIGUSR1);
    wl->wait(60);
  }
};

// sysfunc started in the background and attached, or nullptr after a skip
// where the kernel cannot attach (it said so in its one line).
std::unique_ptr<slt::Background> attached_or_skip(const std::vector<std::string>& argv) {
  auto func = std::make_unique<slt::Background>(argv);
  if (func->wait_for_stderr("Tracing ", 120)) return func;
  const slt::RunResult r = func->wait(30);
  INFO(r.err);
  if (r.status == 1 && r.err.find("this kernel ") != std::string::npos) {
    slt::skip("this kernel cannot attach sysfunc's probes: " + r.err);
    return nullptr;
  }
  FAIL("sysfunc did not attach: status " << r.status << ": " << r.err);
  return nullptr;
}

}  // namespace

TEST_CASE("sysfunc -p: exactly one vfs_read per read and one vfs_open per open of the process, in JSON", "[privileged][sysfunc]") {
  VfsWorkload w;
  auto func = attached_or_skip({slt::sysfunc_bin(), "vfs_read", "vfs_open", "-p", w.pid(), "-j", "-o", w.dir.file("out.json")});
  if (!func) return;
  const slt::BpfIds held = slt::bpf_ids_of(func->pid());
  w.run();
  const slt::RunResult r = func->wait(120);  // ends with its -p target
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto reports = slt::read_ndjson(w.dir.file("out.json"));
  REQUIRE(reports.size() == 1);
  const nlohmann::json& rep = reports[0];
  CHECK(rep["type"] == "func");
  std::map<std::string, nlohmann::json> rows;
  for (const auto& f : rep["functions"]) rows[f["name"]] = f;
  REQUIRE(rows.count("vfs_read"));
  REQUIRE(rows.count("vfs_open"));
  CHECK(rows["vfs_read"]["count"] == kReads);
  CHECK(rows["vfs_open"]["count"] == kOpens);
  uint64_t in_hist = 0;
  for (const auto& b : rows["vfs_read"]["histogram"]) in_hist += b["count"].get<uint64_t>();
  CHECK(in_hist == kReads);
  CHECK(rows["vfs_read"]["self_ns"].get<uint64_t>() <= rows["vfs_read"]["total_ns"].get<uint64_t>());
  CHECK(rep["lost"] == 0);
  CHECK(slt::bpf_left_behind(held) == "");
}

TEST_CASE("sysfunc --trace: one line per call with the file name from BTF's struct file *, the return value and the thread", "[privileged][sysfunc]") {
  VfsWorkload w;
  auto func = attached_or_skip({slt::sysfunc_bin(), "--trace", "vfs_read", "-p", w.pid(), "-o", w.dir.file("out.txt")});
  if (!func) return;
  w.run();
  const slt::RunResult r = func->wait(120);
  INFO(r.err);
  REQUIRE(r.status == 0);
  const std::string text = slt::read_file(w.dir.file("out.txt"));
  size_t lines = 0, exact = 0;
  const std::string call = "vfs_read(file=\"wl-vfs-data\" buf=0x";
  for (size_t at = 0, nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1) {
    const std::string line = text.substr(at, nl - at);
    ++lines;
    if (line.find(" wl_vfs " + w.pid() + "/" + w.pid() + "  " + call) != std::string::npos &&
        line.find(" count=1 ") != std::string::npos && line.find(") = 1  ") != std::string::npos)
      ++exact;
  }
  INFO(text.substr(0, 2000));
  CHECK(lines == kReads);
  CHECK(exact == kReads);
  CHECK(r.err.find("sysfunc: 300 calls printed") != std::string::npos);
}

TEST_CASE("sysfunc --by-syscall: vfs_read's time is read's, with its callee under it in the call tree", "[privileged][sysfunc]") {
  slt::TempDir dir;
  const std::string file = dir.file("data");
  std::ofstream(file) << std::string(kReads + 10, 'x');
  // dd reads its input in 1-byte blocks: 100 reads that reach vfs_read, and
  // each vfs_read checks its access through security_file_permission once.
  const slt::RunResult r = slt::run({slt::sysfunc_bin(), "--by-syscall", "-S", "read", "vfs_read", "security_file_permission",
                                     "-j", "--", "dd", "if=" + file, "of=/dev/null", "bs=1", "count=100", "status=none"},
                                    180);
  INFO(r.err);
  if (r.status == 1 && r.err.find("this kernel ") != std::string::npos)
    return slt::skip("this kernel cannot attach sysfunc's probes: " + r.err);
  REQUIRE(r.status == 0);
  const auto rep = nlohmann::json::parse(r.out);
  INFO(rep.dump(1));
  REQUIRE(rep["by_syscall"].size() == 1);  // -S read: no other syscall
  const auto& read = rep["by_syscall"][0];
  CHECK(read["name"] == "read");
  const uint64_t reads = read["count"].get<uint64_t>();
  CHECK(reads >= 100);
  std::map<std::string, nlohmann::json> rows;
  for (const auto& f : read["functions"]) rows[f["name"]] = f;
  REQUIRE(rows.count("vfs_read"));
  CHECK(rows["vfs_read"]["count"] == reads);  // every read(2) goes through vfs_read once
  CHECK(rows["vfs_read"]["inclusive_ns"].get<uint64_t>() <= read["total_ns"].get<uint64_t>());
  uint64_t self = 0;
  for (const auto& [name, f] : rows) self += f["self_ns"].get<uint64_t>();
  CHECK(read["untraced_ns"].get<uint64_t>() + self == read["total_ns"]);
  // The tree: vfs_read from the syscall, security_file_permission under it.
  const auto& tree = read["tree"];
  REQUIRE(tree.size() >= 2);
  CHECK(tree[0]["name"] == "vfs_read");
  CHECK(tree[0]["depth"] == 0);
  CHECK(tree[0]["count"] == reads);
  CHECK(tree[1]["name"] == "security_file_permission");
  CHECK(tree[1]["parent"] == "vfs_read");
  CHECK(tree[1]["depth"] == 1);
  CHECK(tree[1]["count"] == reads);
  CHECK(tree[1]["inclusive_ns"].get<uint64_t>() <= tree[0]["inclusive_ns"].get<uint64_t>());
  CHECK(tree[0]["self_ns"].get<uint64_t>() + tree[1]["inclusive_ns"].get<uint64_t>() == tree[0]["inclusive_ns"]);

  const slt::RunResult failed = slt::run({slt::sysfunc_bin(), "vfs_read", "--", "sh", "-c", "exit 7"}, 180);
  CHECK(failed.status == 7);
}

TEST_CASE("syslat --kernel default: dd's reads and writes by the kernel functions beneath them", "[privileged][sysfunc]") {
  slt::TempDir dir;
  std::ofstream(dir.file("in")) << std::string(64 * 512, 'x');
  // (dd, not tar: busybox's tar copies with sendfile, GNU tar with read.)
  const slt::RunResult r = slt::run({slt::syslat_bin(), "--kernel", "default", "-S", "read,write", "-j", "--", "dd",
                                     "if=" + dir.file("in"), "of=" + dir.file("out"), "bs=512"},
                                    240);
  INFO(r.err);
  if (r.status == 1 && r.err.find("this kernel ") != std::string::npos)
    return slt::skip("this kernel cannot attach sysfunc's probes: " + r.err);
  REQUIRE(r.status == 0);
  const auto rep = nlohmann::json::parse(r.out);
  std::map<std::string, nlohmann::json> syscalls;
  for (const auto& s : rep["by_syscall"]) syscalls[s["name"]] = s;
  REQUIRE(syscalls.count("read"));
  REQUIRE(syscalls.count("write"));
  const auto calls_in = [&](const std::string& sc, const std::string& fn) -> uint64_t {
    for (const auto& f : syscalls[sc]["functions"])
      if (f["name"] == fn) return f["count"].get<uint64_t>();
    return 0;
  };
  // Every read(2) and write(2) of a file goes through vfs_read/vfs_write once.
  CHECK(syscalls["read"]["count"].get<uint64_t>() >= 65);  // 64 blocks and the end of the file
  CHECK(calls_in("read", "vfs_read") == syscalls["read"]["count"]);
  CHECK(calls_in("write", "vfs_write") == syscalls["write"]["count"]);
  CHECK(calls_in("read", "vfs_write") == 0);
  for (const auto& [name, s] : syscalls) {
    uint64_t self = 0;
    for (const auto& f : s["functions"]) {
      CHECK(f["inclusive_ns"].get<uint64_t>() <= s["total_ns"].get<uint64_t>());
      self += f["self_ns"].get<uint64_t>();
    }
    CHECK(self + s["untraced_ns"].get<uint64_t>() == s["total_ns"].get<uint64_t>());
  }
}

TEST_CASE("sysfunc: SIGINT ends the run with its report and leaves no program or link behind", "[privileged][sysfunc]") {
  slt::TempDir dir;
  auto func = attached_or_skip({slt::sysfunc_bin(), "vfs_*", "-j", "-o", dir.file("out.json")});
  if (!func) return;
  const slt::BpfIds held = slt::bpf_ids_of(func->pid());
  CHECK_FALSE(held.links.empty());
  const slt::RunResult ls = slt::run({"ls", "-l", "/proc/self/"});  // some VFS calls
  CHECK(ls.status == 0);
  func->signal(SIGINT);
  const slt::RunResult r = func->wait(120);
  INFO(r.err);
  CHECK(r.status == 0);
  const auto reports = slt::read_ndjson(dir.file("out.json"));
  REQUIRE(reports.size() == 1);
  CHECK(reports[0]["functions_traced"].get<uint64_t>() > 10);
  CHECK(reports[0]["total_count"].get<uint64_t>() > 0);
  CHECK(slt::bpf_left_behind(held) == "");
}
