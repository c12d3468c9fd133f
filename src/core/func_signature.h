// A kernel function's signature as its BTF gives it, reduced to what sysfunc
// needs: how BPF reads each argument register and how the text shows it
// (collect/function_btf.h fills it, decode/func_args.h prints a call with it).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace syslat::core {

// What BPF reads through an argument at entry: the file name behind a
// struct file *, struct dentry * or struct path *. The values are the BPF
// side's (collect/func_source.h's FuncArgKind).
enum class FuncArgKind : uint8_t { Value = 0, File = 1, Dentry = 2, Path = 3 };

// How a register's value is shown.
enum class FuncValueShape : uint8_t {
  Void,     // a return type only: nothing to show
  Integer,  // decimal, cut to `size` bytes, sign-extended if `is_signed`
  Bool,     // true / false
  Enum,     // the constant's name, else the number
  Pointer,  // hex, NULL
  Other,    // a struct, union or float in registers: raw hex
};

struct FuncEnumerator {
  std::string name;
  int64_t value = 0;
};

struct FuncValueType {
  std::string spelling;  // as in the source: "struct file *", "size_t", "enum pid_type"
  FuncValueShape shape = FuncValueShape::Other;
  uint8_t size = 8;      // bytes
  bool is_signed = false;
  std::vector<FuncEnumerator> enumerators;  // Enum only
};

inline constexpr int kFuncArgRegisters = 6;  // what a probe sees (x86-64 and arm64 alike)

struct FuncParam {
  std::string name;  // "" if BTF has none
  FuncValueType type;
  FuncArgKind kind = FuncArgKind::Value;
  int reg = -1;      // the argument register (0..5) it arrives in; -1: on the stack, not seen
};

struct FuncSignature {
  bool known = false;  // false: no BTF (a compiler's copy, some assembly): arguments shown raw
  std::vector<FuncParam> params;
  bool variadic = false;
  FuncValueType ret;   // shape Void for void

  // Per argument register, what BPF reads through it.
  std::array<FuncArgKind, kFuncArgRegisters> arg_kinds() const {
    std::array<FuncArgKind, kFuncArgRegisters> kinds{};
    for (const FuncParam& p : params)
      if (p.reg >= 0 && p.reg < kFuncArgRegisters) kinds[p.reg] = p.kind;
    return kinds;
  }
};

}  // namespace syslat::core
