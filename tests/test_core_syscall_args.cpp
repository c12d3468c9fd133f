#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/syscall_args.h"
#include "core/syscall_table.h"

using namespace syslat::core;

namespace {

// "AtFd:dfd Path:filename ...": a signature as one comparable string.
std::string signature(SyscallId id) {
  std::string out;
  for (const ArgSpec& arg : syscall_args(id)) {
    if (!out.empty()) out += ' ';
    out += std::string(arg_kind_name(arg.kind)) + ":" + std::string(arg.name);
  }
  return out;
}

int nr(const char* name) { return *syscall_number(name); }

}  // namespace

TEST_CASE("generated signatures have the expected kinds", "[syscall_args]") {
  CHECK(signature(nr("openat")) == "AtFd:dfd Path:filename OpenFlags:flags Mode:mode");
  CHECK(signature(nr("read")) == "Fd:fd OutBuf:buf Size:count");  // filled by the call: decoded at exit
  CHECK(signature(nr("mmap")) == "Ptr:addr Size:len MmapProt:prot MmapFlags:flags Fd:fd Hex:off");
  CHECK(signature(nr("clone")) ==
        "CloneFlags:clone_flags Ptr:newsp Ptr:parent_tidptr Ptr:child_tidptr Ptr:tls");
  CHECK(signature(nr("execve")) == "Path:filename StrArray:argv EnvArray:envp");
  CHECK(signature(nr("socket")) == "SocketDomain:family SocketType:type SocketProtocol:protocol");
  CHECK(signature(nr("kill")) == "Int:pid Signal:sig");
  CHECK(signature(nr("lseek")) == "Fd:fd Long:offset Whence:whence");
  CHECK(signature(nr("memfd_create")) == "String:uname MemfdFlags:flags");
  CHECK(signature(nr("write")) == "Fd:fd InBuf:buf Size:count");  // a counted buffer, not a string
  CHECK(signature(nr("fstat")) == "Fd:fd StatBuf:statbuf");
  CHECK(signature(nr("connect")) == "Fd:fd Sockaddr:uservaddr Int:addrlen");
  CHECK(signature(nr("accept")) == "Fd:fd SockaddrOut:upeer_sockaddr Ptr:upeer_addrlen");
  CHECK(signature(nr("clock_gettime")) == "ClockId:which_clock TimespecOut:tp");
  CHECK(signature(nr("prlimit64")) == "Int:pid Rlimit:resource RlimitIn:new_rlim RlimitOut:old_rlim");
  CHECK(signature(nr("getrandom")) == "RandomBuf:ubuf Size:len RandomFlags:flags");
  CHECK(signature(nr("nanosleep")) == "Timespec:rqtp TimespecRem:rmtp");
}

TEST_CASE("calls without arguments and calls without a known signature", "[syscall_args]") {
  CHECK(has_arg_signature(nr("getpid")));
  CHECK(syscall_args(nr("getpid")).empty());
  CHECK_FALSE(has_arg_signature(nr("afs_syscall")));
  CHECK_FALSE(has_arg_signature(999));
  CHECK_FALSE(has_arg_signature(-1));
  CHECK(syscall_args(999).empty());
}

TEST_CASE("every native syscall has a row", "[syscall_args]") {
  // The generator fails the build otherwise; this guards the lookup.
  size_t unknown = 0;
  for (const SyscallInfo& info : known_syscalls()) {
    if (!has_arg_signature(info.nr)) ++unknown;
    CHECK(syscall_args(info.nr).size() <= 6);
  }
  CHECK(unknown < 20);  // the unimplemented ones (afs_syscall, tuxcall, ...)
}

TEST_CASE("path_arg_index points the BPF side at the path", "[syscall_args]") {
  CHECK(path_arg_index(nr("openat")) == 1);
  CHECK(path_arg_index(nr("execve")) == 0);
  CHECK(path_arg_index(nr("read")) == -1);
  CHECK(path_arg_index(nr("renameat2")) == 1);
  CHECK(path_arg_index(nr("open")) == 0);
  CHECK(path_arg_index(nr("mount")) == 1);  // dev_name is a string, dir_name the path
  CHECK(path_arg_index(999) == -1);
}

#if SYSLAT_HAVE_I386_TABLE
TEST_CASE("i386 calls use the signature of their x86_64 twin", "[syscall_args]") {
  SyscallId openat_i386{Abi::I386, 295};
  CHECK(signature(openat_i386) == signature(nr("openat")));
  CHECK(path_arg_index(openat_i386) == 1);
  // i386's mmap (90) is old_mmap, one pointer to a struct: not x86_64's mmap.
  CHECK_FALSE(has_arg_signature(SyscallId{Abi::I386, 90}));
  CHECK(signature(SyscallId{Abi::I386, 192}).empty());  // mmap2 has no x86_64 twin
}
#endif
