// Reading a process's memory the way the tracer does, on ourselves:
// strings crossing a page, strings running into an unmapped page, limits.
#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "trace/tracee_memory.h"

using syslat::trace::read_tracee;
using syslat::trace::read_tracee_string;

namespace {

struct Pages {
  Pages() {
    page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    base = static_cast<char*>(mmap(nullptr, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    munmap(base + 2 * page, page);  // the third page is a hole
  }
  ~Pages() { munmap(base, 2 * page); }
  uint64_t at(size_t offset) const { return reinterpret_cast<uint64_t>(base + offset); }
  size_t page;
  char* base;
};

}  // namespace

TEST_CASE("tracee strings: across a page boundary, cut by the limit, NULL", "[tracee_memory]") {
  Pages p;
  const pid_t self = getpid();
  std::strcpy(p.base + p.page - 5, "crossing a page");
  CHECK(read_tracee_string(self, p.at(p.page - 5), 4096) == "crossing a page");
  CHECK(read_tracee_string(self, p.at(p.page - 5), 8) == "crossing");  // the limit: max_len bytes
  CHECK_FALSE(read_tracee_string(self, 0, 100));
}

TEST_CASE("tracee strings: unterminated up to an unmapped page is not a string", "[tracee_memory]") {
  Pages p;
  const pid_t self = getpid();
  std::memset(p.base + 2 * p.page - 16, 'A', 16);
  CHECK_FALSE(read_tracee_string(self, p.at(2 * p.page - 16), 4096));
  CHECK(read_tracee_string(self, p.at(2 * p.page - 16), 10) == "AAAAAAAAAA");  // the limit comes first
  CHECK_FALSE(read_tracee_string(self, p.at(2 * p.page), 10));                // the hole itself
}

TEST_CASE("tracee buffers: a read stops at the first unreadable page", "[tracee_memory]") {
  Pages p;
  const pid_t self = getpid();
  std::memset(p.base, 'x', 2 * p.page);
  std::string out(3 * p.page, '\0');
  CHECK(read_tracee(self, p.at(p.page / 2), out.data(), out.size()) == 2 * p.page - p.page / 2);
  CHECK(read_tracee(self, p.at(0), out.data(), 2 * p.page) == 2 * p.page);
  CHECK(read_tracee(self, p.at(2 * p.page), out.data(), 8) == 0);
}
