#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "util/files.h"

using syslat::util::OutputFile;
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

TEST_CASE("OutputFile writes through a close-on-exec fd and closes it with the stream", "[files]") {
  char tmpl[] = "/tmp/slt-files.XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  const std::string path = std::string(tmpl) + "/out";
  {
    auto file = OutputFile::open(path);
    REQUIRE(file);
    auto out = file->stream();
    const auto fds = fds_of(path);
    REQUIRE(fds.size() == 1);
    CHECK((fcntl(fds[0], F_GETFD) & FD_CLOEXEC) != 0);
    file->begin();
    *out << "hello " << 42 << '\n';
  }
  CHECK(fds_of(path).empty());
  CHECK(read_small_file(path) == std::optional<std::string>("hello 42\n"));
  CHECK(read_small_file(path, 5) == std::optional<std::string>("hello"));
  CHECK_FALSE(read_small_file(std::string(tmpl) + "/missing"));
  CHECK_FALSE(OutputFile::open(std::string(tmpl) + "/no/such/dir"));
  // Opens for root but takes no write: refused at open, not lost at the end.
  CHECK_FALSE(OutputFile::open("/proc/version"));
  CHECK(OutputFile::open("/dev/null"));
  unlink(path.c_str());
  rmdir(tmpl);
}

TEST_CASE("OutputFile leaves a file as it was until the run begins", "[files]") {
  char tmpl[] = "/tmp/slt-files.XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  const std::string old_log = std::string(tmpl) + "/old.log", fresh = std::string(tmpl) + "/fresh.log";
  std::ofstream(old_log) << "yesterday's report\n";
  {
    auto kept = OutputFile::open(old_log);  // a run that never started
    auto created = OutputFile::open(fresh);
    REQUIRE(kept);
    REQUIRE(created);
    CHECK(access(fresh.c_str(), F_OK) == 0);
  }
  CHECK(read_small_file(old_log) == std::optional<std::string>("yesterday's report\n"));
  CHECK(access(fresh.c_str(), F_OK) != 0);  // created by the open, removed again
  {
    auto file = OutputFile::open(old_log);
    REQUIRE(file);
    file->begin();
    CHECK(write(file->fd(), "new\n", 4) == 4);
  }
  CHECK(read_small_file(old_log) == std::optional<std::string>("new\n"));  // emptied, not overwritten in place
  unlink(old_log.c_str());
  rmdir(tmpl);
}
