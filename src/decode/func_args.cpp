#include "decode/func_args.h"

#include "core/errno_names.h"
#include "decode/text.h"

namespace syslat::decode {
namespace {

// The register's low `size` bytes, sign-extended when the type is signed: a
// probe sees the whole register, whose upper bits an int leaves undefined.
uint64_t truncate(const core::FuncValueType& type, uint64_t raw) {
  if (type.size == 0 || type.size >= 8) return raw;
  const unsigned bits = type.size * 8u;
  const uint64_t value = raw & ((uint64_t{1} << bits) - 1);
  if (type.is_signed && (value >> (bits - 1)) != 0) return value | (~uint64_t{0} << bits);
  return value;
}

std::string decimal(const core::FuncValueType& type, uint64_t value) {
  return type.is_signed ? std::to_string(static_cast<int64_t>(value)) : std::to_string(value);
}

// "ENOENT", or the number when the kernel's code has no name.
std::string errno_text(int err) {
  const std::string_view name = core::errno_name(err);
  return name.empty() ? std::to_string(err) : std::string(name);
}

}  // namespace

std::string format_func_value(const core::FuncValueType& type, uint64_t raw) {
  using Shape = core::FuncValueShape;
  switch (type.shape) {
    case Shape::Integer:
      return decimal(type, truncate(type, raw));
    case Shape::Bool:
      return truncate(type, raw) != 0 ? "true" : "false";
    case Shape::Enum: {
      const uint64_t value = truncate(type, raw);
      for (const core::FuncEnumerator& e : type.enumerators)
        if (static_cast<uint64_t>(e.value) == value) return e.name;
      return decimal(type, value);
    }
    case Shape::Pointer:
      return pointer(raw);
    case Shape::Other:  // a small struct in a register: its bytes, no more
      return hex(truncate({.size = type.size}, raw));
    case Shape::Void:
      break;
  }
  return hex(raw);
}

std::string format_func_args(const core::FuncSignature& signature,
                             const std::array<uint64_t, core::kFuncArgRegisters>& args, int name_arg,
                             std::string_view name) {
  std::string out;
  auto field = [&out](std::string_view label, const std::string& value) {
    if (!out.empty()) out += ' ';
    out.append(label).append("=").append(value);
  };
  if (!signature.known) {
    for (int i = 0; i < core::kFuncArgRegisters; ++i) field("arg" + std::to_string(i + 1), hex(args[i]));
    return out;
  }
  bool on_stack = signature.variadic;
  for (const core::FuncParam& p : signature.params) {
    if (p.type.shape == core::FuncValueShape::Other && p.type.size == 0) {  // an empty struct: no register
      field(p.name.empty() ? "arg" : p.name, "{}");
      continue;
    }
    if (p.reg < 0 || p.reg >= core::kFuncArgRegisters) {
      on_stack = true;
      continue;
    }
    const std::string label = p.name.empty() ? "arg" + std::to_string(p.reg + 1) : p.name;
    field(label, p.reg == name_arg ? quote_string(name) : format_func_value(p.type, args[p.reg]));
  }
  if (on_stack) out += out.empty() ? "..." : " ...";
  return out;
}

std::string format_func_return(const core::FuncSignature& signature, uint64_t ret) {
  using Shape = core::FuncValueShape;
  if (!signature.known) return "= " + hex(ret);
  const core::FuncValueType& type = signature.ret;
  if (type.shape == Shape::Void) return "";
  if (type.shape == Shape::Pointer) {
    const auto value = static_cast<int64_t>(ret);
    if (core::is_error_return(value)) return "= -" + errno_text(static_cast<int>(-value));
    return "= " + pointer(ret);
  }
  if (type.shape == Shape::Integer && type.is_signed) {
    const auto value = static_cast<int64_t>(truncate(type, ret));
    if (core::is_error_return(value)) {
      const std::string_view name = core::errno_name(static_cast<int>(-value));
      return "= " + std::to_string(value) + (name.empty() ? "" : " (" + std::string(name) + ")");
    }
  }
  return "= " + format_func_value(type, ret);
}

}  // namespace syslat::decode
