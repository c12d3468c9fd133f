// The text of a traced kernel function call: arguments by their BTF types,
// the file name read through one of them (escaped), and the return value.
#include <catch2/catch.hpp>

#include <array>
#include <string>

#include "decode/func_args.h"

using namespace syslat::core;
using syslat::decode::format_func_args;
using syslat::decode::format_func_return;
using syslat::decode::format_func_value;

namespace {

FuncValueType integer(std::string spelling, uint8_t size, bool is_signed) {
  return {std::move(spelling), FuncValueShape::Integer, size, is_signed, {}};
}
FuncValueType pointer_to(std::string spelling) { return {std::move(spelling), FuncValueShape::Pointer, 8, false, {}}; }

// ssize_t vfs_read(struct file *file, char *buf, size_t count, loff_t *pos)
FuncSignature vfs_read() {
  FuncSignature s;
  s.known = true;
  s.params = {{"file", pointer_to("struct file *"), FuncArgKind::File, 0},
              {"buf", pointer_to("char *"), FuncArgKind::Value, 1},
              {"count", integer("size_t", 8, false), FuncArgKind::Value, 2},
              {"pos", pointer_to("loff_t *"), FuncArgKind::Value, 3}};
  s.ret = integer("ssize_t", 8, true);
  return s;
}

}  // namespace

TEST_CASE("func args: a call of vfs_read with its file's name", "[decode]") {
  const auto sig = vfs_read();
  CHECK(sig.arg_kinds() == std::array<FuncArgKind, 6>{FuncArgKind::File});
  const std::array<uint64_t, 6> args{0xffff888012345600, 0x7ffd5e2c1000, 4096, 0xffffb1c2c3d4e5f8, 7, 7};
  CHECK(format_func_args(sig, args, 0, "notes.txt") ==
        "file=\"notes.txt\" buf=0x7ffd5e2c1000 count=4096 pos=0xffffb1c2c3d4e5f8");
  // No name read: the pointer. A NULL pointer reads NULL.
  CHECK(format_func_args(sig, {0xffff888012345600, 0, 1, 0, 0, 0}, -1, "") ==
        "file=0xffff888012345600 buf=NULL count=1 pos=NULL");
  CHECK(format_func_return(sig, 4096) == "= 4096");
  CHECK(format_func_return(sig, static_cast<uint64_t>(-2)) == "= -2 (ENOENT)");
  CHECK(format_func_return(sig, static_cast<uint64_t>(-512)) == "= -512 (ERESTARTSYS)");
  CHECK(format_func_return(sig, static_cast<uint64_t>(-4095)) == "= -4095");
  CHECK(format_func_return(sig, static_cast<uint64_t>(-4096)) == "= -4096");  // not an errno
}

TEST_CASE("func args: a file name is quoted and escaped", "[decode]") {
  const auto sig = vfs_read();
  CHECK(format_func_args(sig, {1, 2, 3, 4, 0, 0}, 0, "a\"b\\c\n\x1b[31m") ==
        "file=\"a\\\"b\\\\c\\n\\33[31m\" buf=0x2 count=3 pos=0x4");
  CHECK(format_func_args(sig, {1, 2, 3, 4, 0, 0}, 0, "") == "file=\"\" buf=0x2 count=3 pos=0x4");
}

TEST_CASE("func args: integers are cut to their size and sign", "[decode]") {
  // A register's upper bits are undefined for an int: the probe sees them.
  CHECK(format_func_value(integer("int", 4, true), 0xdeadbeefffffffff) == "-1");
  CHECK(format_func_value(integer("unsigned int", 4, false), 0xdeadbeefffffffff) == "4294967295");
  CHECK(format_func_value(integer("umode_t", 2, false), 0x12340000000081a4) == "33188");
  CHECK(format_func_value(integer("short", 2, true), 0xffff) == "-1");
  CHECK(format_func_value(integer("char", 1, true), 0x141) == "65");
  CHECK(format_func_value(integer("loff_t", 8, true), static_cast<uint64_t>(-5)) == "-5");
  CHECK(format_func_value(integer("u64", 8, false), UINT64_MAX) == "18446744073709551615");
  const FuncValueType boolean{"bool", FuncValueShape::Bool, 1, false, {}};
  CHECK(format_func_value(boolean, 0x100) == "false");
  CHECK(format_func_value(boolean, 1) == "true");
  const FuncValueType other{"struct kiocb", FuncValueShape::Other, 48, false, {}};
  CHECK(format_func_value(other, 0x10) == "0x10");
  const FuncValueType small{"irqentry_state_t", FuncValueShape::Other, 1, false, {}};
  CHECK(format_func_value(small, 0xffffff01) == "0x1");
}

TEST_CASE("func args: enums by constant name, else the number", "[decode]") {
  const FuncValueType pid_type{"enum pid_type", FuncValueShape::Enum, 4, false,
                               {{"PIDTYPE_PID", 0}, {"PIDTYPE_TGID", 1}, {"PIDTYPE_PGID", 2}}};
  CHECK(format_func_value(pid_type, 1) == "PIDTYPE_TGID");
  CHECK(format_func_value(pid_type, 0xffffffff00000002) == "PIDTYPE_PGID");
  CHECK(format_func_value(pid_type, 9) == "9");
  const FuncValueType signed_enum{"enum x", FuncValueShape::Enum, 4, true, {{"X_NEG", -1}}};
  CHECK(format_func_value(signed_enum, 0xffffffff) == "X_NEG");
  CHECK(format_func_value(signed_enum, 0xfffffffe) == "-2");
}

TEST_CASE("func args: returns of pointers, bools, void, and unknown signatures", "[decode]") {
  FuncSignature s;
  s.known = true;
  s.params = {{"name", pointer_to("const char *"), FuncArgKind::Value, 0}};
  s.ret = pointer_to("struct file *");
  CHECK(format_func_return(s, 0xffff888001234500) == "= 0xffff888001234500");
  CHECK(format_func_return(s, 0) == "= NULL");
  CHECK(format_func_return(s, static_cast<uint64_t>(-2)) == "= -ENOENT");
  CHECK(format_func_return(s, static_cast<uint64_t>(-12)) == "= -ENOMEM");
  CHECK(format_func_return(s, static_cast<uint64_t>(-4000)) == "= -4000");
  s.ret = {"bool", FuncValueShape::Bool, 1, false, {}};
  CHECK(format_func_return(s, 1) == "= true");
  s.ret = integer("unsigned long", 8, false);
  CHECK(format_func_return(s, static_cast<uint64_t>(-2)) == "= 18446744073709551614");  // unsigned: no errno
  s.ret = integer("int", 4, true);
  CHECK(format_func_return(s, 0xffffffff0000000d) == "= 13");
  CHECK(format_func_return(s, 0x00000000fffffff2) == "= -14 (EFAULT)");
  s.ret = {"void", FuncValueShape::Void, 0, false, {}};
  CHECK(format_func_return(s, 1234).empty());

  const FuncSignature unknown;
  CHECK(format_func_args(unknown, {1, 0, 0x10, 4, 5, 0xffffffffffffffff}, 0, "x") ==
        "arg1=0x1 arg2=0 arg3=0x10 arg4=0x4 arg5=0x5 arg6=0xffffffffffffffff");
  CHECK(format_func_return(unknown, 16) == "= 0x10");
}

TEST_CASE("func args: unnamed parameters, stack arguments, variadic functions", "[decode]") {
  FuncSignature s;
  s.known = true;
  for (int i = 0; i < 6; ++i) s.params.push_back({"", integer("int", 4, true), FuncArgKind::Value, i});
  s.params.push_back({"seventh", integer("int", 4, true), FuncArgKind::Value, -1});
  s.ret = {"void", FuncValueShape::Void, 0, false, {}};
  CHECK(format_func_args(s, {1, 2, 3, 4, 5, 6}, -1, "") == "arg1=1 arg2=2 arg3=3 arg4=4 arg5=5 arg6=6 ...");

  // void io_req_task_complete(struct io_kiocb *req, io_tw_token_t tw): an
  // empty struct takes no register.
  FuncSignature empty_struct;
  empty_struct.known = true;
  empty_struct.params = {{"req", pointer_to("struct io_kiocb *"), FuncArgKind::Value, 0},
                         {"tw", {"io_tw_token_t", FuncValueShape::Other, 0, false, {}}, FuncArgKind::Value, -1}};
  CHECK(format_func_args(empty_struct, {0x1000, 0x2000, 0, 0, 0, 0}, -1, "") == "req=0x1000 tw={}");

  FuncSignature printk;
  printk.known = true;
  printk.variadic = true;
  printk.params = {{"fmt", pointer_to("const char *"), FuncArgKind::Value, 0}};
  printk.ret = integer("int", 4, true);
  CHECK(format_func_args(printk, {0x1000, 0, 0, 0, 0, 0}, -1, "") == "fmt=0x1000 ...");
  FuncSignature none;
  none.known = true;
  none.ret = integer("int", 4, true);
  CHECK(format_func_args(none, {1, 2, 3, 4, 5, 6}, -1, "").empty());
}
