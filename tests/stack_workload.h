// wl_stack (tests/workloads/wl_stack.c) driven by a test: started blocked in
// read() on a FIFO, with the runtime addresses it printed; a byte makes it
// dlopen a library, exec another program, or finish. Shared by the stack
// symbolizer's and the user unwinder's tests.
#pragma once

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace slt {

// wl_stack, blocked in read() on a FIFO until finish() writes a byte to it,
// with the runtime addresses it printed.
class StackWorkload {
 public:
  // wl_stack FIFO ARGS... ("dlopen LIBRARY SYMBOL", "exec PROG"), run
  // through `launcher` (a command that ends by exec'ing the rest) if any;
  // or `program` (wl_stack_renamed) instead of wl_stack.
  explicit StackWorkload(const std::vector<std::string>& args = {}, const std::vector<std::string>& launcher = {},
                         const std::string& program = "wl_stack")
      : path_(program.find('/') == std::string::npos ? workload(program) : program) {
    REQUIRE(mkfifo(fifo_.c_str(), 0600) == 0);
    std::vector<std::string> argv = launcher;
    argv.insert(argv.end(), {path_, fifo_});
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<Background>(argv);
    REQUIRE(process_->wait_for_stderr("ready "));
    const std::string text = process_->stderr_text();
    parse_ready(text.substr(text.find("ready ")));
    // Printed just before the read: wait until it is in it (a stack taken
    // with ptrace must be the blocked read's).
    REQUIRE(wait_asleep_in(process_->pid(), SYS_read));
  }

  uint32_t pid() const { return static_cast<uint32_t>(process_->pid()); }
  // The path /proc/PID/maps shows: symbolic links resolved.
  std::string executable() const { return std::filesystem::canonical(path_).string(); }
  uint64_t read_here() const { return read_here_; }            // syslat_blocking_read_here
  uint64_t outer() const { return outer_; }                    // syslat_outer_frame
  uint64_t return_address() const { return return_address_; }  // into syslat_outer_frame
  uint64_t libc_read() const { return libc_read_; }

  // The symbol's address in the library, now loaded.
  uint64_t dlopen_library() {
    send('d');
    REQUIRE(process_->wait_for_stderr("loaded "));
    const std::string text = process_->stderr_text();
    return std::stoull(text.substr(text.find("loaded ") + 7), nullptr, 16);
  }

  // exec PROG: the same PID runs PROG, whose addresses replace ours.
  void exec_program() {
    send('e');
    for (int i = 0; i < 200 && count_ready() < 2; ++i) usleep(50'000);
    REQUIRE(count_ready() == 2);
    const std::string text = process_->stderr_text();
    parse_ready(text.substr(text.rfind("ready ")));
  }

  void finish() {
    send('x');
    const auto r = process_->wait();
    REQUIRE(r.status == 0);
  }

 private:
  void send(char byte) {
    const int fd = open(fifo_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, &byte, 1) == 1);
    close(fd);
  }

  void parse_ready(const std::string& text) {
    std::istringstream line(text);
    std::string ready, read_here, outer, return_address, libc_read;
    line >> ready >> read_here >> outer >> return_address >> libc_read;
    REQUIRE(ready == "ready");
    read_here_ = std::stoull(read_here, nullptr, 16);
    outer_ = std::stoull(outer, nullptr, 16);
    return_address_ = std::stoull(return_address, nullptr, 16);
    libc_read_ = std::stoull(libc_read, nullptr, 16);
  }

  size_t count_ready() const {
    const std::string text = process_->stderr_text();
    size_t n = 0;
    for (size_t at = text.find("ready "); at != std::string::npos; at = text.find("ready ", at + 1)) ++n;
    return n;
  }

  TempDir dir_;
  std::string fifo_ = dir_.file("fifo");
  std::string path_;
  std::unique_ptr<Background> process_;
  uint64_t read_here_ = 0, outer_ = 0, return_address_ = 0, libc_read_ = 0;
};

}  // namespace slt
