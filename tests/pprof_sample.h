// A stack profile laid out by hand, for the pprof writer's tests
// (test_export_pprof.cpp) and for pprof_sample (speedscope_check.py): two
// processes; frames named by DWARF (one with an inlined chain), by an ELF
// symbol only, by nothing; the same library in both processes; a row whose
// stack was lost; calls lost and stacks unnamed.
#pragma once

#include "core/stack_profile.h"

namespace slt {

inline syslat::core::StackProfile pprof_sample_profile(bool off_cpu = false) {
  using namespace syslat::core;
  const FrameModule wl{"/usr/bin/wl_stacks", "4f1c0e7d2b9a8c6e5d4f3a2b1c0d9e8f7a6b5c4d", 0x555500001000, 0x555500003000,
                       0x1000};
  const FrameModule libc{"/usr/lib/x86_64-linux-gnu/libc.so.6", "c0ffee00112233445566778899aabbccddeeff00",
                         0x7f0000028000, 0x7f000017d000, 0x28000};
  const FrameModule redis{"/usr/bin/redis-server", "", 0x400000, 0x600000, 0};

  const SymbolizedFrame libc_read{0x7f0000111234, libc, "__read", 0x14, {}};
  const SymbolizedFrame libc_write{0x7f0000111334, libc, "__write", 0x14, {}};
  const SymbolizedFrame libc_start{0x7f0000029d90, libc, "__libc_start_call_main", 0x80, {}};
  // read_line inlined into parse_config, inlined into load_config.
  const SymbolizedFrame load_config{0x555500001240, wl, "load_config", 0x40,
                                    {{"read_line", "/src/wl_stacks.c", 30},
                                     {"parse_config", "/src/wl_stacks.c", 42},
                                     {"load_config", "/src/wl_stacks.c", 57}}};
  const SymbolizedFrame main_a{0x555500001300, wl, "main", 0x20, {{"main", "/src/wl_stacks.c", 80}}};
  const SymbolizedFrame main_b{0x555500001310, wl, "main", 0x30, {{"main", "/src/wl_stacks.c", 81}}};
  const SymbolizedFrame ae_poll{0x401234, redis, "aeApiPoll", 0x34, {}};
  const SymbolizedFrame unknown{0x9999, std::nullopt, "", 0, {}};

  StackProfile p;
  p.duration_s = 2.5;
  p.off_cpu_measured = off_cpu;
  p.rows_lost = 5;
  p.stacks_unnamed = 1;
  p.rows.push_back({4242, "wl_stacks", "read", {libc_read, load_config, main_a, libc_start}, "", 10, 1, 10,
                    5'000'000, off_cpu ? 4'000'000u : 0u, false, SyscallId{0}});
  p.rows.push_back({4242, "wl_stacks", "write", {libc_write, main_b, libc_start}, "", 3, 0, 3, 900'000,
                    off_cpu ? 100'000u : 0u, false, SyscallId{1}});
  p.rows.push_back({4242, "wl_stacks", "openat", {}, "stack lost: stack map full", 2, 2, 2, 40'000, 0, false, SyscallId{257}});
  // The same libc, the same address, in another process: its own Mapping
  // and Location.
  p.rows.push_back({777, "redis-server", "epoll_wait", {ae_poll, unknown, libc_start}, "", 100, 0, 100,
                    3'000'000, off_cpu ? 2'500'000u : 0u, false, SyscallId{232}});
  return p;
}

}  // namespace slt
