// systrace's -e expressions: trace=LIST (bare LIST too), status=LIST.
#include <catch2/catch.hpp>

#include "core/syscall_table.h"
#include "trace/summary.h"
#include "trace/trace_expr.h"

using syslat::trace::apply_trace_expression;
using syslat::trace::TraceExpr;

namespace {
int nr(const char* name) { return *syslat::core::syscall_number(name); }
}  // namespace

TEST_CASE("systrace -e trace=LIST selects those calls, a bare LIST too", "[trace_expr]") {
  TraceExpr e;
  REQUIRE(apply_trace_expression("trace=openat,close", e));
  REQUIRE(e.trace);
  CHECK(e.trace->test(nr("openat")));
  CHECK(e.trace->test(nr("close")));
  CHECK_FALSE(e.trace->test(nr("read")));
  TraceExpr bare;
  REQUIRE(apply_trace_expression("read", bare));
  CHECK(bare.trace->count() == 1);
  TraceExpr cls;
  REQUIRE(apply_trace_expression("trace=%file", cls));
  CHECK(cls.trace->test(nr("openat")));
  CHECK_FALSE(cls.trace->test(nr("getpid")));
}

TEST_CASE("systrace -e trace=!LIST negates, all means no selection at all", "[trace_expr]") {
  TraceExpr e;
  REQUIRE(apply_trace_expression("trace=!futex", e));
  CHECK_FALSE(e.trace->test(nr("futex")));
  CHECK(e.trace->test(nr("read")));
  REQUIRE(apply_trace_expression("trace=all", e));
  CHECK_FALSE(e.trace);  // later expressions replace earlier ones
}

TEST_CASE("systrace -e status= chooses successful and failed calls", "[trace_expr]") {
  TraceExpr e;
  REQUIRE(apply_trace_expression("status=failed", e));
  CHECK(e.show_failed);
  CHECK_FALSE(e.show_successful);
  REQUIRE(apply_trace_expression("status=!failed", e));
  CHECK_FALSE(e.show_failed);
  CHECK(e.show_successful);
  REQUIRE(apply_trace_expression("status=all", e));
  CHECK((e.show_failed && e.show_successful));
}

TEST_CASE("systrace: bad -e expressions name the bad part and change nothing", "[trace_expr]") {
  TraceExpr e;
  REQUIRE(apply_trace_expression("trace=read", e));
  auto bad = apply_trace_expression("trace=opne", e);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("'opne'") != std::string::npos);
  CHECK(e.trace->test(nr("read")));
  auto status = apply_trace_expression("status=sometimes", e);
  REQUIRE_FALSE(status);
  CHECK(status.error().message.find("'sometimes'") != std::string::npos);
  CHECK(e.show_failed);
  auto qual = apply_trace_expression("colour=red", e);
  REQUIRE_FALSE(qual);
  CHECK(qual.error().message.find("'colour'") != std::string::npos);
}

TEST_CASE("a selection applies to i386 calls through their x86_64 twin", "[trace_expr]") {
  TraceExpr e;
  REQUIRE(apply_trace_expression("trace=read", e));
  CHECK(syslat::trace::set_selects(*e.trace, syslat::core::SyscallId(nr("read"))));
  CHECK(syslat::trace::set_selects(*e.trace, syslat::core::SyscallId(syslat::core::Abi::I386, 3)));  // i386 read
  CHECK_FALSE(syslat::trace::set_selects(*e.trace, syslat::core::SyscallId(syslat::core::Abi::I386, 4)));
  CHECK_FALSE(syslat::trace::set_selects(*e.trace, syslat::core::SyscallId(999)));
}
