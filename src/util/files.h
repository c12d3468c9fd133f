// Files the tool opens itself, always close-on-exec: a command it launches
// must inherit none of them (std::fstream cannot ask for O_CLOEXEC).
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "util/expected.h"

namespace syslat::util {

// An output file (-o FILE) opened before the run is known to start. Until
// begin(), what the file held is left as it was, and a file this open
// created is removed again when the OutputFile goes: a run that fails to
// start (no privilege, no such process) costs the user nothing. begin()
// empties it for the run's output.
class OutputFile {
 public:
  // The fd is close-on-exec. A file that opens but refuses every write (as
  // root: /proc/version) is refused here, not after the run, whose output
  // would be lost.
  static Expected<OutputFile> open(const std::string& path);
  OutputFile(OutputFile&& other) noexcept;
  OutputFile& operator=(OutputFile&&) = delete;
  ~OutputFile();

  int fd() const { return fd_; }
  // A buffered stream on the fd, which it owns (and closes) from now on.
  std::unique_ptr<std::ostream> stream();
  // The run starts: the file is emptied (a regular one) and kept.
  void begin();

 private:
  OutputFile(int fd, std::string path, bool created) : fd_(fd), path_(std::move(path)), created_(created) {}
  int fd_ = -1;
  bool owns_fd_ = true;
  std::string path_;
  bool created_ = false;
  bool begun_ = false;
};

// The content of a small file such as /proc/PID/comm (up to max_bytes);
// nullopt if it cannot be opened or read.
std::optional<std::string> read_small_file(const std::string& path, size_t max_bytes = 4096);

}  // namespace syslat::util
