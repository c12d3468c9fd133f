// sysfunc's names: the user's patterns matched against what the running
// kernel can trace, each function's signature from BTF, and the probes the
// function source attaches. Also how a traced call is shown.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "collect/func_source.h"
#include "core/func_signature.h"
#include "core/func_stats.h"
#include "util/expected.h"

namespace syslat::cli {

struct ResolvedFunctions {
  std::vector<std::string> names;               // by function index
  std::vector<std::string> modules;             // "" for the kernel image
  std::vector<collect::FuncProbe> probes;       // the same order
  std::vector<core::FuncSignature> signatures;  // the same order; unknown ones without BTF
  std::vector<std::string> unmatched;           // one line per pattern that matched nothing, with the reason
  std::vector<std::string> notes;               // said on stderr: the --max-functions cap
};

// The word `default` stands for kDefaultFunctions; those of them this kernel
// does not have are left out (said in a note), not errors. Errors are the
// environment's (no BTF, nothing says what is traceable).
util::Expected<ResolvedFunctions> resolve_functions(const std::vector<std::string>& patterns, size_t max_functions);

// `default`: a layer or two of the paths the common syscalls take — VFS reads,
// writes, opens, stats, fsync and sendfile's splice with the page cache and
// pipes under them, ext4's, socket send/receive (TCP, Unix), futex, epoll,
// poll and select waits, page faults and mmap, and schedule/io_schedule,
// where a call gives up the CPU.
inline const std::vector<std::string> kDefaultFunctions = {
    "vfs_read", "vfs_write", "vfs_open", "vfs_statx", "vfs_fsync_range", "do_splice_direct", "filemap_read",
    "pipe_read", "pipe_write",
    "ext4_file_read_iter", "ext4_file_write_iter", "ext4_sync_file", "sock_sendmsg", "sock_recvmsg",
    "tcp_sendmsg", "tcp_recvmsg", "unix_stream_sendmsg", "unix_stream_recvmsg", "futex_wait", "do_epoll_wait", "do_sys_poll", "do_select",
    "handle_mm_fault", "do_mmap", "schedule", "io_schedule"};

// --list: one function a line ("ext4_file_read_iter [ext4]"); with
// signatures, as C declares it: "ssize_t vfs_read(struct file *file, ...)".
void print_function_list(std::ostream& out, const ResolvedFunctions& functions, bool with_signatures);

// "vfs_read(file=\"notes.txt\" buf=0x7ffd5e2c1000 count=4096 pos=0x...) = 4096"
std::string format_call(const ResolvedFunctions& functions, const core::FuncEvent& event);

}  // namespace syslat::cli
