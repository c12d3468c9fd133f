# Included by gen_syscall_table.cmake: reads syscall_args.txt (written by
# scripts/gen-syscall-args.sh from the kernel's syscall trace events) and
# decides, per argument, how the decoders show it (a core::ArgKind).
# The decision is made here, once, by rules on (syscall, argument name, type),
# so no call site types a signature by hand. First matching rule wins:
#   1. per-syscall overrides (flag families, paths with unusual names);
#   2. pointers: const char* named like a path -> Path, like a string -> String,
#      any other pointer -> Ptr;
#   3. argument names (fds, dir fds, signals, addresses, flags, sizes);
#   4. the C type (signed/unsigned, 32/64 bit); anything else -> Hex.

# 1. "<syscall>.<arg>=<Kind>".
set(ARG_OVERRIDES
  open.flags=OpenFlags openat.flags=OpenFlags mq_open.oflag=OpenFlags
  access.mode=AccessMode faccessat.mode=AccessMode faccessat2.mode=AccessMode
  mmap.prot=MmapProt mprotect.prot=MmapProt pkey_mprotect.prot=MmapProt
  mmap.flags=MmapFlags mmap.off=Hex
  clone.clone_flags=CloneFlags unshare.unshare_flags=UnshareFlags setns.flags=UnshareFlags
  socket.family=SocketDomain socketpair.family=SocketDomain
  socket.type=SocketType socketpair.type=SocketType
  futex.op=FutexOp fcntl.cmd=FcntlCmd rt_sigprocmask.how=SigprocmaskHow epoll_ctl.op=EpollCtlOp
  sendto.flags=MsgFlags recvfrom.flags=MsgFlags sendmsg.flags=MsgFlags recvmsg.flags=MsgFlags
  sendmmsg.flags=MsgFlags recvmmsg.flags=MsgFlags
  newfstatat.flag=AtFlags unlinkat.flag=AtFlags fchownat.flag=AtFlags name_to_handle_at.flag=AtFlags
  linkat.flags=AtFlags faccessat2.flags=AtFlags utimensat.flags=AtFlags
  fchmodat2.flags=AtFlags execveat.flags=AtFlags open_tree.flags=AtFlags open_tree_attr.flags=AtFlags
  getxattrat.at_flags=AtFlags setxattrat.at_flags=AtFlags listxattrat.at_flags=AtFlags
  removexattrat.at_flags=AtFlags file_getattr.at_flags=AtFlags file_setattr.at_flags=AtFlags
  execveat.fd=AtFd
  acct.name=Path umount2.name=Path name_to_handle_at.name=Path quotactl.special=Path
  mount.dir_name=Path mount.dev_name=String mount.type=String
  dup.fildes=Fd
  # Memory decoded by systrace (pointers elsewhere).
  write.buf=InBuf pwrite64.buf=InBuf sendto.buff=InBuf
  read.buf=OutBuf pread64.buf=OutBuf recvfrom.ubuf=OutBuf readlink.buf=OutBuf readlinkat.buf=OutBuf
  getcwd.buf=OutString
  accept.upeer_sockaddr=SockaddrOut accept4.upeer_sockaddr=SockaddrOut recvfrom.addr=SockaddrOut
  getsockname.usockaddr=SockaddrOut getpeername.usockaddr=SockaddrOut
  nanosleep.rqtp=Timespec clock_nanosleep.rqtp=Timespec ppoll.tsp=Timespec pselect6.tsp=Timespec
  futex_wait.timeout=Timespec futex_waitv.timeout=Timespec io_getevents.timeout=Timespec
  io_pgetevents.timeout=Timespec recvmmsg.timeout=Timespec utimensat.utimes=Ptr
  pipe.fildes=FdPair pipe2.fildes=FdPair socketpair.usockvec=FdPair
  execve.argv=StrArray execveat.argv=StrArray execve.envp=EnvArray execveat.envp=EnvArray
  getrandom.ubuf=RandomBuf wait4.stat_addr=WaitStatus getsockopt.optlen=IntRef
  prlimit64.new_rlim=RlimitIn setrlimit.rlim=RlimitIn prlimit64.old_rlim=RlimitOut getrlimit.rlim=RlimitOut
  setsockopt.optval=SockoptIn getsockopt.optval=SockoptOut
  # More flag and enum families.
  arch_prctl.option=ArchPrctlCode prctl.option=PrctlOption
  prlimit64.resource=Rlimit getrlimit.resource=Rlimit setrlimit.resource=Rlimit
  getrandom.flags=RandomFlags fadvise64.advice=FadviseAdvice madvise.behavior=MadviseAdvice
  clock_gettime.which_clock=ClockId clock_settime.which_clock=ClockId clock_getres.which_clock=ClockId
  clock_nanosleep.which_clock=ClockId clock_adjtime.which_clock=ClockId timer_create.which_clock=ClockId
  timerfd_create.clockid=ClockId clock_nanosleep.flags=TimerFlags
  wait4.options=WaitOptions waitid.options=WaitOptions waitid.which=WaitidWhich
  pipe2.flags=PipeFlags dup3.flags=PipeFlags eventfd2.flags=EventfdFlags epoll_create1.flags=EpollFlags
  inotify_init1.flags=InotifyFlags timerfd_create.flags=TimerfdFlags signalfd4.flags=SignalfdFlags
  memfd_create.flags=MemfdFlags umask.mask=Mode
  setsockopt.level=SockLevel getsockopt.level=SockLevel setsockopt.optname=SockOptName getsockopt.optname=SockOptName
  shutdown.how=ShutdownHow flock.cmd=FlockOp membarrier.cmd=MembarrierCmd
  mremap.flags=MremapFlags msync.flags=MsyncFlags statx.flags=StatxFlags statx.mask=StatxMask
  rseq.rseq=Hex rseq.rseq_len=Hex rseq.sig=Hex ioctl.cmd=IoctlCmd socket.protocol=SocketProtocol
  timer_create.created_timer_id=IntOut nanosleep.rmtp=TimespecRem clock_nanosleep.rmtp=TimespecRem
  getdents.dirent=Dirents getdents64.dirent=Dirents statx.buffer=StatxBuf
  rt_sigprocmask.nset=SigsetIn rt_sigprocmask.oset=SigsetOut rt_sigpending.uset=SigsetOut
  rt_sigsuspend.unewset=SigsetIn rt_sigtimedwait.uthese=SigsetIn signalfd4.user_mask=SigsetIn
  rt_sigaction.act=SigactionIn rt_sigaction.oact=SigactionOut uname.name=UtsnameOut sysinfo.info=SysinfoOut)
# Struct pointers by type: "<type>=<Kind>" (const: read by the call).
set(ARG_STRUCT_TYPES struct_stat*=StatBuf struct_sockaddr*=Sockaddr
  const_struct___kernel_timespec*=Timespec struct___kernel_timespec*=TimespecOut struct_pollfd*=Pollfds)

# 2. const char* arguments by name; a const char* in neither list (write's
# buf) is a counted buffer, not a NUL-terminated string: Ptr.
set(ARG_PATH_NAMES filename pathname path oldname newname old new specialfile library
                   from_pathname to_pathname new_root put_old)
set(ARG_STRING_NAMES name uname u_name _type _description _callout_info _key _fs_name
                     uargs name_user cmdline_ptr)
# Pointer-sized typedefs the kernel passes by reference.
set(ARG_POINTER_TYPES cap_user_header_t cap_user_data_t const_cap_user_data_t)

# 3. Names. Untyped "arg"/"argN" (ioctl, fcntl, prctl) are often pointers: hex.
set(ARG_ATFD_NAMES dfd olddfd newdfd from_dfd to_dfd dirfd mountdirfd)
set(ARG_FD_NAMES fd oldfd newfd fd_in fd_out in_fd out_fd epfd ufd pidfd fdin fdout fs_fd
                 fanotify_fd kernel_fd initrd_fd group_fd mqdes ruleset_fd)
set(ARG_SIGNAL_NAMES sig signum)
set(ARG_ADDRESS_NAMES addr start brk new_addr newsp tls)
set(ARG_HEX_NAMES flag mask prot options at_flags msgflg shmflg semflg oflag attr_flags
                  event_f_flags swap_flags)

# 4. Types.
set(ARG_INT_TYPES int const_int __s32 pid_t key_t clockid_t const_clockid_t timer_t uid_t gid_t
                  qid_t key_serial_t)
set(ARG_LONG_TYPES long loff_t off_t)
set(ARG_UINT_TYPES unsigned_int unsigned u32 __u32 const___u32 rwf_t)
set(ARG_SIZE_TYPES unsigned_long size_t const_size_t u64 __u64 aio_context_t)

# syslat_arg_kind(<syscall> <type> <name> <out>)
function(syslat_arg_kind syscall type name out)
  foreach(rule IN LISTS ARG_OVERRIDES)
    if(rule MATCHES "^${syscall}\\.${name}=(.+)$")
      set(${out} ${CMAKE_MATCH_1} PARENT_SCOPE)
      return()
    endif()
  endforeach()
  foreach(rule IN LISTS ARG_STRUCT_TYPES)
    string(FIND "${rule}" "${type}=" at)
    if(at EQUAL 0)
      string(LENGTH "${type}=" skip)
      string(SUBSTRING "${rule}" ${skip} -1 kind)
      set(${out} ${kind} PARENT_SCOPE)
      return()
    endif()
  endforeach()
  if(type MATCHES "\\*" OR type IN_LIST ARG_POINTER_TYPES)
    set(kind Ptr)
    if(type STREQUAL "const_char*" OR type STREQUAL "char*")
      if(name IN_LIST ARG_PATH_NAMES)
        set(kind Path)
      elseif(name IN_LIST ARG_STRING_NAMES AND type STREQUAL "const_char*")
        set(kind String)
      endif()
    endif()
  elseif(name IN_LIST ARG_ATFD_NAMES)
    set(kind AtFd)
  elseif(name IN_LIST ARG_FD_NAMES)
    set(kind Fd)
  elseif(name IN_LIST ARG_SIGNAL_NAMES)
    set(kind Signal)
  elseif(name STREQUAL "whence")
    set(kind Whence)
  elseif(type STREQUAL "umode_t")
    set(kind Mode)
  elseif(name IN_LIST ARG_ADDRESS_NAMES AND type STREQUAL "unsigned_long")
    set(kind Ptr)
  elseif(name MATCHES "flags$" OR name MATCHES "^arg[0-9]?$" OR name IN_LIST ARG_HEX_NAMES)
    set(kind Hex)
  elseif(type IN_LIST ARG_INT_TYPES)
    set(kind Int)
  elseif(type IN_LIST ARG_LONG_TYPES)
    set(kind Long)
  elseif(type IN_LIST ARG_UINT_TYPES)
    set(kind UInt)
  elseif(type IN_LIST ARG_SIZE_TYPES)
    set(kind Size)
  else()
    set(kind Hex)
  endif()
  set(${out} ${kind} PARENT_SCOPE)
endfunction()

# syslat_emit_syscall_args(<syscall_args.txt> <output.inc>): one
# SYSLAT_SYSCALL_ARGS(nr, nargs, "name0", Kind0, ... "name5", Kind5) row per
# syscall of the table (nargs -1: signature unknown; unused slots are "", Hex).
# Fails on a malformed row, an unknown or repeated syscall, a syscall without
# a row, or more than six arguments.
function(syslat_emit_syscall_args file output)
  set(seen "")
  set(arg_re "[A-Za-z_][A-Za-z0-9_*]*:[A-Za-z_][A-Za-z0-9_]*")
  read_data_lines("${file}" lines PATTERN "^[a-z_][a-z0-9_]*( \\?| ${arg_re})*$"
                  EXPECTED "'<name> [<type>:<arg>...]' or '<name> ?'")
  foreach(entry IN LISTS lines)
    split_data_line("${entry}" lineno fields)
    list(POP_FRONT fields name)
    check_named_once("${file}:${lineno}" ${name} seen)
    list(LENGTH fields nargs)
    if(fields STREQUAL "?")
      set(nargs -1)
      set(fields "")
    elseif("?" IN_LIST fields OR nargs GREATER 6)
      message(FATAL_ERROR "${file}:${lineno}: '?' must stand alone; at most six arguments")
    endif()
    set(slots "")
    foreach(arg IN LISTS fields)
      string(REGEX MATCH "^(.*):(.*)$" _ "${arg}")
      syslat_arg_kind(${name} "${CMAKE_MATCH_1}" "${CMAKE_MATCH_2}" kind)
      string(APPEND slots ", \"${CMAKE_MATCH_2}\", ${kind}")
    endforeach()
    list(LENGTH fields used)
    while(used LESS 6)
      string(APPEND slots ", \"\", Hex")
      math(EXPR used "${used} + 1")
    endwhile()
    set(ROW_${SC_NR_${name}} "SYSLAT_SYSCALL_ARGS(${SC_NR_${name}}, ${nargs}${slots})")
  endforeach()
  set(missing "")
  set(text "// Generated by src/core/gen_syscall_table.cmake (ABI ${ABI}) from\n")
  string(APPEND text "//   ${file}\n// with the rules of syscall_arg_rules.cmake. Do not edit.\n")
  string(APPEND text "// SYSLAT_SYSCALL_ARGS(nr, nargs, name0, kind0, ..., name5, kind5); nargs -1: unknown\n")
  foreach(nr IN LISTS all_nrs)
    if(NOT DEFINED ROW_${nr})
      list(APPEND missing ${SC_NAME_${nr}})
    endif()
    string(APPEND text "${ROW_${nr}}  // ${SC_NAME_${nr}}\n")
  endforeach()
  if(missing)
    list(JOIN missing " " missing)
    message(FATAL_ERROR "${file}: no row for: ${missing} (rerun scripts/gen-syscall-args.sh)")
  endif()
  file(WRITE "${output}.tmp" "${text}")
  file(COPY_FILE "${output}.tmp" "${output}" ONLY_IF_DIFFERENT)
  file(REMOVE "${output}.tmp")
endfunction()
