#include "util/files.h"

#include <ext/stdio_filebuf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/fd.h"

namespace syslat::util {
namespace {

// An ostream that owns its buffer; the buffer owns (and closes) the fd.
class FdOStream : public std::ostream {
 public:
  explicit FdOStream(int fd) : std::ostream(nullptr), buf_(fd, std::ios::out, kBufferSize) { rdbuf(&buf_); }

 private:
  static constexpr size_t kBufferSize = 64 * 1024;
  __gnu_cxx::stdio_filebuf<char> buf_;
};

}  // namespace

Expected<OutputFile> OutputFile::open(const std::string& path) {
  bool created = true;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && errno == EEXIST) {
    created = false;
    fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  }
  if (fd < 0) return make_error(path + ": " + std::strerror(errno));
  OutputFile file(fd, path, created);
  // A write of nothing reaches the file's write handler: procfs and sysfs
  // files without one fail it (EIO, EINVAL), regular files, pipes and ttys
  // take it.
  if (write(fd, "", 0) < 0) return make_error(path + ": " + std::strerror(errno));
  return file;
}

OutputFile::OutputFile(OutputFile&& other) noexcept
    : fd_(other.fd_), owns_fd_(other.owns_fd_), path_(std::move(other.path_)), created_(other.created_),
      begun_(other.begun_) {
  other.fd_ = -1;
  other.created_ = false;
}

OutputFile::~OutputFile() {
  if (created_ && !begun_) unlink(path_.c_str());
  if (owns_fd_ && fd_ >= 0) close(fd_);
}

std::unique_ptr<std::ostream> OutputFile::stream() {
  owns_fd_ = false;
  return std::make_unique<FdOStream>(fd_);
}

void OutputFile::begin() {
  struct stat st {};
  if (!begun_ && fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) (void)ftruncate(fd_, 0);
  begun_ = true;
}

std::optional<std::string> read_small_file(const std::string& path, size_t max_bytes) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string text(max_bytes, '\0');
  size_t used = 0;
  while (used < max_bytes) {
    const ssize_t n = read(fd.get(), text.data() + used, max_bytes - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  text.resize(used);
  return text;
}

}  // namespace syslat::util
