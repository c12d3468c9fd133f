// Files the tool opens itself, always close-on-exec: a command it launches
// must inherit none of them (std::fstream cannot ask for O_CLOEXEC).
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "util/expected.h"

namespace syslat::util {

// A buffered stream writing to path, created (mode 0644) or truncated; the
// file is closed when the stream is destroyed.
Expected<std::unique_ptr<std::ostream>> open_output_file(const std::string& path);

// The fd of path opened so for writing (close-on-exec). A file that opens but
// refuses every write (as root: /proc/version) is refused here, not after the
// run, whose output would be lost.
Expected<int> open_output_fd(const std::string& path);

// The content of a small file such as /proc/PID/comm (up to max_bytes);
// nullopt if it cannot be opened or read.
std::optional<std::string> read_small_file(const std::string& path, size_t max_bytes = 4096);

}  // namespace syslat::util
