// One thread's event loop: it sleeps in epoll until a watched fd is ready or
// the nearest timer is due, then runs what is ready, one callback at a time,
// in the thread that called run(). Nothing here blocks but that wait, so a
// callback must not block for long either: it holds up every other.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "util/expected.h"
#include "util/fd.h"

namespace syslat::util {

class EventLoop {
 public:
  using FdCallback = std::function<void(uint32_t events)>;  // EPOLLIN, EPOLLHUP, EPOLLERR
  using Callback = std::function<void()>;
  using TimerId = uint64_t;

  static Expected<std::unique_ptr<EventLoop>> create();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Calls on_ready whenever fd is readable, hung up or in error (level
  // triggered: until it is read) — an epoll fd too, when its own fds are
  // ready. Until unwatch(fd), which must come before the fd is closed.
  Expected<void> watch(int fd, FdCallback on_ready);
  void unwatch(int fd);

  // Calls due once, when CLOCK_MONOTONIC reaches at_ns (0 or a time past:
  // in the next round, after the fds ready meanwhile).
  TimerId at(uint64_t at_ns, Callback due);
  // Calls tick every period_ns, the first time one period from now; a tick
  // missed (the loop was busy) is not made up for. Timers due at the same
  // time run in the order they were made.
  TimerId every(uint64_t period_ns, Callback tick);
  // The next tick of a repeating timer one period_ns from now, and every
  // period_ns from then on (what it does was just done for another reason,
  // or the period changed).
  void reschedule(TimerId id, uint64_t period_ns);
  void cancel(TimerId id);

  // Called when a signal handler interrupted the wait (ncurses' SIGWINCH:
  // the terminal was resized, a key is waiting).
  void on_interrupted(Callback callback) { on_interrupted_ = std::move(callback); }

  // Waits and runs callbacks until quit() (at once if it was called
  // before). The round in progress finishes: every fd it found ready is
  // handled; timers do not run after quit(). It can run again afterwards.
  void run();
  void quit() { quit_ = true; }

 private:
  struct Watch {
    int fd;
    std::shared_ptr<FdCallback> on_ready;  // shared: a callback may unwatch itself
  };
  struct Timer {
    uint64_t at_ns;
    uint64_t period_ns;               // 0: once
    std::shared_ptr<Callback> due;    // shared: a callback may cancel itself
  };
  explicit EventLoop(UniqueFd epoll) : epoll_(std::move(epoll)) {}
  void run_due_timers();
  int timeout_ms() const;  // until the nearest timer; -1: none

  UniqueFd epoll_;
  std::map<uint64_t, Watch> watches_;  // by key (epoll's data): never reused, unlike fds
  uint64_t next_key_ = 1;
  std::map<TimerId, Timer> timers_;
  TimerId next_timer_ = 1;
  Callback on_interrupted_;
  bool quit_ = false;
};

}  // namespace syslat::util
