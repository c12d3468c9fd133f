#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "util/files.h"

using syslat::util::open_output_file;
using syslat::util::read_small_file;

namespace {

// The fds of this process that point at path.
std::vector<int> fds_of(const std::string& path) {
  std::vector<int> fds;
  char target[4096];
  for (int fd = 0; fd < 1024; ++fd) {
    const std::string link = "/proc/self/fd/" + std::to_string(fd);
    const ssize_t n = readlink(link.c_str(), target, sizeof(target));
    if (n > 0 && std::string(target, static_cast<size_t>(n)) == path) fds.push_back(fd);
  }
  return fds;
}

}  // namespace

TEST_CASE("open_output_file writes through a close-on-exec fd and closes it with the stream", "[files]") {
  char tmpl[] = "/tmp/slt-files.XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  const std::string path = std::string(tmpl) + "/out";
  {
    auto out = open_output_file(path);
    REQUIRE(out);
    const auto fds = fds_of(path);
    REQUIRE(fds.size() == 1);
    CHECK((fcntl(fds[0], F_GETFD) & FD_CLOEXEC) != 0);
    **out << "hello " << 42 << '\n';
  }
  CHECK(fds_of(path).empty());
  CHECK(read_small_file(path) == std::optional<std::string>("hello 42\n"));
  CHECK(read_small_file(path, 5) == std::optional<std::string>("hello"));
  CHECK_FALSE(read_small_file(std::string(tmpl) + "/missing"));
  CHECK_FALSE(open_output_file(std::string(tmpl) + "/no/such/dir"));
  // Opens for root but takes no write: refused at open, not lost at the end.
  CHECK_FALSE(open_output_file("/proc/version"));
  CHECK(open_output_file("/dev/null"));
  unlink(path.c_str());
  rmdir(tmpl);
}
