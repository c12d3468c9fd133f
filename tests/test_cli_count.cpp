// syscount end to end: exact counts of known workloads, and every filter
// option selecting exactly what it says.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <csignal>
#include <set>
#include <sstream>

#include "test_support.h"

using slt::Counts;
using slt::Table;

namespace {

const std::string kSyscount = slt::syscount_bin();

std::vector<std::string> wl_basic(long n, long m, long k) {
  return {slt::workload("wl_basic"), std::to_string(n), std::to_string(m), std::to_string(k)};
}

// What `wl_basic N M K` adds to `wl_basic 0 0 0`, by its header comment.
Table wl_basic_delta(long n, long m, long k) {
  Table t;
  if (n) t["getppid"] = {uint64_t(n), 0};
  if (m) t["openat"] = {uint64_t(m), uint64_t(m)};
  if (k) {
    t["open"] = {1, 0};
    t["write"] = {uint64_t(k), 0};
  }
  return t;
}

// `syscount OPTIONS -- wl_basic N M K` minus the same with 0 0 0: the calls
// the filters let through out of the workload's own part.
Table filtered_delta(const std::vector<std::string>& options, long n, long m, long k, Table* whole = nullptr) {
  const auto base = slt::run_json(kSyscount, options, wl_basic(0, 0, 0));
  INFO(base.describe());
  REQUIRE(base.run.status == 0);
  const auto full = slt::run_json(kSyscount, options, wl_basic(n, m, k));
  INFO(full.describe());
  REQUIRE(full.run.status == 0);
  if (whole) *whole = full.table;
  return slt::minus(full.table, base.table);
}

void require_all_failed(const Table& t) {
  for (const auto& [name, c] : t) {
    INFO(name << " " << c.count << "/" << c.errors);
    CHECK(c.count == c.errors);
  }
}

}  // namespace

TEST_CASE("syscount -- wl_basic N M K counts exactly N getppid, M failed openat, K write", "[privileged][guest]") {
  const auto r = slt::run_json(kSyscount, {}, wl_basic(12345, 77, 321));
  INFO(r.describe());
  REQUIRE(r.run.status == 0);
  REQUIRE(r.reports.size() == 1);
  CHECK(r.reports[0].at("type") == "count");
  CHECK(r.reports[0].at("timed") == false);
  CHECK(r.table.at("getppid") == Counts{12345, 0});
  CHECK(r.table.at("write") == Counts{321, 0});
  CHECK(r.table.at("open") == Counts{1, 0});
  CHECK(r.table.at("openat").errors == 77);  // ld.so's own openat calls succeed
  CHECK(r.table.at("execve") == Counts{1, 0});
  CHECK(r.table.at("exit_group") == Counts{1, 0});
  CHECK(r.reports[0].at("total_count").get<uint64_t>() ==
        [&] { uint64_t s = 0; for (auto& [n, c] : r.table) s += c.count; return s; }());
  const double interval_s = r.reports[0].at("interval_s").get<double>();
  REQUIRE(interval_s > 0);
  for (const auto& row : r.reports[0].at("syscalls")) {
    INFO(row.dump());
    CHECK(row.at("rate").get<double>() == Approx(row.at("count").get<double>() / interval_s).epsilon(0.01));
  }

  const Table delta = slt::minus(r.table, slt::run_json(kSyscount, {}, wl_basic(0, 0, 0)).table);
  const std::string diff = slt::compare_tables(delta, wl_basic_delta(12345, 77, 321), "syscount", "expected");
  INFO(diff);
  CHECK(diff.empty());
}

TEST_CASE("syscount -x counts only failed calls", "[privileged][guest]") {
  Table whole;
  const Table delta = filtered_delta({"-x"}, 100, 50, 10, &whole);
  require_all_failed(whole);
  const std::string diff = slt::compare_tables(delta, {{"openat", {50, 50}}}, "syscount -x", "expected");
  INFO(diff);
  CHECK(diff.empty());
}

TEST_CASE("syscount -S openat counts only openat", "[privileged]") {
  Table whole;
  const Table delta = filtered_delta({"-S", "openat"}, 100, 50, 10, &whole);
  INFO(slt::to_string(whole));
  CHECK(whole.size() == 1);
  CHECK(whole.count("openat") == 1);
  CHECK(delta == Table{{"openat", {50, 50}}});
}

TEST_CASE("syscount -S 110,write (a number and a name) selects exactly those calls", "[privileged]") {
  Table whole;
  // 110 is getppid's x86_64 number.
  const Table delta = filtered_delta({"-S", "110,write"}, 100, 50, 10, &whole);
  INFO(slt::to_string(whole));
  CHECK(whole == Table{{"getppid", {100, 0}}, {"write", {10, 0}}});
  CHECK(delta == whole);
}

TEST_CASE("syscount -e ENOENT counts only calls that failed with ENOENT", "[privileged]") {
  Table whole;
  const Table delta = filtered_delta({"-e", "ENOENT"}, 100, 50, 10, &whole);
  require_all_failed(whole);
  CHECK(delta == Table{{"openat", {50, 50}}});
  // A number works too, and a different error selects none of the openat calls.
  const Table by_number = filtered_delta({"-e", "2"}, 100, 50, 10);
  CHECK(by_number == Table{{"openat", {50, 50}}});
  const auto ebadf = slt::run_json(kSyscount, {"-e", "EBADF"}, wl_basic(100, 50, 10));
  INFO(ebadf.describe());
  REQUIRE(ebadf.run.status == 0);
  CHECK(ebadf.table.count("openat") == 0);
}

TEST_CASE("syscount -S '!getppid' counts everything but getppid", "[privileged]") {
  Table whole;
  const Table delta = filtered_delta({"-S", "!getppid"}, 100, 50, 10, &whole);
  CHECK(whole.count("getppid") == 0);
  CHECK(whole.count("execve") == 1);
  Table expected = wl_basic_delta(100, 50, 10);
  expected.erase("getppid");
  const std::string diff = slt::compare_tables(delta, expected, "syscount", "expected");
  INFO(diff);
  CHECK(diff.empty());
}

TEST_CASE("syscount -n COMM counts only tasks with that comm", "[privileged]") {
  slt::TempDir dir;
  // A file name longer than comm's 15 bytes: -n takes it as ps shows it,
  // cut to 15 (the whole name is refused: tests/test_cli_badinput.cpp).
  const std::string name = slt::unique_comm("wlnm") + "_with_a_long_tail";
  const std::string copy = slt::copy_executable(slt::workload("wl_basic"), dir.file(name));
  slt::Tracer tracer(kSyscount, {"-n", name.substr(0, 15)});
  REQUIRE(slt::run(wl_basic(1000, 5, 5)).status == 0);  // same program, other name
  REQUIRE(slt::run({copy, "234", "3", "0"}).status == 0);
  const auto r = tracer.stop();
  INFO(r.describe());
  REQUIRE(r.run.status == 0);
  INFO(slt::to_string(r.table));
  CHECK(r.table.at("getppid") == Counts{234, 0});
  CHECK(r.table.at("openat").errors == 3);
  CHECK(r.table.at("execve") == Counts{1, 0});
  CHECK(r.table.at("exit_group") == Counts{1, 0});
}

TEST_CASE("syscount -u counts only that user's calls", "[privileged]") {
  // One run as root and one as nobody; only nobody's getppid calls count.
  for (const std::string user : {"65534", "nobody"}) {
    slt::Tracer tracer(kSyscount, {"-u", user, "-S", "getppid"});
    REQUIRE(slt::run(wl_basic(1000, 0, 0)).status == 0);
    std::vector<std::string> as_nobody = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
    const auto wl = wl_basic(321, 0, 0);
    as_nobody.insert(as_nobody.end(), wl.begin(), wl.end());
    const auto ran = slt::run(as_nobody);
    INFO(ran.err);
    REQUIRE(ran.status == 0);
    const auto r = tracer.stop();
    INFO(r.describe());
    REQUIRE(r.run.status == 0);
    CHECK(r.table == Table{{"getppid", {321, 0}}});
  }
}

TEST_CASE("syscount -p PID counts only that process", "[privileged][guest]") {
  slt::Background a({slt::workload("wl_loop"), "getppid", "500", "2"});
  slt::Background b({slt::workload("wl_loop"), "getpgrp", "500", "2"});
  {
    slt::Tracer tracer(kSyscount, {"-p", std::to_string(a.pid()), "-d", "1"});
    const auto r = tracer.finish();
    INFO(r.describe());
    REQUIRE(r.run.status == 0);
    INFO(slt::to_string(r.table));
    CHECK(r.table.count("getppid") == 1);
    CHECK(r.table.count("getpgrp") == 0);
    for (const auto& [name, c] : r.table) {
      INFO(name);
      CHECK((name == "getppid" || name == "nanosleep"));
    }
  }
  {
    slt::Tracer tracer(kSyscount, {"-p", std::to_string(a.pid()) + "," + std::to_string(b.pid()), "-d", "1"});
    const auto r = tracer.finish();
    INFO(r.describe());
    REQUIRE(r.run.status == 0);
    INFO(slt::to_string(r.table));
    CHECK(r.table.count("getppid") == 1);
    CHECK(r.table.count("getpgrp") == 1);
    CHECK(r.table.size() == 3);  // + nanosleep
  }
}

// The hot path finds the current task from its kernel stack (this_task in
// syslat.bpf.c); a stack freed by an exited thread and given to a thread of
// another process must not make that thread pass for the old one.
TEST_CASE("syscount -p never counts another process's thread on a traced thread's reused kernel stack",
          "[privileged]") {
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) slt::skip("needs 2 CPUs");
  constexpr int kRounds = 300;
  for (const bool timed : {false, true}) {
    slt::Background wl({slt::workload("wl_stack_reuse"), std::to_string(kRounds)});
    REQUIRE(wl.wait_for_stderr("ready"));
    std::vector<std::string> options = {"-p", std::to_string(wl.pid())};
    if (timed) options.push_back("-L");
    slt::Tracer tracer(kSyscount, options);
    wl.signal(SIGUSR1);
    REQUIRE(wl.wait(60).status == 0);
    const auto r = tracer.finish(10);
    INFO(r.describe());
    REQUIRE(r.run.status == 0);
    INFO(slt::to_string(r.table));
    CHECK(r.table.at("getppid") == Counts{3 * kRounds, 0});
    CHECK(r.table.count("getpgrp") == 0);
  }
}

namespace {

// wl_threads T N, set up and waiting for SIGUSR1; its threads' TIDs in order.
struct ThreadsWorkload {
  slt::Background process;
  std::vector<std::string> tids;
  explicit ThreadsWorkload(int threads, int n)
      : process({slt::workload("wl_threads"), std::to_string(threads), std::to_string(n)}) {
    REQUIRE(process.wait_for_stderr("ready"));
    std::istringstream lines(process.stderr_text());
    for (std::string word, tid; lines >> word;)
      if (word == "tid" && lines >> tid) tids.push_back(tid);
    REQUIRE(tids.size() == size_t(threads));
  }
  // Lets it run to the end under the tracer and returns what the tracer saw.
  slt::JsonRun run_under(slt::Tracer& tracer) {
    process.signal(SIGUSR1);
    REQUIRE(process.wait(10).status == 0);
    return tracer.stop();
  }
};

}  // namespace

TEST_CASE("syscount -p counts all threads of the process, -t only the given threads", "[privileged]") {
  {
    ThreadsWorkload wl(3, 1000);
    slt::Tracer tracer(kSyscount, {"-p", std::to_string(wl.process.pid())});
    const auto r = wl.run_under(tracer);
    INFO(r.describe());
    REQUIRE(r.run.status == 0);
    INFO(slt::to_string(r.table));
    CHECK(r.table.at("getppid") == Counts{6000, 0});
    CHECK(r.table.at("exit") == Counts{3, 0});
    CHECK(r.table.at("exit_group") == Counts{1, 0});
    CHECK(r.table.at("rt_sigsuspend") == Counts{1, 1});
    CHECK(r.table.at("rt_sigreturn") == Counts{1, 1});
  }
  {
    ThreadsWorkload wl(3, 1000);
    slt::Tracer tracer(kSyscount, {"-t", wl.tids[1]});
    const auto r = wl.run_under(tracer);
    INFO(r.describe());
    REQUIRE(r.run.status == 0);
    INFO(slt::to_string(r.table));
    CHECK(r.table.at("getppid") == Counts{2000, 0});
    CHECK(r.table.at("exit") == Counts{1, 0});
    for (const char* main_thread_only : {"exit_group", "rt_sigsuspend", "rt_sigreturn"})
      CHECK(r.table.count(main_thread_only) == 0);
  }
  {
    ThreadsWorkload wl(3, 1000);
    slt::Tracer tracer(kSyscount, {"-t", wl.tids[0] + "," + wl.tids[2]});
    const auto r = wl.run_under(tracer);
    INFO(r.describe());
    REQUIRE(r.run.status == 0);
    INFO(slt::to_string(r.table));
    CHECK(r.table.at("getppid") == Counts{4000, 0});
    CHECK(r.table.at("exit") == Counts{2, 0});
  }
}

TEST_CASE("syscount -p of a process that exits ends with a final report of exactly its calls", "[privileged]") {
  for (const bool timed : {false, true}) {
    slt::Background gate({slt::workload("wl_gate"), "4321"});
    REQUIRE(gate.wait_for_stderr("ready"));
    std::vector<std::string> options = {"-p", std::to_string(gate.pid())};
    if (timed) options.push_back("-L");
    slt::Tracer tracer(kSyscount, options);
    gate.signal(SIGUSR1);
    REQUIRE(gate.wait(10).status == 0);
    const auto r = tracer.finish(10);  // ends by itself
    INFO(r.describe());
    REQUIRE(r.run.status == 0);
    REQUIRE(r.reports.size() == 1);
    // rt_sigsuspend was entered before we attached; it returns (fails) after.
    // rt_sigreturn restores the interrupted -EINTR, so it "fails" too (as in strace).
    const Table expected = {{"rt_sigsuspend", {1, 1}}, {"rt_sigreturn", {1, 1}},
                            {"getppid", {4321, 0}}, {"exit_group", {1, 0}}};
    const std::string diff = slt::compare_tables(r.table, expected, timed ? "syscount -L" : "syscount", "expected");
    INFO(diff);
    CHECK(diff.empty());
    if (timed) {
      // The call in flight at attach time is counted and shown, but not timed.
      const auto& report = r.reports[0];
      CHECK(report.at("entry_not_seen") == 1);
      for (const auto& row : report.at("syscalls")) {
        INFO(row.dump());
        if (row.at("name") == "rt_sigsuspend") CHECK(row.at("timed_count") == 0);
        if (row.at("name") == "getppid") CHECK(row.at("timed_count") == 4321);
      }
    }
  }
}

TEST_CASE("syscount counts exit_group once per process", "[privileged]") {
  const auto forks = slt::run_json(kSyscount, {}, {slt::workload("wl_forks"), "7"});
  INFO(forks.describe());
  REQUIRE(forks.run.status == 0);
  INFO(slt::to_string(forks.table));
  CHECK(forks.table.at("exit_group") == Counts{8, 0});
  CHECK(forks.table.at("getppid") == Counts{7, 0});
  CHECK(forks.table.at("clone") == Counts{7, 0});
  CHECK(forks.table.at("wait4") == Counts{7, 0});
  CHECK(forks.table.count("exit") == 0);

}

TEST_CASE("syscount -- wl_mixed: exact counts across threads, a fork and signal handlers", "[privileged][guest]") {
  for (const std::vector<std::string>& options : {std::vector<std::string>{}, {"-L"}}) {
    const auto mixed = slt::run_json(kSyscount, options, {slt::workload("wl_mixed")});
    INFO(mixed.describe());
    REQUIRE(mixed.run.status == 0);
    CHECK(mixed.run.out == "caught 4\n");  // its handlers ran 4 times
    INFO(slt::to_string(mixed.table));
    CHECK(mixed.table.at("exit") == Counts{3, 0});
    CHECK(mixed.table.at("exit_group") == Counts{2, 0});
    CHECK(mixed.table.at("getppid") == Counts{6000, 0});
    CHECK(mixed.table.at("geteuid") == Counts{250, 0});
    CHECK(mixed.table.at("tgkill") == Counts{3, 0});
    CHECK(mixed.table.at("rt_sigreturn") == Counts{4, 0});
    CHECK(mixed.table.at("clone3") == Counts{3, 0});
    CHECK(mixed.table.at("clone") == Counts{1, 0});
    CHECK(mixed.table.at("close").errors == 6);
    CHECK(mixed.table.at("execve") == Counts{1, 0});
  }
}

TEST_CASE("syscount -P breaks counts down per process", "[privileged]") {
  const std::string wl = slt::workload("wl_basic");
  const auto r = slt::run_json(kSyscount, {"-P"},
                               {"/bin/sh", "-c", wl + " 100 0 0 & " + wl + " 200 0 0 & wait"});
  INFO(r.describe());
  REQUIRE(r.run.status == 0);
  const auto procs = slt::sum_processes(r.reports);
  std::multiset<uint64_t> getppid_per_workload;
  Table summed;
  for (const auto& [pid, p] : procs) {
    INFO("pid " << pid << " " << p.comm << "\n" << slt::to_string(p.syscalls));
    if (p.comm == "wl_basic") getppid_per_workload.insert(p.syscalls.at("getppid").count);
    for (const auto& [name, c] : p.syscalls) {
      summed[name].count += c.count;
      summed[name].errors += c.errors;
    }
  }
  CHECK(getppid_per_workload == std::multiset<uint64_t>{100, 200});
  CHECK(procs.size() == 3);  // sh and the two workloads
  const std::string diff = slt::compare_tables(summed, r.table, "sum of -P rows", "syscalls");
  INFO(diff);
  CHECK(diff.empty());
}

TEST_CASE("syscount -T N and --sort KEY: the first N rows in that order", "[privileged]") {
  const std::vector<std::string> cmd = {"/usr/bin/ls", "-la", "/usr"};
  const auto all = slt::run_json(kSyscount, {}, cmd);
  INFO(all.describe());
  REQUIRE(all.run.status == 0);
  for (const std::string key : {"count", "errors"}) {
    const auto top = slt::run_json(kSyscount, {"-T", "4", "--sort", key}, cmd);
    INFO(top.describe());
    REQUIRE(top.run.status == 0);
    const auto& rows = top.reports.at(0).at("syscalls");
    REQUIRE(rows.size() == 4);
    for (size_t i = 1; i < rows.size(); ++i) CHECK(rows[i - 1].at(key) >= rows[i].at(key));
    // Nothing bigger was left out, and the total still covers every call.
    uint64_t fourth = rows[3].at(key).get<uint64_t>(), total = 0;
    for (const auto& [name, c] : all.table) {
      const uint64_t v = key == "count" ? c.count : c.errors;
      total += c.count;
      if (v > fourth) CHECK(top.table.count(name) == 1);
    }
    CHECK(top.reports.at(0).at("total_count").get<uint64_t>() == total);
  }
}

TEST_CASE("syscount --csv gives the same counts as -j", "[privileged]") {
  slt::TempDir dir;
  const std::vector<std::string> wl = {slt::workload("wl_basic"), "500", "7", "9"};
  std::vector<std::string> argv = {kSyscount, "--csv", "-o", dir.file("out.csv"), "--"};
  argv.insert(argv.end(), wl.begin(), wl.end());
  REQUIRE(slt::run(argv).status == 0);
  std::istringstream lines(slt::read_file(dir.file("out.csv")));
  std::string header;
  std::getline(lines, header);
  REQUIRE(header.rfind("time,start,interval_s,pid,comm,name,nr,abi,count,errors,", 0) == 0);
  Table csv;
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> f;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) f.push_back(cell);
    REQUIRE(f.size() >= 10);
    csv[f[5]].count += std::stoull(f[8]);
    csv[f[5]].errors += std::stoull(f[9]);
  }
  const auto json = slt::run_json(kSyscount, {}, wl);
  const std::string diff = slt::compare_tables(csv, json.table, "--csv", "-j");
  INFO(diff);
  CHECK(diff.empty());
}
