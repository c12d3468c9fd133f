#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "core/syscall_table.h"
#include "syslat.h"

using namespace syslat::core;

TEST_CASE("syscall numbers and names, both ways", "[syscall_table]") {
  CHECK(syscall_name(0) == "read");
  CHECK(syscall_name(110) == "getppid");
  CHECK(syscall_name(257) == "openat");
  CHECK(syscall_name(231) == "exit_group");
  CHECK(syscall_name(435) == "clone3");
  CHECK(*syscall_number("read") == 0);
  CHECK(*syscall_number("getppid") == 110);
  CHECK(*syscall_number("openat") == 257);
  CHECK(*syscall_number("exit_group") == 231);
}

TEST_CASE("unknown numbers are never given a wrong name", "[syscall_table]") {
  CHECK(syscall_name(1000) == "[unknown: 1000]");
  CHECK(syscall_name(-1) == "[unknown: -1]");
  CHECK(syscall_name(400) == "[unknown: 400]");  // the gap before 424
  CHECK(syscall_name(SYSLAT_NR_TABLE - 1) == "[unknown: 511]");
  CHECK(find_syscall(1000) == nullptr);
  CHECK(find_syscall(-5) == nullptr);
  CHECK_FALSE(syscall_number("opne"));
  CHECK_FALSE(syscall_number("READ"));
  CHECK_FALSE(syscall_number(""));
}

TEST_CASE("syscalls newer than the build host's header are known", "[syscall_table]") {
  // From the checked-in supplement (the Debian 12 header stops at 450).
  CHECK(syscall_name(451) == "cachestat");
  CHECK(syscall_name(462) == "mseal");
  CHECK(*syscall_number("fchmodat2") == 452);
  CHECK(*syscall_number("futex_wait") == 455);
  CHECK(*syscall_number("listns") == 470);
  CHECK(syscall_name(335) == "uretprobe");
}

TEST_CASE("the table is sorted, unique and fits the stats slots", "[syscall_table]") {
  auto all = known_syscalls();
  REQUIRE(all.size() > 370);
  std::set<std::string_view> names;
  for (size_t i = 0; i < all.size(); ++i) {
    if (i > 0) CHECK(all[i - 1].nr < all[i].nr);
    CHECK(all[i].nr < SYSLAT_NR_TABLE);
    CHECK(names.insert(all[i].name).second);
    CHECK(find_syscall(all[i].nr) == &all[i]);
    CHECK(*syscall_number(all[i].name) == all[i].nr);
  }
}

TEST_CASE("classes follow strace", "[syscall_table]") {
  auto classes = [](const char* name) { return find_syscall(*syscall_number(name))->classes; };
  CHECK(classes("openat") == (kClassFile | kClassDesc));
  CHECK(classes("read") == kClassDesc);
  // strace puts socket calls in %net only (strace -e trace=%desc does not show connect).
  CHECK(classes("connect") == kClassNet);
  CHECK(classes("sendfile") == (kClassNet | kClassDesc));
  CHECK(classes("clone") == kClassProcess);
  CHECK(classes("execve") == (kClassFile | kClassProcess));
  CHECK(classes("wait4") == kClassProcess);
  CHECK(classes("exit_group") == kClassProcess);
  CHECK(classes("mmap") == (kClassMemory | kClassDesc));
  CHECK(classes("rt_sigaction") == kClassSignal);
  CHECK(classes("kill") == (kClassSignal | kClassProcess));
  CHECK(classes("clock_gettime") == kClassTime);
  CHECK(classes("semop") == kClassIpc);
  CHECK(classes("getppid") == 0);
  CHECK(classes("nanosleep") == 0);  // not %clock in strace either
}

TEST_CASE("class names", "[syscall_table]") {
  CHECK(class_list(kClassFile | kClassDesc) == "%file,%desc");
  CHECK(class_list(kClassDesc | kClassFile) == "%file,%desc");
  CHECK(class_list(0).empty());
  CHECK(class_list(0xff) == "%file,%net,%process,%memory,%signal,%ipc,%desc,%time");
  CHECK(*parse_class("%file") == kClassFile);
  CHECK(*parse_class("%net") == kClassNet);
  CHECK(*parse_class("%network") == kClassNet);
  CHECK(*parse_class("%time") == kClassTime);
  CHECK(*parse_class("%clock") == kClassTime);
  CHECK_FALSE(parse_class("%fil"));
  CHECK_FALSE(parse_class("file"));
  CHECK_FALSE(parse_class("%"));
}

TEST_CASE("execve and execveat are told apart in both ABIs", "[syscall_table]") {
  CHECK(is_exec({Abi::Native, 59}));
  CHECK(is_exec({Abi::Native, 322}));
  CHECK_FALSE(is_exec({Abi::Native, 11}));  // munmap here
  CHECK_FALSE(is_exec({Abi::Native, 358}));
  CHECK_FALSE(is_exec({Abi::Native, -1}));
  if (known_syscalls(Abi::I386).empty()) return;  // a build without the i386 table
  CHECK(is_exec({Abi::I386, 11}));
  CHECK(is_exec({Abi::I386, 358}));
  CHECK_FALSE(is_exec({Abi::I386, 59}));  // i386's umask
  CHECK_FALSE(is_exec({Abi::I386, 322}));
  CHECK_FALSE(is_exec({Abi::I386, -1}));
}
