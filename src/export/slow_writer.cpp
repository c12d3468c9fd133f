#include "export/slow_writer.h"

#include "export/json_report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/errno_names.h"
#include "core/report.h"
#include "export/csv_report.h"
#include "export/time_split_text.h"
#include "util/duration.h"
#include "util/escape.h"
#include "util/time.h"

namespace syslat::exporter {
namespace {

using Json = nlohmann::ordered_json;

// When the call began: its end less its duration.
int64_t start_ns(const core::SlowEvent& e) { return static_cast<int64_t>(e.time_ns) - static_cast<int64_t>(e.duration_ns); }

// Frames name files and symbols of the traced program: anyone's bytes.
std::string joined_stack(const std::vector<std::string>& frames, const char* sep) {
  std::string out;
  for (const auto& f : frames) {
    if (!out.empty()) out += sep;
    util::append_escaped(out, f);
  }
  return out;
}


// 14:02:11.532  read() took 45.2ms: on-CPU 0.3ms, I/O 44.9ms (switched out 3 times)  = 8192
//   PID 1842  TID 1845  UID 999  COMM postgres
//   read(7</var/lib/x>, 0x7f3a..., 8192)
//   stack: heap_fetch+0x42 (/usr/bin/postgres) <- index_getnext+0x1a (...)
//   kstack (I/O 40.1ms): __schedule+0x2b1 <- io_schedule+0x46 <- ...
class TextSlowWriter final : public SlowWriter {
 public:
  explicit TextSlowWriter(std::ostream& out) : out_(out) {}
  void event(const core::SlowRecord& r) override {
    const auto& e = r.event;
    const std::string split = e.split ? ": " + split_durations(*e.split, e.duration_ns) : "";
    out_ << fmt::format("{}  {}() took {}{}  {}\n", util::clock_hms_ms(e.time_ns), core::display_name(e.id),
                        util::format_duration_ns(e.duration_ns), split, util::escaped(r.result));
    out_ << fmt::format("  PID {}  TID {}  UID {}  COMM {}\n", e.pid, e.tid, e.uid, util::escaped(e.comm));
    out_ << "  " << util::escaped(r.call) << '\n';  // decoded text is escaped already: unchanged
    if (!r.user_stack.empty()) out_ << "  stack: " << joined_stack(r.user_stack, " <- ") << '\n';
    if (!r.kernel_stack.empty()) {
      // The stack of its longest block, and that block.
      const auto& b = e.kernel_stack_block;
      out_ << (b ? fmt::format("  kstack ({} {}): ", core::off_state_text(b->first), util::format_duration_ns(b->second))
                 : std::string("  kstack: "))
           << joined_stack(r.kernel_stack, " <- ") << '\n';
    }
    out_.flush();
  }
  void lost(uint64_t n) override {
    out_ << fmt::format("LOST: {} slow {} (ring buffer full)\n", n, n == 1 ? "event" : "events");
    out_.flush();
  }
  void summary(uint64_t events, uint64_t lost) override {
    out_ << fmt::format("{} slow {}", events, events == 1 ? "call" : "calls");
    if (lost) out_ << fmt::format(", LOST: {} (ring buffer full)", lost);
    out_ << '\n';
    out_.flush();
  }

 private:
  std::ostream& out_;
};

// docs/cli.md: {"type":"slow",...}; lost events as {"type":"lost",...}; the end
// as {"type":"slow_summary",...}.
class JsonSlowWriter final : public SlowWriter {
 public:
  explicit JsonSlowWriter(std::ostream& out) : out_(out) {}
  void event(const core::SlowRecord& r) override {
    out_ << call_json(r, "slow") << '\n';
    out_.flush();
  }
  void lost(uint64_t n) override { line({{"type", "lost"}, {"time", util::rfc3339_now()}, {"lost", n}}); }
  void summary(uint64_t events, uint64_t lost) override {
    line({{"type", "slow_summary"}, {"time", util::rfc3339_now()}, {"events", events}, {"lost", lost}});
  }

 private:
  void line(const Json& j) {
    out_ << json_line(j) << '\n';
    out_.flush();
  }
  std::ostream& out_;
};

class CsvSlowWriter final : public SlowWriter {
 public:
  explicit CsvSlowWriter(std::ostream& out) : out_(out) {
    out_ << "time,start,pid,tid,uid,comm,syscall,nr,abi,ret,errno,duration_ns,oncpu_ns,runq_ns,iowait_ns,sleep_ns,"
            "switches,arg0,arg1,arg2,arg3,arg4,arg5,decoded,stack\n";
  }
  void event(const core::SlowRecord& r) override {
    const auto& e = r.event;
    const bool failed = core::is_error_return(e.ret);
    out_ << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}", util::rfc3339_utc(static_cast<int64_t>(e.time_ns)),
                        util::rfc3339_utc(start_ns(e)), e.pid,
                        e.tid, e.uid, csv_field(e.comm), csv_field(core::slot_name(e.id)),
                        e.id.nr == core::kUnknownOverflow ? "" : std::to_string(e.id.nr), core::abi_name(e.id.abi),
                        e.ret, failed ? core::errno_name(static_cast<int>(-e.ret)) : "", e.duration_ns);
    if (const auto& s = e.split)  // empty cells where the backend does not split (ptrace)
      out_ << fmt::format(",{},{},{},{},{}", s->oncpu_ns(e.duration_ns), s->runq_ns, s->iowait_ns, s->sleep_ns, s->switches);
    else
      out_ << ",,,,,";
    for (uint64_t a : e.args) out_ << fmt::format(",{:#x}", a);
    out_ << ',' << csv_field(r.call) << ',' << csv_field(joined_stack(r.user_stack, " <- ")) << '\n';
    out_.flush();
  }
  // CSV has rows of one shape only: losses go to the summary on stderr.
  void lost(uint64_t) override {}
  void summary(uint64_t, uint64_t) override {}

 private:
  std::ostream& out_;
};

}  // namespace

std::string call_json(const core::SlowRecord& r, std::string_view type) {
  const auto& e = r.event;
  Json j;
  j["type"] = type;
  j["time"] = util::rfc3339_utc(static_cast<int64_t>(e.time_ns));  // the call's end
  j["start"] = util::rfc3339_utc(start_ns(e));
  j["pid"] = e.pid;
  j["tid"] = e.tid;
  j["uid"] = e.uid;
  j["comm"] = e.comm;
  j["syscall"] = core::slot_name(e.id);
  j["nr"] = e.id.nr == core::kUnknownOverflow ? Json(nullptr) : Json(e.id.nr);
  j["abi"] = core::abi_name(e.id.abi);
  j["ret"] = e.ret;
  const bool failed = core::is_error_return(e.ret);
  j["errno"] = failed ? Json(core::errno_name(static_cast<int>(-e.ret))) : Json(nullptr);
  j["duration_ns"] = e.duration_ns;
  if (const auto& s = e.split) {  // they add up to duration_ns
    j["oncpu_ns"] = s->oncpu_ns(e.duration_ns);
    j["runq_ns"] = s->runq_ns;
    j["iowait_ns"] = s->iowait_ns;
    j["sleep_ns"] = s->sleep_ns;
    j["switches"] = s->switches;
  }
  j["args"] = e.args;
  j["decoded"] = r.call;
  if (e.path) j["path"] = *e.path;
  if (type == "slow") {
    j["stack"] = r.user_stack;
    if (!r.kernel_stack.empty()) j["kstack"] = r.kernel_stack;
    if (const auto& b = e.kernel_stack_block) {  // the block the kstack is of
      j["kstack_state"] = core::off_state_key(b->first);
      j["kstack_off_ns"] = b->second;
    }
  } else {
    j["result"] = r.result;
  }
  return json_line(j);
}

std::unique_ptr<SlowWriter> make_slow_writer(std::ostream& out, Format format) {
  switch (format) {
    case Format::Json: return std::make_unique<JsonSlowWriter>(out);
    case Format::Csv: return std::make_unique<CsvSlowWriter>(out);
    case Format::Text: break;
  }
  return std::make_unique<TextSlowWriter>(out);
}

}  // namespace syslat::exporter
