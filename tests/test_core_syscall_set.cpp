#include <catch2/catch.hpp>

#include <string>

#include "core/syscall_set.h"
#include "core/syscall_table.h"

using namespace syslat::core;

namespace {
size_t nr(const char* name) { return static_cast<size_t>(*syscall_number(name)); }
std::string error_of(const char* list) {
  auto result = parse_syscall_list(list);
  REQUIRE_FALSE(result);
  return result.error().message;
}
}  // namespace

TEST_CASE("syscall lists: names and numbers", "[syscall_set]") {
  auto set = parse_syscall_list("openat,read,110");
  REQUIRE(set);
  CHECK(set->count() == 3);
  CHECK(set->test(nr("openat")));
  CHECK(set->test(0));
  CHECK(set->test(110));
  CHECK(parse_syscall_list(" read , write ")->count() == 2);
  CHECK(parse_syscall_list("read,read")->count() == 1);
  CHECK(parse_syscall_list("510")->test(510));  // a number needs no name
}

TEST_CASE("syscall lists: classes", "[syscall_set]") {
  auto file = parse_syscall_list("%file");
  REQUIRE(file);
  CHECK(file->test(nr("openat")));
  CHECK(file->test(nr("execve")));
  CHECK_FALSE(file->test(nr("read")));
  for (const SyscallInfo& info : known_syscalls()) {
    CHECK(file->test(static_cast<size_t>(info.nr)) == ((info.classes & kClassFile) != 0));
  }
  auto mixed = parse_syscall_list("%net,futex");
  REQUIRE(mixed);
  CHECK(mixed->test(nr("connect")));
  CHECK(mixed->test(nr("futex")));
  CHECK_FALSE(mixed->test(nr("openat")));
  CHECK(*parse_syscall_list("%clock") == *parse_syscall_list("%time"));
  CHECK(parse_syscall_list("%time")->test(nr("clock_gettime")));
}

TEST_CASE("syscall lists: all, none and negation", "[syscall_set]") {
  CHECK(parse_syscall_list("all")->all());
  CHECK(parse_syscall_list("none")->none());
  CHECK(parse_syscall_list("!all")->none());

  auto not_futex = parse_syscall_list("!futex,epoll_wait");
  REQUIRE(not_futex);
  CHECK_FALSE(not_futex->test(nr("futex")));
  CHECK_FALSE(not_futex->test(nr("epoll_wait")));
  CHECK(not_futex->test(nr("read")));
  CHECK(not_futex->test(kSetOther));  // "everything else" includes unnamed numbers
  CHECK(not_futex->count() == SYSLAT_NR_TABLE - 2);

  auto not_desc = parse_syscall_list("!%desc");
  REQUIRE(not_desc);
  CHECK_FALSE(not_desc->test(0));
  CHECK(not_desc->test(nr("connect")));
}

TEST_CASE("syscall lists: errors name the bad item", "[syscall_set]") {
  CHECK(error_of("opne") == "unknown syscall 'opne' (did you mean 'open'?)");
  CHECK(error_of("read,opneat") == "unknown syscall 'opneat' (did you mean 'openat'?)");
  CHECK(error_of("frobnicate") == "unknown syscall 'frobnicate' (expected syscall names, numbers or %classes, comma-separated)");
  CHECK(error_of("%fil") == "unknown class '%fil' (did you mean '%file'?)");
  CHECK(error_of("%bogus") == "unknown class '%bogus' (expected %file, %net, %process, %memory, %signal, %ipc, %desc or %time)");
  CHECK(error_of("") == "empty syscall list (expected syscall names, numbers or %classes, comma-separated)");
  CHECK(error_of("!") == "empty syscall list (expected syscall names, numbers or %classes, comma-separated)");
  CHECK(error_of("   ") == "empty syscall list (expected syscall names, numbers or %classes, comma-separated)");
  CHECK(error_of("read,,write") == "empty item in syscall list (expected syscall names, numbers or %classes, comma-separated)");
  CHECK(error_of("read,") == "empty item in syscall list (expected syscall names, numbers or %classes, comma-separated)");
  CHECK(error_of("511") == "bad syscall number '511' (expected 0-510)");
  CHECK(error_of("99999999999999999999999") == "bad syscall number '99999999999999999999999' (expected 0-510)");
  CHECK(error_of("read,!write") == "'!write': '!' negates the whole list and must come first");
  CHECK(error_of("READ") == "unknown syscall 'READ' (expected syscall names, numbers or %classes, comma-separated)");
}
