#include "export/pprof_writer.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cmath>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "profile.pb.h"  // generated from Debian's profile.proto (src/CMakeLists.txt)
#include "util/escape.h"

namespace syslat::exporter {

namespace {

namespace pb = perftools::profiles;

// Every string that a traced process controls (its name, its files' paths,
// its symbols) goes in escaped, as in every text output (docs/cli.md): pprof
// prints names on terminals, and proto3 strings must be UTF-8, which a
// parser checks (bytes that are not would make the whole file unreadable).
std::string safe(std::string_view text) { return util::escaped(text); }

class ProfileBuilder {
 public:
  explicit ProfileBuilder(const core::StackProfile& profile) : profile_(profile) { str(""); }

  pb::Profile build() {
    value_type(p_.add_sample_type(), "calls", "count");
    value_type(p_.add_sample_type(), "syscall_time", "nanoseconds");
    if (profile_.off_cpu_measured) value_type(p_.add_sample_type(), "off_cpu_time", "nanoseconds");
    value_type(p_.mutable_period_type(), "calls", "count");
    p_.set_period(1);
    // The value viewers show first (pprof's default: the last type).
    p_.set_default_sample_type(str("syscall_time"));
    p_.set_duration_nanos(profile_.duration_s > 0 ? std::llround(profile_.duration_s * 1e9) : 0);
    for (const core::StackRow& row : profile_.rows) add_sample(row);
    finish_mappings();
    if (const std::string note = core::sampling_note(profile_); !note.empty()) p_.add_comment(str(note));
    if (profile_.rows_lost)
      p_.add_comment(str(fmt::format("{} {} lost: their (process, stack, syscall) keys did not fit the "
                                     "kernel's table, so they are in no sample",
                                     profile_.rows_lost, profile_.sample_every > 1 ? "sampled calls" : "calls")));
    if (profile_.stacks_unnamed)
      p_.add_comment(str(fmt::format("{} stacks unnamed: their processes were gone before their frames "
                                     "could be named (addresses only)",
                                     profile_.stacks_unnamed)));
    return std::move(p_);
  }

 private:
  // Synthetic frames: not code, so their Function is keyed by kind too (a
  // process named "read" is not the syscall read).
  enum class Synthetic { Syscall, Comm, Missing };

  struct MappingState {
    uint64_t id = 0;
    bool functions = true, filenames = true, line_numbers = true, inline_frames = true;
  };

  int64_t str(const std::string& s) {
    auto [it, added] = strings_.try_emplace(s, p_.string_table_size());
    if (added) p_.add_string_table(s);
    return it->second;
  }

  void value_type(pb::ValueType* vt, const std::string& type, const std::string& unit) {
    vt->set_type(str(type));
    vt->set_unit(str(unit));
  }

  uint64_t function(const std::string& name, const std::string& filename) {
    const auto key = std::make_tuple(-1, name, filename);
    return function_for(key, name, filename);
  }

  uint64_t function_for(const std::tuple<int, std::string, std::string>& key, const std::string& name,
                        const std::string& filename) {
    auto [it, added] = functions_.try_emplace(key, p_.function_size() + 1);
    if (added) {
      pb::Function* f = p_.add_function();
      f->set_id(it->second);
      f->set_name(str(name));
      // Only the demangled name is known: it is the system name too.
      f->set_system_name(str(name));
      f->set_filename(str(filename));
    }
    return it->second;
  }

  uint64_t synthetic_location(Synthetic kind, const std::string& name) {
    const uint64_t fid = function_for(std::make_tuple(static_cast<int>(kind), name, std::string()), name, "");
    auto [it, added] = synthetic_locations_.try_emplace(fid, p_.location_size() + 1);
    if (added) {
      pb::Location* loc = p_.add_location();
      loc->set_id(it->second);
      loc->add_line()->set_function_id(fid);
    }
    return it->second;
  }

  MappingState& mapping(uint32_t pid, const core::FrameModule& m) {
    const auto key = std::make_tuple(pid, m.path, m.build_id, m.start, m.limit, m.file_offset);
    auto [it, added] = mappings_.try_emplace(key);
    if (added) {
      it->second.id = p_.mapping_size() + 1;
      pb::Mapping* pm = p_.add_mapping();
      pm->set_id(it->second.id);
      pm->set_memory_start(m.start);
      pm->set_memory_limit(m.limit);
      pm->set_file_offset(m.file_offset);
      pm->set_filename(str(safe(m.path)));
      pm->set_build_id(str(m.build_id));
    }
    return it->second;
  }

  uint64_t location(uint32_t pid, const core::SymbolizedFrame& frame) {
    auto [it, added] = locations_.try_emplace(std::make_pair(pid, frame.address), p_.location_size() + 1);
    if (!added) return it->second;
    pb::Location* loc = p_.add_location();
    loc->set_id(it->second);
    loc->set_address(frame.address);
    const std::string symbol = safe(frame.symbol);
    // DWARF: one Line per function at the address, the innermost inlined
    // one first and the out-of-line function last, as pprof orders them.
    for (const core::SourceLine& line : frame.lines) {
      std::string name = line.function.empty() ? symbol : safe(line.function);
      if (name.empty()) name = fmt::format("{:#x}", frame.address);
      pb::Line* pl = loc->add_line();
      pl->set_function_id(function(name, safe(line.file)));
      pl->set_line(line.line);
    }
    // Without DWARF, the ELF symbol (no file, no line); an address nothing
    // names has no Line at all, and viewers show the address.
    if (frame.lines.empty() && !frame.symbol.empty()) loc->add_line()->set_function_id(function(symbol, ""));
    if (frame.module) {
      MappingState& m = mapping(pid, *frame.module);
      loc->set_mapping_id(m.id);
      const bool dwarf = !frame.lines.empty();
      m.functions = m.functions && loc->line_size() > 0;
      m.inline_frames = m.inline_frames && dwarf;
      for (const core::SourceLine& line : frame.lines) {
        m.filenames = m.filenames && !line.file.empty();
        m.line_numbers = m.line_numbers && line.line != 0;
      }
      if (!dwarf) m.filenames = m.line_numbers = false;
    }
    return it->second;
  }

  // The flags say what holds for every location in the mapping, so a tool
  // that symbolizes what is not (pprof) knows where to look.
  void finish_mappings() {
    for (const auto& [key, state] : mappings_) {
      pb::Mapping* pm = p_.mutable_mapping(static_cast<int>(state.id - 1));
      pm->set_has_functions(state.functions);
      pm->set_has_filenames(state.filenames);
      pm->set_has_line_numbers(state.line_numbers);
      pm->set_has_inline_frames(state.inline_frames);
    }
  }

  void label(pb::Sample* s, const std::string& key, const std::string& text) {
    pb::Label* l = s->add_label();
    l->set_key(str(key));
    l->set_str(str(text));
  }

  void add_sample(const core::StackRow& row) {
    pb::Sample* s = p_.add_sample();
    const std::string comm = safe(row.comm);
    // The syscall is the leaf-most frame, as offcputime puts the kernel's
    // side at the tip: a flame graph then shows which calls each stack made
    // and their time, not only the stack.
    s->add_location_id(synthetic_location(Synthetic::Syscall, row.syscall));
    for (const core::SymbolizedFrame& frame : row.frames) s->add_location_id(location(row.pid, frame));
    // No stack captured: one frame that says why, right under the process.
    if (row.frames.empty() && !row.missing.empty())
      s->add_location_id(synthetic_location(Synthetic::Missing, "[" + safe(row.missing) + "]"));
    // The process's name is the root, as in the folded output (the pid is
    // a label: processes of one name share their root, as there).
    s->add_location_id(synthetic_location(Synthetic::Comm, comm));
    s->add_value(static_cast<int64_t>(row.calls));
    s->add_value(static_cast<int64_t>(row.total_ns));
    if (profile_.off_cpu_measured) s->add_value(static_cast<int64_t>(row.off_cpu_ns));
    label(s, "syscall", row.syscall);
    label(s, "comm", comm);
    pb::Label* pid = s->add_label();
    pid->set_key(str("pid"));
    pid->set_num(row.pid);
  }

  const core::StackProfile& profile_;
  pb::Profile p_;
  std::unordered_map<std::string, int64_t> strings_;
  std::map<std::tuple<int, std::string, std::string>, uint64_t> functions_;  // (kind or -1, name, file)
  std::map<uint64_t, uint64_t> synthetic_locations_;                          // function id -> location id
  std::map<std::tuple<uint32_t, std::string, std::string, uint64_t, uint64_t, uint64_t>, MappingState> mappings_;
  std::map<std::pair<uint32_t, uint64_t>, uint64_t> locations_;  // (pid, address) -> location id
};

util::Expected<void> gzip_to(const std::string& data, std::ostream& out) {
  z_stream z{};
  // 15 + 16: a gzip header and trailer around the deflate stream.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return util::make_error("pprof: cannot start gzip compression (zlib)");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::vector<char> buf(64 * 1024);
  int rc = Z_OK;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf.data());
    z.avail_out = static_cast<uInt>(buf.size());
    rc = deflate(&z, Z_FINISH);
    if (rc == Z_STREAM_ERROR) break;
    out.write(buf.data(), static_cast<std::streamsize>(buf.size() - z.avail_out));
  } while (rc != Z_STREAM_END && out);
  deflateEnd(&z);
  if (rc == Z_STREAM_ERROR) return util::make_error("pprof: gzip compression failed (zlib)");
  out.flush();
  if (!out) return util::make_error("pprof: writing the profile failed");
  return {};
}

}  // namespace

util::Expected<void> write_pprof(const core::StackProfile& profile, std::ostream& out) {
  const pb::Profile p = ProfileBuilder(profile).build();
  std::string bytes;
  if (!p.SerializeToString(&bytes))
    return util::make_error(fmt::format("pprof: the profile cannot be encoded ({} bytes: protobuf's limit is 2 GiB)",
                                        p.ByteSizeLong()));
  return gzip_to(bytes, out);
}

}  // namespace syslat::exporter
