// SpillThread: the task runs beside the caller, join() rethrows its error and counts the wait,
// abandon() stops a task that polls the flag and drops its error, one task at a time.
#include "samsort/sort/spill_thread.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace samsort {
namespace {

TEST(SpillThreadTest, TaskRunsBesideTheCallerAndJoinCountsTheWait) {
  SpillThread spill;
  EXPECT_FALSE(spill.busy());
  EXPECT_EQ(spill.join(), 0.0);  // nothing in flight
  std::atomic<bool> release{false};
  std::atomic<int> ran{0};
  spill.launch([&](const std::atomic<bool>&) {
    while (!release.load()) std::this_thread::yield();
    ran.store(1);
  });
  EXPECT_TRUE(spill.busy());
  EXPECT_EQ(ran.load(), 0);  // still waiting for the caller: it runs on a thread of its own
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    release.store(true);
  });
  double waited = spill.join();
  releaser.join();
  EXPECT_EQ(ran.load(), 1);
  EXPECT_GE(waited, 0.03);
  EXPECT_FALSE(spill.busy());
}

TEST(SpillThreadTest, JoinRethrowsTheTasksErrorOnce) {
  SpillThread spill;
  spill.launch([](const std::atomic<bool>&) { throw std::runtime_error("disk on fire"); });
  try {
    spill.join();
    FAIL() << "no error";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "disk on fire");
  }
  EXPECT_EQ(spill.join(), 0.0);  // taken: the next join has nothing
  int runs = 0;
  spill.launch([&](const std::atomic<bool>&) { ++runs; });  // reusable after an error
  spill.join();
  EXPECT_EQ(runs, 1);
}

TEST(SpillThreadTest, AbandonStopsAPollingTaskAndDropsItsError) {
  SpillThread spill;
  std::atomic<bool> started{false};
  spill.launch([&](const std::atomic<bool>& stop) {
    started.store(true);
    while (!stop.load()) std::this_thread::yield();
    throw std::runtime_error("spill abandoned");
  });
  while (!started.load()) std::this_thread::yield();
  spill.abandon();
  EXPECT_FALSE(spill.busy());
  EXPECT_EQ(spill.join(), 0.0);  // the error went with it
  spill.abandon();               // idempotent
}

TEST(SpillThreadTest, DestructorStopsATaskInFlight) {
  std::atomic<bool> stopped{false};
  {
    SpillThread spill;
    spill.launch([&](const std::atomic<bool>& stop) {
      while (!stop.load()) std::this_thread::yield();
      stopped.store(true);
    });
  }
  EXPECT_TRUE(stopped.load());
}

}  // namespace
}  // namespace samsort
