// Parsing /proc/kallsyms text (no kernel needed): which symbols count as
// functions, their order, modules, and the all-zero addresses an
// unprivileged reader gets.
#include <catch2/catch.hpp>

#include "collect/kernel_symbols.h"

using syslat::collect::KernelSymbols;

TEST_CASE("kallsyms parsing: functions only, sorted, aliases, modules, hidden addresses", "[collect]") {
  const auto table = KernelSymbols::parse(
      "ffffffff81000000 T _stext\n"
      "ffffffff81000000 T _text_alias\n"
      "ffffffff81000100 t local_fn\n"
      "ffffffff81000200 D some_data\n"
      "ffffffff81000300 W weak_fn\n"
      "ffffffffc0002000 t mod_b_fn\t[mod_b]\n"
      "ffffffffc0001000 t mod_a_fn\t[mod_a]\n"
      "garbage line\n"
      "ffffffff81000400 T no_newline_at_end");
  REQUIRE(table.available());
  CHECK_FALSE(table.find(0xffffffff80ffffff));
  auto m = table.find(0xffffffff81000010);
  REQUIRE(m);
  CHECK((m->name == "_stext" && m->module.empty() && m->offset == 0x10));
  m = table.find(0xffffffff81000250);  // a data symbol does not shadow the function
  CHECK((m->name == "local_fn" && m->offset == 0x150));
  CHECK(table.find(0xffffffff81000300)->name == "weak_fn");
  CHECK(table.find(0xffffffff81000401)->name == "no_newline_at_end");
  m = table.find(0xffffffffc0001008);
  CHECK((m->name == "mod_a_fn" && m->module == "mod_a" && m->offset == 8));
  CHECK(table.find(0xffffffffc0002000)->module == "mod_b");

  // Without CAP_SYSLOG every address reads 0.
  CHECK_FALSE(KernelSymbols::parse("0000000000000000 T _stext\n0000000000000000 t local_fn\n").available());
  CHECK_FALSE(KernelSymbols::parse("").available());
}
