#include "util/event_loop.h"

#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "util/time.h"

namespace syslat::util {

Expected<std::unique_ptr<EventLoop>> EventLoop::create() {
  UniqueFd epoll(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll) return make_error(std::string("epoll_create1: ") + std::strerror(errno));
  return std::unique_ptr<EventLoop>(new EventLoop(std::move(epoll)));
}

Expected<void> EventLoop::watch(int fd, FdCallback on_ready) {
  const uint64_t key = next_key_++;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = key;
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0)
    return make_error("epoll_ctl(fd " + std::to_string(fd) + "): " + std::strerror(errno));
  watches_.emplace(key, Watch{fd, std::make_shared<FdCallback>(std::move(on_ready))});
  return {};
}

void EventLoop::unwatch(int fd) {
  for (auto it = watches_.begin(); it != watches_.end(); ++it) {
    if (it->second.fd != fd) continue;
    epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
    watches_.erase(it);
    return;
  }
}

EventLoop::TimerId EventLoop::at(uint64_t at_ns, Callback due) {
  const TimerId id = next_timer_++;
  timers_.emplace(id, Timer{at_ns, 0, std::make_shared<Callback>(std::move(due))});
  return id;
}

EventLoop::TimerId EventLoop::every(uint64_t period_ns, Callback tick) {
  const TimerId id = next_timer_++;
  timers_.emplace(id, Timer{monotonic_ns() + period_ns, period_ns, std::make_shared<Callback>(std::move(tick))});
  return id;
}

void EventLoop::reschedule(TimerId id, uint64_t period_ns) {
  auto it = timers_.find(id);
  if (it == timers_.end() || period_ns == 0) return;
  it->second.period_ns = period_ns;
  it->second.at_ns = monotonic_ns() + period_ns;
}

void EventLoop::cancel(TimerId id) { timers_.erase(id); }

// Only those due when the round began: a callback that arms another for
// "now" (work left over) lets the fds have their turn first. Each is
// looked at again just before it runs: an earlier one may have cancelled
// or rescheduled it.
void EventLoop::run_due_timers() {
  const uint64_t now = monotonic_ns();
  std::vector<std::pair<uint64_t, TimerId>> due;
  for (const auto& [id, t] : timers_)
    if (t.at_ns <= now) due.emplace_back(t.at_ns, id);
  std::sort(due.begin(), due.end());
  for (const auto& [at_ns, id] : due) {
    if (quit_) return;
    auto it = timers_.find(id);
    if (it == timers_.end() || it->second.at_ns > now) continue;
    const std::shared_ptr<Callback> callback = it->second.due;
    if (Timer& t = it->second; t.period_ns) {
      while (t.at_ns <= now) t.at_ns += t.period_ns;
    } else {
      timers_.erase(it);
    }
    (*callback)();
  }
}

int EventLoop::timeout_ms() const {
  if (timers_.empty()) return -1;
  uint64_t wake = UINT64_MAX;
  for (const auto& [id, t] : timers_) wake = std::min(wake, t.at_ns);
  const uint64_t now = monotonic_ns();
  // Rounded up: a wake-up a little early would find nothing due and wait again.
  return wake > now ? static_cast<int>(std::min<uint64_t>((wake - now + 999'999) / 1'000'000, INT32_MAX)) : 0;
}

void EventLoop::run() {
  epoll_event events[16];
  while (!quit_) {
    run_due_timers();
    if (quit_) break;
    const int n = epoll_wait(epoll_.get(), events, 16, timeout_ms());
    if (n < 0) {
      if (errno == EINTR && on_interrupted_) on_interrupted_();
      continue;  // EINTR; nothing else can fail with a valid epoll fd
    }
    for (int i = 0; i < n; ++i) {
      const uint64_t key = events[i].data.u64;  // a copy: epoll_event is packed, its u64 unaligned
      const auto it = watches_.find(key);
      if (it == watches_.end()) continue;  // unwatched by an earlier callback of this round
      const std::shared_ptr<FdCallback> on_ready = it->second.on_ready;
      (*on_ready)(events[i].events);
    }
  }
  quit_ = false;  // it may run again
}

}  // namespace syslat::util
