// The text of one traced kernel function call (sysfunc --trace): its
// arguments as its BTF signature names and types them, and its return value.
//   file="notes.txt" buf=0x7ffd5e2c1000 count=4096 pos=0xffffb1c2c3d4e5f8
//   = 4096            = -2 (ENOENT)            = -ENOENT (an ERR_PTR)
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/func_signature.h"

namespace syslat::decode {

// "name=value" per parameter the registers hold, space-separated; " ..." after
// them when more arrive on the stack (or the function is variadic). The
// argument in register `name_arg` (-1: none) shows `name`, the file name BPF
// read through it, quoted and escaped: users choose file names. Without a
// known signature: arg1=0x... to arg6 in hex.
std::string format_func_args(const core::FuncSignature& signature,
                             const std::array<uint64_t, core::kFuncArgRegisters>& args, int name_arg,
                             std::string_view name);

// One register's value as `type` says: integers in decimal cut to their size,
// true/false, an enum's constant name, pointers in hex or NULL.
std::string format_func_value(const core::FuncValueType& type, uint64_t raw);

// "= 4096"; a signed integer in -4095..-1 as "= -2 (ENOENT)"; a pointer in
// that range (an ERR_PTR) as "= -ENOENT"; "" for a void function; "= 0x..."
// without a known signature.
std::string format_func_return(const core::FuncSignature& signature, uint64_t ret);

}  // namespace syslat::decode
