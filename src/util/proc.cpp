#include "util/proc.h"

#include <signal.h>

#include <cerrno>
#include <sstream>

#include "util/files.h"
#include "util/strings.h"

namespace syslat::util {
namespace {

std::string proc_path(pid_t pid, std::string_view file) { return "/proc/" + std::to_string(pid) + "/" + std::string(file); }

std::optional<uint64_t> number(std::string_view text) {
  auto n = parse_u64(text);
  return n ? std::optional<uint64_t>(*n) : std::nullopt;
}

}  // namespace

// Signal 0 checks the pid and the permission, and sends nothing.
bool process_alive(pid_t pid) { return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM); }

std::optional<std::string> proc_comm(pid_t pid) {
  auto text = read_small_file(proc_path(pid, "comm"), 64);
  if (!text) return std::nullopt;
  // Only the kernel's own newline goes: a name may end in one too ("a\n"
  // reads "a\n\n").
  if (!text->empty() && text->back() == '\n') text->pop_back();
  return text;
}

std::optional<uint64_t> proc_status_number(pid_t pid, std::string_view name) {
  auto text = read_small_file(proc_path(pid, "status"), 8192);
  if (!text) return std::nullopt;
  const std::string key = std::string(name) + ":";
  size_t at = 0;
  if (text->starts_with(key))
    at = key.size();
  else if (size_t line = text->find("\n" + key); line != std::string::npos)
    at = line + 1 + key.size();
  else
    return std::nullopt;
  // "Uid:\t0\t0\t0\t0": the first of the numbers.
  const std::string_view rest = std::string_view(*text).substr(at);
  const size_t start = rest.find_first_not_of(" \t");
  if (start == std::string_view::npos) return std::nullopt;
  return number(rest.substr(start, rest.find_first_not_of("0123456789", start) - start));
}

std::optional<uint64_t> proc_stat_number(pid_t pid, int field) {
  if (field < 3) return std::nullopt;
  auto text = read_small_file(proc_path(pid, "stat"));
  if (!text) return std::nullopt;
  const size_t close = text->rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream in(text->substr(close + 1));
  std::string word;
  for (int n = 3; n <= field; ++n) {
    if (!(in >> word)) return std::nullopt;
  }
  return number(word);
}

}  // namespace syslat::util
