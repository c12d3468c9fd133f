// The pprof writer (export/pprof_writer.h): its file gunzipped and parsed
// back with the classes protoc generated from Debian's profile.proto, and
// read once by protoc itself (--decode), a decoder that is not ours.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <zlib.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "export/pprof_writer.h"
#include "pprof_sample.h"
#include "profile.pb.h"

using namespace syslat::core;
namespace pb = perftools::profiles;

namespace {

class TempFile {
 public:
  TempFile() {
    char name[] = "/tmp/syslat-pprof-XXXXXX";
    const int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    ::close(fd);
    path_ = name;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string gunzip(const std::string& gz) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);  // gzip only: a bare deflate stream fails
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  char buf[4096];
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    REQUIRE((rc == Z_OK || rc == Z_STREAM_END));
    out.append(buf, sizeof buf - z.avail_out);
  } while (rc != Z_STREAM_END);
  CHECK(z.avail_in == 0);  // nothing after the gzip member
  inflateEnd(&z);
  return out;
}

// Writes `profile` to a file, as the CLI does, and reads it back.
pb::Profile round_trip(const StackProfile& profile, std::string* raw = nullptr) {
  TempFile file;
  {
    std::ofstream out(file.path(), std::ios::binary);
    auto written = syslat::exporter::write_pprof(profile, out);
    REQUIRE(written.has_value());
  }
  const std::string bytes = gunzip(read_all(file.path()));
  pb::Profile p;
  REQUIRE(p.ParseFromString(bytes));
  if (raw) *raw = bytes;
  return p;
}

struct View {
  const pb::Profile& p;
  std::string s(int64_t i) const {
    REQUIRE(i >= 0);
    REQUIRE(i < p.string_table_size());
    return p.string_table(static_cast<int>(i));
  }
  const pb::Location& location(uint64_t id) const {
    for (const auto& l : p.location())
      if (l.id() == id) return l;
    FAIL("no location " << id);
    return p.location(0);
  }
  const pb::Function& function(uint64_t id) const {
    for (const auto& f : p.function())
      if (f.id() == id) return f;
    FAIL("no function " << id);
    return p.function(0);
  }
  const pb::Mapping& mapping(uint64_t id) const {
    for (const auto& m : p.mapping())
      if (m.id() == id) return m;
    FAIL("no mapping " << id);
    return p.mapping(0);
  }
  // A location as "name file:line" per Line, innermost first, joined by " / ".
  std::string lines(uint64_t location_id) const {
    std::string text;
    for (const auto& line : location(location_id).line()) {
      const pb::Function& f = function(line.function_id());
      if (!text.empty()) text += " / ";
      text += s(f.name());
      if (!s(f.filename()).empty()) text += fmt::format(" {}:{}", s(f.filename()), line.line());
    }
    return text;
  }
  // The sample's stack leaf first, each location by its out-of-line
  // function (the last Line), or "0x..." without a Line.
  std::vector<std::string> stack(const pb::Sample& sample) const {
    std::vector<std::string> names;
    for (uint64_t id : sample.location_id()) {
      const pb::Location& l = location(id);
      names.push_back(l.line_size() ? s(function(l.line(l.line_size() - 1).function_id()).name())
                                    : fmt::format("{:#x}", l.address()));
    }
    return names;
  }
  std::map<std::string, std::string> str_labels(const pb::Sample& sample) const {
    std::map<std::string, std::string> out;
    for (const auto& l : sample.label())
      if (l.str()) out[s(l.key())] = s(l.str());
    return out;
  }
  int64_t num_label(const pb::Sample& sample, const std::string& key) const {
    for (const auto& l : sample.label())
      if (s(l.key()) == key && !l.str()) return l.num();
    FAIL("no numeric label " << key);
    return -1;
  }
};

}  // namespace

TEST_CASE("pprof: sample types, period and duration, off_cpu_time only when measured", "[export][pprof]") {
  const pb::Profile p = round_trip(slt::pprof_sample_profile());
  const View v{p};
  REQUIRE(p.string_table_size() > 0);
  CHECK(p.string_table(0).empty());
  REQUIRE(p.sample_type_size() == 2);
  CHECK(v.s(p.sample_type(0).type()) == "calls");
  CHECK(v.s(p.sample_type(0).unit()) == "count");
  CHECK(v.s(p.sample_type(1).type()) == "syscall_time");
  CHECK(v.s(p.sample_type(1).unit()) == "nanoseconds");
  CHECK(v.s(p.period_type().type()) == "calls");
  CHECK(v.s(p.period_type().unit()) == "count");
  CHECK(p.period() == 1);
  CHECK(v.s(p.default_sample_type()) == "syscall_time");
  CHECK(p.duration_nanos() == 2'500'000'000);
  for (const auto& s : p.sample()) CHECK(s.value_size() == 2);

  const pb::Profile off = round_trip(slt::pprof_sample_profile(true));
  const View vo{off};
  REQUIRE(off.sample_type_size() == 3);
  CHECK(vo.s(off.sample_type(2).type()) == "off_cpu_time");
  CHECK(vo.s(off.sample_type(2).unit()) == "nanoseconds");
  REQUIRE(off.sample_size() == 4);
  CHECK(off.sample(0).value(2) == 4'000'000);
  CHECK(off.sample(3).value(2) == 2'500'000);
}

TEST_CASE("pprof: one sample per row, its values and labels, totals as the rows'", "[export][pprof]") {
  const StackProfile profile = slt::pprof_sample_profile();
  const pb::Profile p = round_trip(profile);
  const View v{p};
  REQUIRE(p.sample_size() == static_cast<int>(profile.rows.size()));
  int64_t calls = 0, ns = 0, row_calls = 0, row_ns = 0;
  for (size_t i = 0; i < profile.rows.size(); ++i) {
    const StackRow& row = profile.rows[i];
    const pb::Sample& s = p.sample(static_cast<int>(i));
    INFO("row " << i << " " << row.syscall);
    REQUIRE(s.value_size() == 2);
    CHECK(s.value(0) == static_cast<int64_t>(row.calls));
    CHECK(s.value(1) == static_cast<int64_t>(row.total_ns));
    const auto labels = v.str_labels(s);
    CHECK(labels.at("syscall") == row.syscall);
    CHECK(labels.at("comm") == row.comm);
    CHECK(v.num_label(s, "pid") == row.pid);
    calls += s.value(0);
    ns += s.value(1);
    row_calls += static_cast<int64_t>(row.calls);
    row_ns += static_cast<int64_t>(row.total_ns);
  }
  CHECK(calls == row_calls);
  CHECK(ns == row_ns);
  CHECK(calls == 115);
  CHECK(ns == 8'940'000);
}

TEST_CASE("pprof: stacks leaf first, the syscall at the tip and the process at the root", "[export][pprof]") {
  const pb::Profile p = round_trip(slt::pprof_sample_profile());
  const View v{p};
  REQUIRE(p.sample_size() == 4);
  using S = std::vector<std::string>;
  CHECK(v.stack(p.sample(0)) == S{"read", "__read", "load_config", "main", "__libc_start_call_main", "wl_stacks"});
  CHECK(v.stack(p.sample(1)) == S{"write", "__write", "main", "__libc_start_call_main", "wl_stacks"});
  // No stack: one frame that says why, under the process.
  CHECK(v.stack(p.sample(2)) == S{"openat", "[stack lost: stack map full]", "wl_stacks"});
  // An address nothing names: a Location without a Line.
  CHECK(v.stack(p.sample(3)) == S{"epoll_wait", "aeApiPoll", "0x9999", "__libc_start_call_main", "redis-server"});
  // The synthetic frames are no code: no mapping, no address.
  for (uint64_t id : {p.sample(0).location_id(0), p.sample(0).location_id(5), p.sample(2).location_id(1)}) {
    CHECK(v.location(id).mapping_id() == 0);
    CHECK(v.location(id).address() == 0);
  }
  // One Location per (process, address), shared by the rows that have it.
  CHECK(p.sample(0).location_id(4) == p.sample(1).location_id(3));
  CHECK(p.sample(0).location_id(4) != p.sample(3).location_id(3));
  CHECK(p.sample(0).location_id(5) == p.sample(2).location_id(2));
  // 7 synthetic (4 syscalls, 2 processes, 1 lost stack), 6 in 4242, 3 in 777.
  CHECK(p.location_size() == 16);
}

TEST_CASE("pprof: a location's Lines are its functions, inlined first, with their files and lines",
          "[export][pprof]") {
  const pb::Profile p = round_trip(slt::pprof_sample_profile());
  const View v{p};
  const pb::Sample& read = p.sample(0);
  CHECK(v.lines(read.location_id(2)) ==
        "read_line /src/wl_stacks.c:30 / parse_config /src/wl_stacks.c:42 / load_config /src/wl_stacks.c:57");
  CHECK(v.location(read.location_id(2)).address() == 0x555500001240);
  CHECK(v.lines(read.location_id(3)) == "main /src/wl_stacks.c:80");
  CHECK(v.lines(p.sample(1).location_id(2)) == "main /src/wl_stacks.c:81");
  // Without DWARF: the ELF symbol, no file, no line.
  const pb::Location& libc_read = v.location(read.location_id(1));
  REQUIRE(libc_read.line_size() == 1);
  CHECK(libc_read.line(0).line() == 0);
  CHECK(v.lines(read.location_id(1)) == "__read");
  CHECK(v.location(p.sample(3).location_id(2)).line_size() == 0);
  CHECK(v.location(p.sample(3).location_id(2)).address() == 0x9999);
  // A function named once: main at two addresses is one Function.
  CHECK(v.location(read.location_id(3)).line(0).function_id() ==
        v.location(p.sample(1).location_id(2)).line(0).function_id());
  const pb::Function& main = v.function(v.location(read.location_id(3)).line(0).function_id());
  CHECK(v.s(main.system_name()) == "main");
  CHECK(v.s(main.filename()) == "/src/wl_stacks.c");
}

TEST_CASE("pprof: a mapping per process and module, with its build id and what is named in it",
          "[export][pprof]") {
  const pb::Profile p = round_trip(slt::pprof_sample_profile());
  const View v{p};
  // wl_stacks and libc in 4242, redis-server and libc in 777.
  REQUIRE(p.mapping_size() == 4);
  const pb::Mapping& wl = v.mapping(v.location(p.sample(0).location_id(2)).mapping_id());
  CHECK(v.s(wl.filename()) == "/usr/bin/wl_stacks");
  CHECK(v.s(wl.build_id()) == "4f1c0e7d2b9a8c6e5d4f3a2b1c0d9e8f7a6b5c4d");
  CHECK(wl.memory_start() == 0x555500001000);
  CHECK(wl.memory_limit() == 0x555500003000);
  CHECK(wl.file_offset() == 0x1000);
  // Every wl_stacks frame has DWARF.
  CHECK(wl.has_functions());
  CHECK(wl.has_filenames());
  CHECK(wl.has_line_numbers());
  CHECK(wl.has_inline_frames());
  const pb::Mapping& libc = v.mapping(v.location(p.sample(0).location_id(1)).mapping_id());
  CHECK(v.s(libc.filename()) == "/usr/lib/x86_64-linux-gnu/libc.so.6");
  CHECK(v.s(libc.build_id()) == "c0ffee00112233445566778899aabbccddeeff00");
  // Symbols only.
  CHECK(libc.has_functions());
  CHECK_FALSE(libc.has_filenames());
  CHECK_FALSE(libc.has_line_numbers());
  CHECK_FALSE(libc.has_inline_frames());
  const pb::Mapping& libc_redis = v.mapping(v.location(p.sample(3).location_id(3)).mapping_id());
  CHECK(libc_redis.id() != libc.id());
  CHECK(v.s(libc_redis.build_id()) == v.s(libc.build_id()));
  const pb::Mapping& redis = v.mapping(v.location(p.sample(3).location_id(1)).mapping_id());
  CHECK(v.s(redis.filename()) == "/usr/bin/redis-server");
  CHECK(v.s(redis.build_id()).empty());
  // The frame no module maps has no mapping.
  CHECK(v.location(p.sample(3).location_id(2)).mapping_id() == 0);
}

TEST_CASE("pprof: calls lost and stacks unnamed are said in comments, nothing when none", "[export][pprof]") {
  StackProfile profile = slt::pprof_sample_profile();
  const pb::Profile p = round_trip(profile);
  const View v{p};
  REQUIRE(p.comment_size() == 2);
  CHECK(v.s(p.comment(0)).starts_with("5 calls lost: "));
  CHECK(v.s(p.comment(1)).starts_with("1 stacks unnamed: "));
  profile.rows_lost = profile.stacks_unnamed = 0;
  CHECK(round_trip(profile).comment_size() == 0);
}

TEST_CASE("pprof: names a process controls are escaped, so the file stays valid UTF-8", "[export][pprof]") {
  StackProfile profile = slt::pprof_sample_profile();
  profile.rows[0].comm = "bad\xff\x1b[2Jname";
  profile.rows[0].frames[0].symbol = "sym\x80";
  const pb::Profile p = round_trip(profile);  // parsing checks proto3's UTF-8
  const View v{p};
  CHECK(v.str_labels(p.sample(0)).at("comm") == "bad\\377\\33[2Jname");
  CHECK(v.stack(p.sample(0))[1] == "sym\\200");
}

TEST_CASE("pprof: an empty profile is a valid one", "[export][pprof]") {
  const pb::Profile p = round_trip(StackProfile{});
  CHECK(p.sample_size() == 0);
  CHECK(p.sample_type_size() == 2);
  CHECK(p.string_table(0).empty());
}

TEST_CASE("pprof: a failing stream is an error", "[export][pprof]") {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  const auto written = syslat::exporter::write_pprof(slt::pprof_sample_profile(), out);
  REQUIRE_FALSE(written.has_value());
  CHECK(written.error().message == "pprof: writing the profile failed");
}

TEST_CASE("pprof: protoc --decode, a decoder not ours, reads the file", "[export][pprof]") {
  std::string raw;
  const pb::Profile p = round_trip(slt::pprof_sample_profile(), &raw);
  TempFile in, out;
  {
    std::ofstream f(in.path(), std::ios::binary);
    f << raw;
  }
  const std::string cmd = fmt::format("'{}' --proto_path='{}' --decode=perftools.profiles.Profile profile.proto < '{}' > '{}' 2>&1",
                                      SYSLAT_PROTOC, SYSLAT_PPROF_PROTO_DIR, in.path(), out.path());
  const int rc = std::system(cmd.c_str());
  const std::string text = read_all(out.path());
  INFO(cmd << "\n" << text);
  REQUIRE(rc == 0);
  size_t samples = 0;
  for (size_t at = text.find("\nsample {"); at != std::string::npos; at = text.find("\nsample {", at + 1)) ++samples;
  CHECK(samples == 4);
  CHECK(text.find("string_table: \"syscall_time\"") != std::string::npos);
  CHECK(text.find("string_table: \"[stack lost: stack map full]\"") != std::string::npos);
  CHECK(text.find("duration_nanos: 2500000000") != std::string::npos);
  // A truncated file is refused by it: the check can fail.
  {
    std::ofstream f(in.path(), std::ios::binary | std::ios::trunc);
    f << raw.substr(0, raw.size() / 2);
  }
  CHECK(std::system(cmd.c_str()) != 0);
}
