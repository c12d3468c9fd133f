#include <catch2/catch.hpp>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "util/event_loop.h"
#include "util/fd.h"
#include "util/time.h"

using syslat::util::EventLoop;
using syslat::util::UniqueFd;

namespace {

std::unique_ptr<EventLoop> make_loop() {
  auto loop = EventLoop::create();
  REQUIRE(loop);
  return std::move(*loop);
}

struct Pipe {
  UniqueFd read, write;
  Pipe() {
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0);
    read.reset(fds[0]);
    write.reset(fds[1]);
  }
};

}  // namespace

TEST_CASE("event loop: timers run in the order they are due, then run() returns on quit()", "[event_loop]") {
  auto loop = make_loop();
  std::vector<std::string> ran;
  const uint64_t now = syslat::util::monotonic_ns();
  loop->at(now + 30'000'000, [&] {
    ran.push_back("30ms");
    loop->quit();
  });
  loop->at(now + 10'000'000, [&] { ran.push_back("10ms"); });
  const auto cancelled = loop->at(now + 20'000'000, [&] { ran.push_back("20ms"); });
  loop->at(now + 40'000'000, [&] { ran.push_back("40ms, after quit"); });
  loop->cancel(cancelled);
  loop->run();
  CHECK(ran == std::vector<std::string>{"10ms", "30ms"});
  CHECK(syslat::util::monotonic_ns() >= now + 30'000'000);
}

TEST_CASE("event loop: a readable fd calls its callback until read, unwatch stops it", "[event_loop]") {
  auto loop = make_loop();
  Pipe p;
  int calls = 0;
  REQUIRE(loop->watch(p.read.get(), [&](uint32_t events) {
    CHECK((events & EPOLLIN));
    char c;
    // Level-triggered: unread, it is reported again in the next round.
    if (++calls == 2) REQUIRE(::read(p.read.get(), &c, 1) == 1);
  }));
  REQUIRE(::write(p.write.get(), "x", 1) == 1);
  loop->at(syslat::util::monotonic_ns() + 50'000'000, [&] { loop->quit(); });
  loop->run();
  CHECK(calls == 2);

  // Unwatched: data waiting calls nothing; the loop runs again after quit().
  REQUIRE(::write(p.write.get(), "y", 1) == 1);
  loop->unwatch(p.read.get());
  loop->at(syslat::util::monotonic_ns() + 50'000'000, [&] { loop->quit(); });
  loop->run();
  CHECK(calls == 2);
}

TEST_CASE("event loop: a hung-up fd is reported (EPOLLHUP) without data", "[event_loop]") {
  auto loop = make_loop();
  Pipe p;
  uint32_t seen = 0;
  REQUIRE(loop->watch(p.read.get(), [&](uint32_t events) {
    seen = events;
    loop->quit();
  }));
  p.write.reset();
  loop->run();
  CHECK((seen & EPOLLHUP));
}

TEST_CASE("event loop: work armed for now waits for the fds ready meanwhile", "[event_loop]") {
  auto loop = make_loop();
  Pipe p;
  std::vector<std::string> ran;
  int steps = 0;
  std::function<void()> step = [&] {
    ran.push_back("step");
    if (++steps < 3) loop->at(0, step);
    else loop->quit();
  };
  REQUIRE(loop->watch(p.read.get(), [&](uint32_t) {
    char c;
    REQUIRE(::read(p.read.get(), &c, 1) == 1);
    ran.push_back("fd");
  }));
  REQUIRE(::write(p.write.get(), "x", 1) == 1);
  loop->at(0, step);
  loop->run();
  // The first step runs before the first wait; the fd is handled before the
  // step it armed: a callback that keeps re-arming cannot starve the fds.
  CHECK(ran == std::vector<std::string>{"step", "fd", "step", "step"});
}

TEST_CASE("event loop: every() ticks on a grid, reschedule() moves the next tick and changes the period", "[event_loop]") {
  auto loop = make_loop();
  const uint64_t start = syslat::util::monotonic_ns();
  std::vector<uint64_t> ticks;
  EventLoop::TimerId id = 0;
  id = loop->every(20'000'000, [&] {
    ticks.push_back(syslat::util::monotonic_ns() - start);
    if (ticks.size() == 2) loop->reschedule(id, 60'000'000);
    if (ticks.size() == 4) loop->quit();
  });
  loop->run();
  REQUIRE(ticks.size() == 4);
  CHECK(ticks[0] >= 20'000'000);
  CHECK(ticks[1] >= 40'000'000);
  CHECK(ticks[2] - ticks[1] >= 60'000'000);
  CHECK(ticks[3] - ticks[2] >= 60'000'000);
}

TEST_CASE("event loop: timers due together run in the order they were made, one may reschedule the next", "[event_loop]") {
  auto loop = make_loop();
  std::vector<std::string> ran;
  EventLoop::TimerId second = 0;
  loop->every(30'000'000, [&] {
    ran.push_back("first");
    loop->reschedule(second, 30'000'000);  // done now: the second need not run this time
  });
  second = loop->every(30'000'000, [&] { ran.push_back("second"); });
  loop->at(syslat::util::monotonic_ns() + 75'000'000, [&] { loop->quit(); });
  loop->run();
  CHECK(ran == std::vector<std::string>{"first", "first"});
}

TEST_CASE("event loop: a signal handler interrupting the wait calls on_interrupted", "[event_loop]") {
  auto loop = make_loop();
  struct sigaction sa {};
  sa.sa_handler = [](int) {};
  struct sigaction old {};
  REQUIRE(sigaction(SIGUSR2, &sa, &old) == 0);
  int interrupted = 0;
  loop->on_interrupted([&] {
    ++interrupted;
    loop->quit();
  });
  const pthread_t waiter = pthread_self();  // the signal must land in the thread that waits
  std::thread kicker([waiter] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    pthread_kill(waiter, SIGUSR2);
  });
  const auto guard = loop->at(syslat::util::monotonic_ns() + 5'000'000'000, [&] { loop->quit(); });
  loop->run();
  kicker.join();
  sigaction(SIGUSR2, &old, nullptr);
  loop->cancel(guard);
  CHECK(interrupted == 1);
}
