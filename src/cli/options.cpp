#include "cli/options.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fmt/format.h>
#include <string>

#include "cli/cgroup_target.h"
#include "core/errno_names.h"
#include "core/syscall_set.h"
#include "syslat.h"
#include "util/cgroup.h"
#include "util/duration.h"
#include "util/escape.h"
#include "util/proc.h"
#include "util/strings.h"

namespace syslat::cli {
namespace {

enum LongOnly {
  kMinDuration = 1000,
  kSort,
  kCsv,
  kBackend,
  kMaxProcesses,
  kThreadComm,
  kUnit,
  kThreshold,
  kStack,
  kKstack,
  kBatch,
  kListen,
  kBuckets,
  kStates,
  kTrace,
  kAttach,
  kFentry,
  kBySyscall,
  kMaxFunctions,
  kKernel,
  kStacks,
  kByFunction,
  kMaxStacks,
  kStackSample,
  kSkipModules,
  kHtml,
  kRunAs,
  kWeight,
  kFormat,
  kAnomalyScore,
  kLearn,
  kAutoFloor,
};

const option kLongOptions[] = {
    {"pid", required_argument, nullptr, 'p'},
    {"tid", required_argument, nullptr, 't'},
    {"comm", required_argument, nullptr, 'n'},
    {"uid", required_argument, nullptr, 'u'},
    {"cgroup", required_argument, nullptr, 'c'},
    {"unit", required_argument, nullptr, kUnit},
    {"syscall", required_argument, nullptr, 'S'},
    {"failures", no_argument, nullptr, 'x'},
    {"errno", required_argument, nullptr, 'e'},
    {"min-duration", required_argument, nullptr, kMinDuration},
    {"interval", required_argument, nullptr, 'i'},
    {"duration", required_argument, nullptr, 'd'},
    {"top", required_argument, nullptr, 'T'},
    {"sort", required_argument, nullptr, kSort},
    {"latency", no_argument, nullptr, 'L'},
    {"milliseconds", no_argument, nullptr, 'm'},
    {"states", no_argument, nullptr, kStates},
    {"process", no_argument, nullptr, 'P'},
    {"list", no_argument, nullptr, 'l'},
    {"json", no_argument, nullptr, 'j'},
    {"csv", no_argument, nullptr, kCsv},
    {"backend", required_argument, nullptr, kBackend},
    {"output", required_argument, nullptr, 'o'},
    {"max-processes", required_argument, nullptr, kMaxProcesses},
    {"thread-comm", no_argument, nullptr, kThreadComm},
    {"threshold", required_argument, nullptr, kThreshold},
    {"stack", no_argument, nullptr, kStack},
    {"kstack", no_argument, nullptr, kKstack},
    {"batch", no_argument, nullptr, 'b'},
    {"listen", required_argument, nullptr, kListen},
    {"buckets", required_argument, nullptr, kBuckets},
    {"trace", no_argument, nullptr, kTrace},
    {"attach", required_argument, nullptr, kAttach},
    {"fentry", no_argument, nullptr, kFentry},
    {"by-syscall", no_argument, nullptr, kBySyscall},
    {"max-functions", required_argument, nullptr, kMaxFunctions},
    {"kernel", required_argument, nullptr, kKernel},
    {"stacks", no_argument, nullptr, kStacks},
    {"by-function", no_argument, nullptr, kByFunction},
    {"max-stacks", required_argument, nullptr, kMaxStacks},
    {"stack-sample", required_argument, nullptr, kStackSample},
    {"skip-modules", required_argument, nullptr, kSkipModules},
    {"html", required_argument, nullptr, kHtml},
    {"run-as", required_argument, nullptr, kRunAs},
    {"weight", required_argument, nullptr, kWeight},
    {"format", required_argument, nullptr, kFormat},
    {"anomaly-score", required_argument, nullptr, kAnomalyScore},
    {"learn", required_argument, nullptr, kLearn},
    {"auto-floor", required_argument, nullptr, kAutoFloor},
    {"verbose", no_argument, nullptr, 'v'},
    {"help", no_argument, nullptr, 'h'},
    {"version", no_argument, nullptr, 'V'},
    {nullptr, 0, nullptr, 0},
};
constexpr double kMinInterval = 0.01;  // -i

// '+': stop at the first non-option, which starts the command (as strace does).
constexpr const char* kShortOptions = "+p:t:n:u:c:S:xe:i:d:T:LmPljo:bvhV";

util::Error bad(const std::string& option, const std::string& what) {
  return util::make_error(option + ": " + what);
}

// A count option's value: an integer in lo..hi ("'0' is out of range
// (expected a number of stacks, 1..131072)").
util::Expected<uint32_t> count_in(const std::string& option, const std::string& value, uint64_t lo, uint64_t hi,
                                  std::string_view what) {
  auto n = util::parse_u64(value);
  if (!n || *n < lo || *n > hi)
    return bad(option, fmt::format("'{}' is out of range (expected {}, {}..{})", value, what, lo, hi));
  return static_cast<uint32_t>(*n);
}

bool thread_exists(uint32_t tid) {
  struct stat st {};
  return stat(("/proc/" + std::to_string(tid)).c_str(), &st) == 0;
}

util::Expected<uint32_t> parse_uid(std::string_view text) {
  if (auto n = util::parse_u64(text); n && *n <= UINT32_MAX) return static_cast<uint32_t>(*n);
  if (const passwd* pw = getpwnam(std::string(text).c_str())) return pw->pw_uid;
  return bad("-u/--uid", fmt::format("no such user: '{}' (expected a UID or user name)", text));
}

// "127.0.0.1:9476", "[::1]:9476", "0.0.0.0:9476", "localhost:9476".
util::Expected<ListenAddress> parse_listen(std::string_view text) {
  const auto wrong = [&](std::string_view why) {
    return bad("--listen", fmt::format("'{}': {} (expected ADDR:PORT, e.g. 127.0.0.1:9476 or [::1]:9476)", text, why));
  };
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return wrong("no port");
  ListenAddress a;
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    a.ipv6 = true;
  }
  a.host = host == "localhost" ? "127.0.0.1" : std::string(host);
  unsigned char addr[16];
  if (a.host.empty()) return wrong("no address");
  if (inet_pton(a.ipv6 ? AF_INET6 : AF_INET, a.host.c_str(), addr) != 1)
    return wrong(a.ipv6 ? "not an IPv6 address" : "not an IPv4 address ([...] for IPv6)");
  const auto port = util::parse_u64(text.substr(colon + 1));
  if (!port || *port == 0 || *port > 65535) return wrong("the port is not 1..65535");
  a.port = static_cast<int>(*port);
  return a;
}

util::Expected<std::vector<uint64_t>> parse_buckets(std::string_view text) {
  std::vector<uint64_t> bounds;
  for (std::string_view item : util::split(text, ',')) {
    auto ns = util::parse_duration_ns(util::trim(item));
    if (!ns || *ns == 0)
      return bad("--buckets", fmt::format("'{}': {} (expected DUR,DUR,... such as 1ms,10ms,100ms)", item,
                                          ns ? "must be above 0" : ns.error().message));
    bounds.push_back(*ns);
  }
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  return bounds;
}

template <class T>
util::Expected<T> with_option(const std::string& option, util::Expected<T> r) {
  if (!r) return bad(option, r.error().message);
  return r;
}

// Applies one option to `o`; returns an error for a bad value.
util::Expected<void> apply_option(int c, const char* arg, CommonOptions& o) {
  const std::string value = arg ? arg : "";
  switch (c) {
    case 'p': {
      auto ids = parse_ids("-p/--pid", value, false);
      if (!ids) return ids.error();
      o.filter.pids.insert(o.filter.pids.end(), ids->begin(), ids->end());
      return {};
    }
    case 't': {
      auto ids = parse_ids("-t/--tid", value, true);
      if (!ids) return ids.error();
      o.filter.tids.insert(o.filter.tids.end(), ids->begin(), ids->end());
      return {};
    }
    case 'n': {
      auto comm = parse_comm("-n/--comm", value);
      if (!comm) return comm.error();
      o.filter.comm = *comm;
      return {};
    }
    case 'u': {
      auto uid = parse_uid(value);
      if (!uid) return uid.error();
      o.filter.uid = *uid;
      return {};
    }
    case 'c': {
      if (o.unit) return bad("-c/--cgroup", "cannot be combined with --unit (expected one cgroup: -c PATH|ID or --unit NAME)");
      auto dir = resolve_cgroup_option(value);
      if (!dir) return dir.error();
      o.cgroup = value;
      o.filter.cgroup_path = *dir;
      return {};
    }
    case kUnit: {
      if (o.filter.cgroup_path && !o.unit)
        return bad("--unit", "cannot be combined with -c/--cgroup (expected one cgroup: -c PATH|ID or --unit NAME)");
      auto dir = resolve_unit_option(value);
      if (!dir) return dir.error();
      o.unit = util::systemd_unit_name(value);
      o.filter.cgroup_path = *dir;
      return {};
    }
    case 'S': {
      auto set = with_option("-S/--syscall", core::parse_syscall_list(value));
      if (!set) return set.error();
      o.filter.syscalls = *set;
      return {};
    }
    case 'x': o.filter.failed_only = true; return {};
    case 'e': {
      auto e = core::parse_errno(value);
      if (!e) return bad("-e/--errno", fmt::format("unknown error '{}' (expected a name such as ENOENT, or a number)", value));
      o.filter.errno_value = *e;
      return {};
    }
    case kMinDuration: {
      auto d = with_option("--min-duration", util::parse_duration_ns(value));
      if (!d) return d.error();
      o.filter.min_duration_ns = *d;
      return {};
    }
    case 'i': {
      auto s = with_option("-i/--interval", util::parse_seconds(value));
      if (!s) return s.error();
      // Shorter, the reports are only noise (and come as fast as the loop spins).
      if (*s < kMinInterval)
        return bad("-i/--interval", fmt::format("'{}' is too short (expected at least {} seconds)", value, kMinInterval));
      o.interval_s = *s;
      return {};
    }
    case 'd': {
      auto s = with_option("-d/--duration", util::parse_seconds(value));
      if (!s) return s.error();
      o.duration_s = *s;
      return {};
    }
    case 'T': {
      auto n = util::parse_u64(value);
      if (!n) return bad("-T/--top", fmt::format("'{}' is not a number of rows (expected N >= 0; 0 = all)", value));
      o.top = static_cast<size_t>(*n);
      return {};
    }
    case kSort: {
      o.sort_self = value == "self";
      if (o.sort_self) return {};
      auto k = core::parse_sort_key(value);
      if (!k) return bad("--sort", fmt::format("unknown key '{}' (expected count, rate, time, avg, max, errors or offcpu)", value));
      o.sort = *k;
      return {};
    }
    case 'L': o.latency = true; return {};
    case 'm': o.milliseconds = true; return {};
    case kStates: o.states = true; return {};
    case 'P': o.per_process = true; return {};
    case 'l': o.list = true; return {};
    case 'j':
    case kCsv: {
      const auto format = c == 'j' ? exporter::Format::Json : exporter::Format::Csv;
      if (o.format != exporter::Format::Text && o.format != format)
        return bad(c == 'j' ? "-j/--json" : "--csv", "cannot be combined with the other output format (expected one of -j or --csv)");
      o.format = format;
      return {};
    }
    case kBackend:
      if (value == "auto") o.backend = Backend::Auto;
      else if (value == "bpf") o.backend = Backend::Bpf;
      else if (value == "ptrace") o.backend = Backend::Ptrace;
      else return bad("--backend", fmt::format("unknown backend '{}' (expected auto, bpf or ptrace)", value));
      return {};
    case 'o':
      if (value.empty()) return bad("-o/--output", "empty file name (expected FILE)");
      o.output_path = value;
      return {};
    case kMaxProcesses: {
      auto n = count_in("--max-processes", value, 1, kMaxMaxProcesses, "a number of processes");
      if (!n) return n.error();
      o.max_processes = *n;
      return {};
    }
    case kThreadComm: o.filter.thread_comm = true; return {};
    case kThreshold:
      if (auto ok = o.thresholds.add(value); !ok) return bad("--threshold", ok.error().message);
      o.slow_options = true;
      return {};
    case kStack: o.user_stack = o.slow_options = true; return {};
    case kKstack: o.kernel_stack = o.slow_options = true; return {};
    case 'b': o.batch = true; return {};
    case kListen: {
      auto a = parse_listen(value);
      if (!a) return a.error();
      o.listen = *a;
      return {};
    }
    case kBuckets: {
      auto b = parse_buckets(value);
      if (!b) return b.error();
      o.bucket_bounds_ns = *b;
      return {};
    }
    case kTrace: o.trace_calls = o.func_options = true; return {};
    case kFentry:
    case kAttach: {
      const std::string mode = c == kFentry ? "fentry" : value;
      if (mode != "kprobe.multi" && mode != "kprobe" && mode != "fentry")
        return bad("--attach", fmt::format("unknown way '{}' (expected kprobe.multi, kprobe or fentry)", value));
      if (o.attach && *o.attach != mode)
        return bad(c == kFentry ? "--fentry" : "--attach", fmt::format("conflicts with --attach {}", *o.attach));
      o.attach = mode;
      o.func_options = true;
      return {};
    }
    case kBySyscall: o.by_syscall = o.func_options = true; return {};
    case kMaxFunctions: {
      auto n = count_in("--max-functions", value, 1, 100000, "a number of functions");
      if (!n) return n.error();
      o.max_functions = *n;
      o.func_options = true;
      return {};
    }
    case kKernel:
      for (std::string_view item : util::split(value, ',')) {
        if (util::trim(item).empty())
          return bad("--kernel", fmt::format("'{}': an empty name (expected FUNC[,FUNC...] or default)", value));
        o.kernel_functions.emplace_back(util::trim(item));
      }
      return {};
    case kAnomalyScore: {
      if (value == "off") {
        o.anomaly_score = 0;
        return {};
      }
      char* end = nullptr;
      const double score = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !(score > 0) || score > 1000)
        return bad("--anomaly-score", fmt::format("'{}' is not a score (expected robust units, e.g. 5, or off)", value));
      o.anomaly_score = score;
      return {};
    }
    case kLearn: {
      auto n = count_in("--learn", value, 2, 10000, "a number of intervals");
      if (!n) return n.error();
      o.learn_intervals = *n;
      return {};
    }
    case kAutoFloor: {
      auto d = with_option("--auto-floor", util::parse_duration_ns(value));
      if (!d) return d.error();
      o.auto_floor_ns = *d;
      o.slow_options = true;
      return {};
    }
    case kStacks: o.stacks = true; return {};
    case kByFunction: o.by_function = o.stacks = true; return {};
    case kMaxStacks: {
      auto n = count_in("--max-stacks", value, 1, kMaxMaxStacks, "a number of stacks");
      if (!n) return n.error();
      o.max_stacks = *n;
      o.stack_options = true;
      return {};
    }
    case kStackSample: {
      auto n = count_in("--stack-sample", value, 1, kMaxStackSample, "N of 1 call in N");
      if (!n) return n.error();
      o.stack_sample = *n;
      o.stack_options = true;
      return {};
    }
    case kRunAs: {
      auto who = util::lookup_user(value);
      if (!who) return who.error();
      o.run_as = std::move(*who);
      return {};
    }
    case kHtml:
      if (value.empty()) return bad("--html", "an empty file name (expected --html FILE)");
      o.html_path = value;
      return {};
    case kSkipModules: {
      std::vector<std::string> prefixes;
      for (std::string_view item : util::split(value, ',')) {
        if (util::trim(item).empty()) {
          if (value.empty()) break;  // '': look past nothing
          return bad("--skip-modules", fmt::format("'{}': an empty name (expected PREFIX[,PREFIX...], e.g. libc.so,libpython3)", value));
        }
        prefixes.emplace_back(util::trim(item));
      }
      o.skip_modules = std::move(prefixes);
      return {};
    }
    case kWeight:
      if (value != "time" && value != "calls")
        return bad("--weight", fmt::format("unknown weight '{}' (expected time or calls)", value));
      o.weight = value;
      o.stack_options = true;
      return {};
    case kFormat:
      if (value != "folded" && value != "pprof")
        return bad("--format", fmt::format("unknown profile format '{}' (expected folded or pprof)", value));
      o.profile_format = value;
      o.stack_options = true;
      return {};
    case 'v': o.verbose = true; return {};
    case 'h': o.help = true; return {};
    case 'V': o.version = true; return {};
  }
  return util::make_error("unknown option");
}

// What getopt_long refused in `word` (the argument it was reading): an
// unknown option, a known one without its value, or a value given to a flag.
// getopt leaves optopt 0 for an unknown long option, the letter for an
// unknown short one, and the option's code for a known one misused.
std::string option_error(std::string_view word) {
  const bool is_long = word.starts_with("--");
  const std::string name = is_long ? std::string(word.substr(0, word.find('='))) : fmt::format("-{}", static_cast<char>(optopt));
  const option* known = nullptr;
  for (const option* o = kLongOptions; o->name; ++o)
    if (optopt && o->val == optopt) known = o;
  const bool short_known = optopt > 0 && optopt < 256 && std::isalnum(optopt) &&
                           std::string_view(kShortOptions).find(static_cast<char>(optopt)) != std::string_view::npos;
  if (!known && !short_known) return fmt::format("{}: unknown option (see --help)", name);
  if (known && known->has_arg == no_argument) return fmt::format("{}: takes no value (see --help)", name);
  return fmt::format("{}: missing value (see --help)", name);
}

}  // namespace

util::Expected<std::vector<uint32_t>> parse_ids(const std::string& option, std::string_view text, bool threads) {
  const char* form = threads ? "TID[,TID...]" : "PID[,PID...]";
  std::vector<uint32_t> ids;
  for (std::string_view item : util::split(text, ',')) {
    auto n = util::parse_u64(util::trim(item));
    if (!n || *n == 0 || *n >= (1u << SYSLAT_PID_BITS))
      return bad(option, fmt::format("'{}' is not a {} (expected {})", item, threads ? "TID" : "PID", form));
    const auto id = static_cast<uint32_t>(*n);
    if (!(threads ? thread_exists(id) : util::process_alive(static_cast<pid_t>(id))))
      return bad(option, fmt::format("no such {}: {} (expected {})", threads ? "thread" : "process", id, form));
    ids.push_back(id);
  }
  return ids;
}

util::Expected<std::string> parse_comm(const std::string& option, std::string_view text) {
  if (text.empty()) return bad(option, "empty name (expected a process name, as in /proc/PID/comm)");
  // The kernel keeps 15 bytes of a name: a longer one matches no comm as
  // given, and cut to 15 it would stand for more than was asked.
  if (text.size() > SYSLAT_COMM_LEN - 1)
    return bad(option, fmt::format("'{}' is {} bytes, longer than any process name (expected at most {} bytes, as in "
                                   "/proc/PID/comm)", text, text.size(), SYSLAT_COMM_LEN - 1));
  return std::string(text);
}


static util::Expected<CommonOptions> parse_argv(int argc, char** argv, bool positional) {
  CommonOptions o;
  // Positional: options are read up to `--` only, and getopt permutes the
  // words among them to the end of that part.
  int end = argc;
  if (positional)
    for (int i = 1; i < argc; ++i)
      if (std::string_view(argv[i]) == "--") {
        end = i;
        break;
      }
  const char* shorts = positional ? kShortOptions + 1 : kShortOptions;  // without the leading '+'
  optind = 0;  // 0, not 1: glibc then also forgets where it was inside a word ("-xq") of an earlier argv
  opterr = 0;  // our own one-line messages
  for (;;) {
    const int prev = optind == 0 ? 1 : optind;  // the word getopt is in
    const int c = getopt_long(end, argv, shorts, kLongOptions, nullptr);
    if (c == -1) break;
    if (c == '?' || c == ':') return util::make_error(option_error(prev < end ? argv[prev] : "?"));
    if (auto ok = apply_option(c, optarg, o); !ok) return ok.error();
  }
  if (positional) {
    for (int i = optind; i < end; ++i) o.functions.emplace_back(argv[i]);
    for (int i = end + 1; i < argc; ++i) o.command.emplace_back(argv[i]);
    if (end < argc && o.command.empty()) return util::make_error("--: missing command (expected -- CMD ARGS...)");
  } else {
    for (int i = optind; i < argc; ++i) o.command.emplace_back(argv[i]);
    if (o.command.empty() && optind > 1 && std::string_view(argv[optind - 1]) == "--")
      return util::make_error("--: missing command (expected -- CMD ARGS...)");
  }
  if (!o.command.empty() && (!o.filter.pids.empty() || !o.filter.tids.empty()))
    return util::make_error("-- CMD: cannot be combined with -p/-t (expected either a command or PIDs)");
  if (o.run_as && o.command.empty())
    return util::make_error("--run-as: only for a command it launches (expected --run-as USER -- CMD)");
  if (o.skip_modules && !o.by_function)
    return util::make_error("--skip-modules: only with --by-function (expected --by-function --skip-modules LIST)");
  if (o.stack_options && !o.stacks)
    return util::make_error("--max-stacks, --stack-sample, --weight and --format: only with --stacks (expected --stacks -o FILE.folded)");
  if (o.auto_floor_ns && !o.thresholds.any_auto())
    return util::make_error("--auto-floor: only with --threshold auto (expected --threshold auto --auto-floor DUR)");
  if (o.max_processes && !o.per_process)
    return util::make_error("--max-processes: only counts with -P/--process (expected -P --max-processes N)");
  return o;
}

util::Expected<CommonOptions> parse_common_options(int argc, char** argv, bool positional) {
  auto o = parse_argv(argc, argv, positional);
  if (!o) return util::make_error(util::escaped(o.error().message));  // values quoted in it may hold newlines, escapes
  for (int i = 0; i < argc; ++i) o->invocation += (i ? " " : "") + util::shell_quoted(argv[i]);
  return o;
}

uint32_t process_map_entries(uint32_t processes) {
  return static_cast<uint32_t>(std::min<uint64_t>(uint64_t{processes} * kSyscallsPerProcess, kMaxMaxProcesses * kSyscallsPerProcess));
}

core::AnomalyConfig anomaly_config(const CommonOptions& o) {
  core::AnomalyConfig config;
  config.min_score = o.anomaly_score;
  if (o.learn_intervals) config.learn_intervals = *o.learn_intervals;
  return config;
}

// -P and --max-processes as the report tools take them.
static std::string per_process_help() {
  return fmt::format(
      "  -P, --process            break down per process\n"
      "      --max-processes N    -P: processes counted one by one (default {}); the kernel\n"
      "                           keeps room for N x {} (process, syscall) pairs, and calls\n"
      "                           that find it full are counted and shown as lost\n",
      kDefaultMaxProcesses, kSyscallsPerProcess);
}

std::string help_text(const std::string& prog, const CommandSpec& spec) {
  return fmt::format(
      "Usage: {} {}\n\n{}\n\n"
      "Letters follow bcc/libbpf-tools syscount (-c cgroup, -e errno); systrace follows strace.\n"
      "Filters:\n"
      "  -p, --pid PID[,PID...]   only these processes (all their threads)\n"
      "  -t, --tid TID[,TID...]   only these threads\n"
      "  -n, --comm NAME          only processes named NAME (as ps and /proc/PID/comm show,\n"
      "                           at most 15 bytes; threads renamed by the program still match)\n"
      "      --thread-comm        -n matches each thread's own name instead\n"
      "  -u, --uid UID|USER       only this user\n"
      "  -c, --cgroup PATH|ID     only tasks in this cgroup v2 directory (and below), or in\n"
      "                           the cgroup with this id (as bpftool cgroup shows it)\n"
      "      --unit NAME          only tasks of this systemd unit (and below); a name\n"
      "                           without a suffix means NAME.service\n"
      "  -S, --syscall LIST       names, numbers, classes (%file %net %process %memory\n"
      "                           %signal %ipc %desc %time); a leading ! excludes\n"
      "  -x, --failures           only failed calls\n"
      "  -e, --errno NAME         only calls that failed with this error\n"
      "      --min-duration DUR   ignore calls faster than DUR (500ns, 20us, 10ms, 1.5s)\n"
      "Reporting:\n"
      "  -i, --interval SEC       print every SEC (default: once, at the end)\n"
      "      --anomaly-score X|off  -i: flag a syscall whose p50, p99 or calls/s rises X robust\n"
      "                           units (default 5) and x2 (x4 for calls/s) over its baseline\n"
      "                           (median and MAD of past intervals, log scale); off: none\n"
      "      --learn N            intervals a baseline needs before it judges (default 10)\n"
      "  -d, --duration SEC       stop after SEC\n"
      "  -T, --top N              rows to show (default 10 for tables, all for -j/--csv; 0 = all)\n"
      "      --sort KEY           count, rate, time, avg, max, errors or offcpu\n"
      "  -L, --latency            add TOTAL/AVG/MAX latency columns (times every call)\n"
      "  -m, --milliseconds       latency columns in ms instead of us\n"
      "      --states             where the time went: on CPU, runqueue, I/O wait, sleep\n"
      "                           (syscount: implies -L; syslat, sysslow, syslat-top and\n"
      "                           syslatd always split it)\n"
      "{}"
      "  -l, --list               list known syscalls with numbers and classes\n"
      "  -j, --json               newline-delimited JSON\n"
      "      --csv                CSV with a header line\n"
      "                           (time: when a report's interval or a slow call ended,\n"
      "                           start: when it began; wall clock, UTC, RFC 3339)\n"
      "  -o, --output FILE        write reports to FILE\n"
      "      --html FILE          also write the run as one self-contained HTML page: the\n"
      "                           table, latency histograms and heatmaps over time, with\n"
      "                           --stacks the flame graph, sysslow's slowest calls\n"
      "      --backend auto|bpf|ptrace  auto (default): BPF, or ptrace when BPF cannot load and\n"
      "                           there is -- CMD or -p (said on stderr); ptrace: always (slower)\n"
      "  -v, --verbose            show libbpf messages\n"
      "  -h, --help               this text\n"
      "      --run-as USER        -- CMD runs as USER (uid, groups, HOME), as sudo -u does\n"
      "  -- CMD ARGS...           run CMD and trace it and its children from its execve on;\n"
      "                           the exit status is CMD's; a stop signal or -d is passed\n"
      "                           on to CMD (-d as SIGTERM), a second one kills it\n"
      "{}",
      prog, spec.usage, spec.description, spec.per_process ? spec.per_process : per_process_help(),
      spec.options ? spec.options : "");
}

}  // namespace syslat::cli
