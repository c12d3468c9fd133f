#include <catch2/catch.hpp>

#include <cstdint>
#include <string_view>

#include "core/errno_names.h"
#include "syslat.h"

using namespace syslat::core;

TEST_CASE("errno numbers to names", "[errno]") {
  CHECK(errno_name(1) == "EPERM");
  CHECK(errno_name(2) == "ENOENT");
  CHECK(errno_name(11) == "EAGAIN");  // never the alias EWOULDBLOCK
  CHECK(errno_name(35) == "EDEADLK");  // never the alias EDEADLOCK
  CHECK(errno_name(110) == "ETIMEDOUT");
  CHECK(errno_name(133) == "EHWPOISON");
  CHECK(errno_name(0).empty());
  CHECK(errno_name(-2).empty());
  CHECK(errno_name(400).empty());
  CHECK(errno_name(4095).empty());
}

TEST_CASE("kernel-internal codes seen at sys_exit have names", "[errno]") {
  CHECK(errno_name(512) == "ERESTARTSYS");
  CHECK(errno_name(513) == "ERESTARTNOINTR");
  CHECK(errno_name(514) == "ERESTARTNOHAND");
  CHECK(errno_name(515) == "ENOIOCTLCMD");
  CHECK(errno_name(516) == "ERESTART_RESTARTBLOCK");
  CHECK(errno_name(517) == "EPROBE_DEFER");
  CHECK(errno_name(518) == "EOPENSTALE");
  CHECK(errno_name(519) == "ENOPARAM");
  CHECK(errno_name(520).empty());
}

TEST_CASE("parse_errno takes names, aliases and numbers", "[errno]") {
  CHECK(*parse_errno("ENOENT") == 2);
  CHECK(*parse_errno("EAGAIN") == 11);
  CHECK(*parse_errno("EWOULDBLOCK") == 11);
  CHECK(*parse_errno("EDEADLOCK") == 35);
  CHECK(*parse_errno("ERESTARTSYS") == 512);
  CHECK(*parse_errno("2") == 2);
  CHECK(*parse_errno("4095") == 4095);
  for (const char* bad : {"", "enoent", "ENOENTX", "0", "-2", "4096", "2x", " 2", "E"}) {
    INFO("input: '" << bad << "'");
    CHECK_FALSE(parse_errno(bad));
  }
}

TEST_CASE("errno descriptions are the ones strace prints", "[errno]") {
  CHECK(errno_description(2) == "No such file or directory");
  CHECK(errno_description(11) == "Resource temporarily unavailable");
  CHECK(errno_description(4) == "Interrupted system call");
  CHECK(errno_description(512) == "To be restarted if SA_RESTART is set");
  CHECK(errno_description(513) == "To be restarted");
  CHECK(errno_description(514) == "To be restarted if no handler");
  CHECK(errno_description(516) == "Interrupted by signal");
  CHECK(errno_description(515) == "No ioctl command");
  CHECK(errno_description(600) == "Unknown error 600");
}

TEST_CASE("a return value is an error from -1 to -4095, whatever the syscall", "[errno]") {
  CHECK(is_error_return(-1));
  CHECK(is_error_return(-2));
  CHECK(is_error_return(-512));  // ERESTARTSYS, as ptrace sees it
  CHECK(is_error_return(-4095));
  CHECK_FALSE(is_error_return(-4096));  // lseek far back, an address from mmap: values
  CHECK_FALSE(is_error_return(INT64_MIN));
  CHECK_FALSE(is_error_return(0));
  CHECK_FALSE(is_error_return(1));
  CHECK_FALSE(is_error_return(INT64_MAX));
  CHECK(SYSLAT_MAX_ERRNO == 4095);  // what the BPF side counts as errors too
}

TEST_CASE("the restart codes are the kernel-internal ERESTART*, not ENOIOCTLCMD among them", "[errno]") {
  for (int err = 1; err <= 4095; ++err) {
    const std::string_view name = errno_name(err);
    const bool restart = err >= 512 && name.starts_with("ERESTART");  // 85 ERESTART is a plain errno
    INFO(err << " " << name);
    CHECK(is_restart_errno(err) == restart);
  }
}
