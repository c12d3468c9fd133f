#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <utility>

#include "util/fd.h"

using syslat::util::UniqueFd;

namespace {
bool is_open(int fd) { return fcntl(fd, F_GETFD) != -1; }
}  // namespace

TEST_CASE("UniqueFd closes its fd and moves ownership", "[fd]") {
  int raw = open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(raw >= 0);
  {
    UniqueFd fd(raw);
    CHECK(fd);
    CHECK(fd.get() == raw);
    UniqueFd moved(std::move(fd));
    CHECK_FALSE(fd);  // NOLINT(bugprone-use-after-move): moved-from is empty
    CHECK(moved.get() == raw);
    CHECK(is_open(raw));
  }
  CHECK_FALSE(is_open(raw));
}

TEST_CASE("UniqueFd release and reset", "[fd]") {
  UniqueFd empty;
  CHECK_FALSE(empty);
  CHECK(empty.get() == -1);

  int a = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int b = open("/dev/null", O_RDONLY | O_CLOEXEC);
  UniqueFd fd(a);
  fd.reset(b);  // closes a
  CHECK_FALSE(is_open(a));
  int released = fd.release();
  CHECK(released == b);
  CHECK_FALSE(fd);
  CHECK(is_open(b));
  close(b);

  int c = open("/dev/null", O_RDONLY | O_CLOEXEC);
  UniqueFd target;
  target = UniqueFd(c);
  CHECK(target.get() == c);
  target = UniqueFd();  // move-assigning empty closes the old one
  CHECK_FALSE(is_open(c));
}
