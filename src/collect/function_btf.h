// Kernel functions' signatures from the kernel's BTF: vmlinux's and that of
// every loaded module (split BTF on top of vmlinux's). sysfunc names and
// types each argument with them, and tells BPF which ones lead to a file name.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/func_match.h"
#include "core/func_signature.h"
#include "util/expected.h"

struct btf;

namespace syslat::collect {

class KernelBtf {
 public:
  // vmlinux's BTF (through btf__load_vmlinux_btf(), which collect/vmlinux_btf.cpp
  // provides) and each module's under `module_dir`. A module whose BTF does not
  // parse is left out; no vmlinux BTF is an error. `vmlinux_file` (raw BTF,
  // or an image with a .BTF section) and a directory of modules' BTF or .ko
  // files read another kernel's (a distribution's, for tests) instead.
  static util::Expected<KernelBtf> load(const std::string& module_dir = "/sys/kernel/btf",
                                        const std::string& vmlinux_file = "");

  KernelBtf(KernelBtf&&) noexcept = default;
  KernelBtf& operator=(KernelBtf&&) noexcept = default;
  ~KernelBtf() = default;

  // Every function with BTF, with its module ("" for vmlinux).
  core::FunctionNames function_names() const;
  size_t module_count() const { return btfs_.size() - 1; }

  // The signature of `function` (a module's own first when `module` is given);
  // known == false when it has no BTF, as for a compiler's copy "foo.isra.0",
  // whose arguments the compiler may have changed.
  core::FuncSignature signature(std::string_view function, std::string_view module = {}) const;

 private:
  KernelBtf() = default;
  struct BtfFree {
    void operator()(struct btf* btf) const;
  };
  struct Source {
    std::unique_ptr<struct btf, BtfFree> btf;
    std::string module;  // "" for vmlinux
  };
  struct FuncRef {
    uint32_t source;   // index into sources_
    uint32_t type_id;  // of the BTF_KIND_FUNC
  };
  struct NamedFunc {
    std::string_view name;  // in libbpf's string section, which stays put
    FuncRef ref;
  };
  void index_functions(uint32_t source, uint32_t first_id);

  std::vector<Source> btfs_;  // vmlinux first
  // By name; a name's vmlinux definition first, then the modules' in order.
  std::vector<NamedFunc> functions_;
};

}  // namespace syslat::collect
