// run_team: every member runs once with a distinct index, the caller is member 0, the barrier
// synchronises the whole team, a single-thread team runs inline, and a callback that may
// throw is refused at compile time.
#include "samsort/core/thread_team.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace samsort {
namespace {

template <class Fn>
concept TeamCallback = requires(Fn fn) {
  run_team(std::size_t{2}, fn);
};

struct MayThrow {
  void operator()(std::size_t, std::size_t, std::barrier<>&) const {}
};
struct NeverThrows {
  void operator()(std::size_t, std::size_t, std::barrier<>&) const noexcept {}
};
static_assert(!TeamCallback<MayThrow>);
static_assert(TeamCallback<NeverThrows>);

TEST(ThreadTeamTest, EveryMemberRunsOnceWithADistinctIndex) {
  for (std::size_t threads : {0u, 1u, 2u, 4u, 7u}) {
    std::mutex mutex;
    std::multiset<std::size_t> members;
    std::set<std::size_t> team_sizes;
    std::thread::id caller = std::this_thread::get_id();
    std::atomic<bool> member0_on_caller{false};
    run_team(threads, [&](std::size_t member, std::size_t team, auto&) noexcept {
      std::lock_guard<std::mutex> lock(mutex);
      members.insert(member);
      team_sizes.insert(team);
      if (member == 0) member0_on_caller = std::this_thread::get_id() == caller;
    });
    std::size_t expected = threads == 0 ? 1 : threads;
    ASSERT_EQ(team_sizes.size(), 1u) << threads;
    EXPECT_EQ(*team_sizes.begin(), expected);
    EXPECT_EQ(members.size(), expected);
    for (std::size_t member = 0; member < expected; ++member) {
      EXPECT_EQ(members.count(member), 1u) << "member " << member;
    }
    EXPECT_TRUE(member0_on_caller);
  }
}

TEST(ThreadTeamTest, BarrierSeparatesPhases) {
  constexpr std::size_t kThreads = 4;
  constexpr int kPhases = 50;
  std::vector<int> progress(kThreads, 0);
  std::atomic<int> violations{0};
  run_team(kThreads, [&](std::size_t member, std::size_t team, auto& barrier) noexcept {
    for (int phase = 0; phase < kPhases; ++phase) {
      progress[member] = phase + 1;
      barrier.arrive_and_wait();
      for (std::size_t other = 0; other < team; ++other) {
        if (progress[other] != phase + 1) ++violations;
      }
      barrier.arrive_and_wait();
    }
  });
  EXPECT_EQ(violations.load(), 0);
  for (int done : progress) EXPECT_EQ(done, kPhases);
}

}  // namespace
}  // namespace samsort
