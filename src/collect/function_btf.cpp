#include "collect/function_btf.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstring>


namespace syslat::collect {
namespace {

constexpr int kMaxSpellDepth = 16;  // BTF from the kernel has no cycles without a struct; this is a guard

// Past const/volatile/restrict/type tags, and typedefs too with `typedefs`.
uint32_t skip_modifiers(const struct btf* btf, uint32_t id, bool typedefs) {
  for (int depth = 0; id != 0 && depth < kMaxSpellDepth; ++depth) {
    const struct btf_type* t = btf__type_by_id(btf, id);
    if (!t) return 0;
    if (btf_is_mod(t) || btf_is_type_tag(t) || (typedefs && btf_is_typedef(t))) id = t->type;
    else break;
  }
  return id;
}

std::string type_name(const struct btf* btf, const struct btf_type* t) {
  const char* name = btf__name_by_offset(btf, t->name_off);
  return name ? name : "";
}

std::string spell(const struct btf* btf, uint32_t id, int depth = 0);

// "int (struct file *, int)"'s parameter list, for function pointers.
std::string spell_params(const struct btf* btf, const struct btf_type* proto, int depth) {
  std::string out = "(";
  const struct btf_param* p = btf_params(proto);
  for (int i = 0; i < btf_vlen(proto); ++i) {
    if (i > 0) out += ", ";
    out += (p[i].type == 0 && i == btf_vlen(proto) - 1) ? "..." : spell(btf, p[i].type, depth + 1);
  }
  return out + (btf_vlen(proto) == 0 ? "void)" : ")");
}

// A type as the kernel's source spells it: "struct file *", "const char *",
// "size_t", "int (*)(struct file *, int)".
std::string spell(const struct btf* btf, uint32_t id, int depth) {
  if (id == 0) return "void";
  const struct btf_type* t = btf__type_by_id(btf, id);
  if (!t || depth > kMaxSpellDepth) return "?";
  const std::string name = type_name(btf, t);
  switch (btf_kind(t)) {
    case BTF_KIND_INT:
    case BTF_KIND_FLOAT:
    case BTF_KIND_TYPEDEF:
      return name;
    case BTF_KIND_STRUCT:
      return "struct " + (name.empty() ? "{...}" : name);
    case BTF_KIND_UNION:
      return "union " + (name.empty() ? "{...}" : name);
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
      return "enum " + (name.empty() ? "{...}" : name);
    case BTF_KIND_FWD:
      return (btf_kflag(t) ? "union " : "struct ") + name;
    case BTF_KIND_CONST:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_RESTRICT: {
      const char* word = btf_is_const(t) ? "const" : btf_is_volatile(t) ? "volatile" : "restrict";
      const std::string inner = spell(btf, t->type, depth + 1);
      // A qualified pointer is "char *const"; anything else "const char".
      if (!inner.empty() && inner.back() == '*') return inner + word;
      return std::string(word) + " " + inner;
    }
    case BTF_KIND_TYPE_TAG:  // __user and the like: not part of the C spelling
      return spell(btf, t->type, depth + 1);
    case BTF_KIND_PTR: {
      const uint32_t target = skip_modifiers(btf, t->type, false);
      const struct btf_type* pointee = target ? btf__type_by_id(btf, target) : nullptr;
      if (pointee && btf_is_func_proto(pointee))
        return spell(btf, pointee->type, depth + 1) + " (*)" + spell_params(btf, pointee, depth);
      const std::string inner = spell(btf, t->type, depth + 1);
      return inner + (inner.back() == '*' ? "*" : " *");
    }
    case BTF_KIND_ARRAY:
      return spell(btf, btf_array(t)->type, depth + 1) + "[" + std::to_string(btf_array(t)->nelems) + "]";
    case BTF_KIND_FUNC_PROTO:
      return spell(btf, t->type, depth + 1) + " " + spell_params(btf, t, depth);
    default:
      return name.empty() ? "?" : name;
  }
}

// The integer type of a struct's only member when the struct is nothing
// else (the kernel wraps ids and page table entries so for type checking).
const struct btf_type* wrapped_integer(const struct btf* btf, const struct btf_type* t) {
  if (!btf_is_struct(t) || btf_vlen(t) != 1) return nullptr;
  const uint32_t member = skip_modifiers(btf, btf_members(t)[0].type, true);
  const struct btf_type* m = member ? btf__type_by_id(btf, member) : nullptr;
  if (!m || !btf_is_int(m) || m->size != t->size || btf_int_bits(m) != m->size * 8) return nullptr;
  return m;
}

core::FuncValueType value_type(const struct btf* btf, uint32_t id) {
  core::FuncValueType type;
  type.spelling = spell(btf, id);
  const uint32_t resolved = skip_modifiers(btf, id, true);
  const struct btf_type* t = resolved ? btf__type_by_id(btf, resolved) : nullptr;
  if (!t) {
    type.shape = core::FuncValueShape::Void;
    type.size = 0;
    return type;
  }
  const __s64 size = btf__resolve_size(btf, resolved);
  type.size = static_cast<uint8_t>(std::clamp<__s64>(size, 0, 255));
  if (btf_is_int(t)) {
    const uint8_t encoding = btf_int_encoding(t);
    type.shape = (encoding & BTF_INT_BOOL) ? core::FuncValueShape::Bool : core::FuncValueShape::Integer;
    type.is_signed = (encoding & BTF_INT_SIGNED) != 0;
  } else if (btf_is_ptr(t)) {
    type.shape = core::FuncValueShape::Pointer;
  } else if (btf_is_enum(t)) {
    type.shape = core::FuncValueShape::Enum;
    type.is_signed = btf_kflag(t);
    const struct btf_enum* e = btf_enum(t);
    for (int i = 0; i < btf_vlen(t); ++i)
      type.enumerators.push_back({btf__name_by_offset(btf, e[i].name_off),
                                  type.is_signed ? int64_t{e[i].val} : int64_t{static_cast<uint32_t>(e[i].val)}});
  } else if (btf_is_enum64(t)) {
    type.shape = core::FuncValueShape::Enum;
    type.is_signed = btf_kflag(t);
    const struct btf_enum64* e = btf_enum64(t);
    for (int i = 0; i < btf_vlen(t); ++i)
      type.enumerators.push_back(
          {btf__name_by_offset(btf, e[i].name_off), static_cast<int64_t>(btf_enum64_value(&e[i]))});
  } else if (const auto wrapped = wrapped_integer(btf, t)) {
    // kuid_t, pte_t: a struct around one integer, shown as that integer.
    type.shape = core::FuncValueShape::Integer;
    type.is_signed = (btf_int_encoding(wrapped) & BTF_INT_SIGNED) != 0;
  } else {
    type.shape = core::FuncValueShape::Other;
  }
  return type;
}

// File, Dentry or Path when the parameter is a pointer to that struct: BPF
// reads the file name through it.
core::FuncArgKind arg_kind(const struct btf* btf, uint32_t id) {
  const uint32_t resolved = skip_modifiers(btf, id, true);
  const struct btf_type* t = resolved ? btf__type_by_id(btf, resolved) : nullptr;
  if (!t || !btf_is_ptr(t)) return core::FuncArgKind::Value;
  const uint32_t target = skip_modifiers(btf, t->type, true);
  const struct btf_type* pointee = target ? btf__type_by_id(btf, target) : nullptr;
  if (!pointee || !(btf_is_struct(pointee) || (btf_is_fwd(pointee) && !btf_kflag(pointee))))
    return core::FuncArgKind::Value;
  const std::string name = type_name(btf, pointee);
  if (name == "file") return core::FuncArgKind::File;
  if (name == "dentry") return core::FuncArgKind::Dentry;
  if (name == "path") return core::FuncArgKind::Path;
  return core::FuncArgKind::Value;
}

// How many argument registers a parameter of this type takes, by the ABI of
// the kernel we run on (the same as ours): an aggregate of up to 8 bytes
// takes one, up to 16 two; a larger one x86-64 passes on the stack (none),
// arm64 by reference (one); an empty struct (io_tw_token_t) none. Floats
// never appear in kernel signatures.
int registers_for(const core::FuncValueType& type) {
  if (type.shape != core::FuncValueShape::Other) return 1;
  if (type.size == 0) return 0;
  if (type.size <= 8) return 1;
  if (type.size <= 16) return 2;
#if defined(__aarch64__)
  return 1;
#else
  return 0;
#endif
}

core::FuncSignature signature_of(const struct btf* btf, uint32_t func_id) {
  core::FuncSignature sig;
  const struct btf_type* func = btf__type_by_id(btf, func_id);
  const struct btf_type* proto = func ? btf__type_by_id(btf, func->type) : nullptr;
  if (!proto || !btf_is_func_proto(proto)) return sig;
  sig.known = true;
  sig.ret = value_type(btf, proto->type);
  const struct btf_param* p = btf_params(proto);
  int next_reg = 0;
  for (int i = 0; i < btf_vlen(proto); ++i) {
    if (p[i].type == 0) {  // "..." (only ever last)
      sig.variadic = true;
      break;
    }
    core::FuncParam param;
    const char* name = btf__name_by_offset(btf, p[i].name_off);
    param.name = name ? name : "";
    param.type = value_type(btf, p[i].type);
    param.kind = arg_kind(btf, p[i].type);
    const int regs = registers_for(param.type);
    if (regs > 0 && next_reg + regs <= core::kFuncArgRegisters) {
      param.reg = next_reg;
      next_reg += regs;
    }
    sig.params.push_back(std::move(param));
  }
  return sig;
}

}  // namespace

void KernelBtf::BtfFree::operator()(struct btf* btf) const { btf__free(btf); }

util::Expected<KernelBtf> KernelBtf::load(const std::string& module_dir, const std::string& vmlinux_file) {
  KernelBtf kernel;
  struct btf* vmlinux = vmlinux_file.empty() ? btf__load_vmlinux_btf() : btf__parse(vmlinux_file.c_str(), nullptr);
  if (!vmlinux && !vmlinux_file.empty())
    return util::make_error("cannot read BTF from " + vmlinux_file + ": " + std::strerror(errno));
  if (!vmlinux)
    return util::make_error(std::string("cannot read the kernel's BTF: ") + std::strerror(errno) +
                            " (sysfunc needs CONFIG_DEBUG_INFO_BTF=y)");
  kernel.btfs_.push_back({std::unique_ptr<struct btf, BtfFree>(vmlinux), ""});
  kernel.index_functions(0, 1);

  const uint32_t first_module_id = btf__type_cnt(vmlinux);
  std::vector<std::string> modules;
  if (DIR* dir = opendir(module_dir.c_str())) {
    while (const struct dirent* entry = readdir(dir)) {
      const std::string name = entry->d_name;
      if (name != "." && name != ".." && name != "vmlinux") modules.push_back(name);
    }
    closedir(dir);
  }
  std::sort(modules.begin(), modules.end());
  for (const std::string& module : modules) {
    struct btf* split = btf__parse_split((module_dir + "/" + module).c_str(), vmlinux);
    if (!split) continue;  // unloaded since the listing, or unreadable: its functions go without BTF
    kernel.btfs_.push_back({std::unique_ptr<struct btf, BtfFree>(split), module});
    kernel.index_functions(static_cast<uint32_t>(kernel.btfs_.size() - 1), first_module_id);
  }
  std::stable_sort(kernel.functions_.begin(), kernel.functions_.end(),
                   [](const NamedFunc& a, const NamedFunc& b) { return a.name < b.name; });
  return kernel;
}

void KernelBtf::index_functions(uint32_t source, uint32_t first_id) {
  const struct btf* btf = btfs_[source].btf.get();
  const uint32_t count = btf__type_cnt(btf);
  functions_.reserve(functions_.size() + (count - first_id) / 3);
  for (uint32_t id = first_id; id < count; ++id) {
    const struct btf_type* t = btf__type_by_id(btf, id);
    if (!btf_is_func(t)) continue;
    const char* name = btf__name_by_offset(btf, t->name_off);
    if (name && *name) functions_.push_back({name, FuncRef{source, id}});
  }
}

core::FunctionNames KernelBtf::function_names() const {
  core::FunctionNames names;
  for (const NamedFunc& f : functions_) names.add(f.name, btfs_[f.ref.source].module);
  names.finish();
  return names;
}

core::FuncSignature KernelBtf::signature(std::string_view function, std::string_view module) const {
  const auto [first, last] = std::equal_range(
      functions_.begin(), functions_.end(), NamedFunc{function, {}},
      [](const NamedFunc& a, const NamedFunc& b) { return a.name < b.name; });
  if (first == last) return {};
  // The first definition (vmlinux's, if it has one) unless the module asked for has its own.
  auto chosen = first;
  for (auto it = first; it != last && !module.empty(); ++it) {
    if (btfs_[it->ref.source].module == module) {
      chosen = it;
      break;
    }
  }
  return signature_of(btfs_[chosen->ref.source].btf.get(), chosen->ref.type_id);
}

}  // namespace syslat::collect
