#include "cli/trace_options.h"

#include <fmt/format.h>

#include <string_view>

#include "cli/options.h"
#include "util/escape.h"
#include "util/strings.h"

namespace syslat::cli {
namespace {

constexpr size_t kMaxStringLimit = 1 << 20;

util::Error bad(const std::string& option, const std::string& what) { return util::make_error(option + ": " + what); }

// The value of a letter that takes one: the rest of the word ("-s64") or the
// next word ("-s 64").
std::optional<std::string_view> value_of(std::string_view word, size_t at, int& i, int argc, char** argv) {
  if (at + 1 < word.size()) return word.substr(at + 1);
  if (i + 1 < argc) return std::string_view(argv[++i]);
  return std::nullopt;
}

}  // namespace

static util::Expected<TraceOptions> parse_argv(int argc, char** argv) {
  TraceOptions o;
  bool trace_given = false;
  bool only_summary = false, with_summary = false;  // -c, -C
  int i = 1;
  for (; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word == "--") {
      ++i;
      break;
    }
    if (word.size() < 2 || word[0] != '-') break;  // the command starts here, as in strace
    if (word == "--help") {
      o.help = true;
      continue;
    }
    if (word == "--version") {
      o.version = true;
      continue;
    }
    if (word == "--seccomp-bpf") {
      o.seccomp = true;
      continue;
    }
    if (word.starts_with("--"))
      return bad(std::string(word), "unknown option (expected -f -p -e -T -t -s -y -o -c -C -j, see --help)");
    for (size_t at = 1; at < word.size(); ++at) {
      const char letter = word[at];
      const std::string opt = std::string("-") + letter;
      switch (letter) {
        case 'f': o.follow_forks = true; continue;
        case 'T': o.show_time = true; continue;
        case 't': o.timestamps = std::min(o.timestamps + 1, 3); continue;
        case 'y': o.show_fd_paths = true; continue;
        case 'c': o.summary = true; o.trace_lines = false; only_summary = true; continue;
        case 'C': o.summary = true; o.trace_lines = true; with_summary = true; continue;
        case 'j': o.json = true; continue;
        case 'h': o.help = true; continue;
        case 'V': o.version = true; continue;
        case 'p': case 'e': case 's': case 'o': case 'u': break;
        default: return bad(opt, "unknown option (expected -f -p -e -T -t -s -y -o -u -c -C -j, see --help)");
      }
      auto value = value_of(word, at, i, argc, argv);
      if (!value) return bad(opt, "missing value (see --help)");
      if (letter == 'p') {
        auto ids = parse_ids("-p", *value, false);
        if (!ids) return ids.error();
        o.pids.insert(o.pids.end(), ids->begin(), ids->end());
      } else if (letter == 'e') {
        if (auto ok = trace::apply_trace_expression(*value, o.expr); !ok)
          return bad("-e", ok.error().message);
        const std::string_view v = *value;
        if (v.find('=') == std::string_view::npos || v.starts_with("trace=") || v.starts_with("t=")) trace_given = true;
      } else if (letter == 'u') {
        auto who = util::lookup_user(*value, "-u");
        if (!who) return who.error();
        o.run_as = std::move(*who);
      } else if (letter == 's') {
        auto n = util::parse_u64(*value);
        if (!n || *n > kMaxStringLimit)
          return bad("-s", fmt::format("'{}' is not a string size (expected 0..{})", *value, kMaxStringLimit));
        o.max_string = static_cast<size_t>(*n);
      } else {
        if (value->empty()) return bad("-o", "empty file name (expected -o FILE)");
        o.output_path = std::string(*value);
      }
      break;  // the value used the rest of the word
    }
  }
  for (; i < argc; ++i) o.command.emplace_back(argv[i]);
  if (o.help || o.version) return o;
  if (o.command.empty() && o.pids.empty()) return bad("-- CMD", "nothing to trace (expected -p PID or a command)");
  if (only_summary && with_summary)
    return bad("-C", "cannot be combined with -c (expected -c for only the summary, or -C for the trace and the summary)");
  if (only_summary && o.json) return bad("-j", "cannot be combined with -c, which prints no calls (expected -j or -c)");
  if (!o.command.empty() && !o.pids.empty())
    return bad("-p", "give either -p PID or a command, not both (expected one of them)");
  // Like strace --seccomp-bpf: only for a launched command (a filter cannot
  // be added to a running process), and -f is implied (the filter is inherited).
  if (trace_given && !o.command.empty() && o.expr.trace) o.seccomp = true;
  if (o.seccomp && o.command.empty()) o.seccomp = false;
  if (o.run_as && o.command.empty()) return bad("-u", "only for a command it launches (expected -u USER CMD)");
  return o;
}

util::Expected<TraceOptions> parse_trace_options(int argc, char** argv) {
  auto o = parse_argv(argc, argv);
  if (!o) return util::make_error(util::escaped(o.error().message));  // values quoted in it may hold newlines, escapes
  return o;
}

std::string trace_help(const std::string& prog) {
  return fmt::format(
      "Usage: {0} [-f] [-p PID[,PID]] [-e trace=LIST] [-e status=failed] [-T] [-t|-tt|-ttt] [-s N] [-y]\n"
      "       {1:{2}} [-o FILE] [-u USER] [-c|-C] [-j] [--seccomp-bpf] [--] CMD [ARGS...]\n"
      "\n"
      "Trace the system calls of a command (or of running processes with -p) with ptrace,\n"
      "like strace, whose options and output it follows. No BPF and no privilege beyond\n"
      "ptrace's are needed. Lines go to stderr (or -o FILE), the command's output is its own.\n"
      "Letters follow strace (-c summary, -e trace=); the BPF tools follow bcc's syscount.\n"
      "\n"
      "  -f               follow forks, vforks and clones (\"[pid N]\" prefixes)\n"
      "  -p PID[,PID]     attach to running processes; Ctrl-C detaches. As strace: the thread\n"
      "                   PID names; with -f every thread, new ones and children too\n"
      "  -e trace=LIST    only these syscalls: names, numbers, classes (%file %desc %net\n"
      "                   %process %memory %signal %ipc %clock), all, none; '!' negates.\n"
      "                   With a command, a seccomp-bpf filter keeps other calls from stopping it\n"
      "  -e status=LIST   only calls that are successful, failed (or '!' the opposite)\n"
      "  -T               time spent in each call <seconds>\n"
      "  -t, -tt, -ttt    timestamps: seconds, microseconds, epoch seconds.microseconds\n"
      "  -s N             show at most N bytes of strings and buffers (default 32)\n"
      "  -y               fds with their paths: 3</etc/passwd>\n"
      "  -o FILE          write the trace (or summary) to FILE\n"
      "  -u USER          run the command as USER (uid, groups, HOME), as strace -u\n"
      "  -c               only a summary table at the end, like strace -c. Time is wall time\n"
      "                   from entry to exit of each call measured by the tracer (strace -c\n"
      "                   shows system CPU time unless -w). exit and exit_group are counted\n"
      "  -C               the trace and the summary\n"
      "  -j               one NDJSON object per completed call (\"type\":\"trace\"; \"time\"\n"
      "                   when it returned, \"start\" when it was entered)\n"
      "      --seccomp-bpf  stop only at traced calls (implied by -e trace= with a command)\n"
      "  -h, --help       this text;  -V, --version\n"
      "\n"
      "Examples: {0} -f -e trace=%file -- make     {0} -c -- ls     {0} -p 1234 -T -y\n",
      prog, "", prog.size());
}

}  // namespace syslat::cli
