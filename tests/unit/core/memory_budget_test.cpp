// MemoryBudget / Reservation accounting (reserve, release, peak, exhaustion, moves) and
// MappedBuffer (page rounding, budget claims, moves, release_pages keeping the mapping).
#include "samsort/core/memory_budget.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <thread>
#include <vector>

#include "samsort/core/errors.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

using test::contains;
using test::thrown_message;

std::size_t page_bytes() { return static_cast<std::size_t>(sysconf(_SC_PAGESIZE)); }

TEST(MemoryBudgetTest, ReserveAndReleaseKeepTheAccount) {
  MemoryBudget budget(1000);
  EXPECT_EQ(budget.total_bytes(), 1000u);
  EXPECT_EQ(budget.reserved_bytes(), 0u);
  EXPECT_EQ(budget.available_bytes(), 1000u);
  {
    Reservation first = budget.reserve(300, "first");
    EXPECT_EQ(first.bytes(), 300u);
    EXPECT_EQ(budget.reserved_bytes(), 300u);
    EXPECT_EQ(budget.available_bytes(), 700u);
    Reservation second = budget.reserve(700, "second");
    EXPECT_EQ(budget.reserved_bytes(), 1000u);
    EXPECT_EQ(budget.available_bytes(), 0u);
    first.release();
    EXPECT_EQ(first.bytes(), 0u);
    EXPECT_EQ(budget.reserved_bytes(), 700u);
    first.release();  // a second release gives nothing back twice
    EXPECT_EQ(budget.reserved_bytes(), 700u);
  }
  EXPECT_EQ(budget.reserved_bytes(), 0u);
  EXPECT_EQ(budget.peak_reserved_bytes(), 1000u);
}

TEST(MemoryBudgetTest, PeakIsTheHighWaterMark) {
  MemoryBudget budget(10000);
  {
    Reservation a = budget.reserve(4000, "a");
    Reservation b = budget.reserve(2000, "b");
  }
  EXPECT_EQ(budget.peak_reserved_bytes(), 6000u);
  Reservation c = budget.reserve(5000, "c");
  EXPECT_EQ(budget.peak_reserved_bytes(), 6000u);
  Reservation d = budget.reserve(1500, "d");
  EXPECT_EQ(budget.peak_reserved_bytes(), 6500u);
}

TEST(MemoryBudgetTest, ExhaustionThrowsResourceErrorNamingThePurpose) {
  MemoryBudget budget(1000);
  Reservation held = budget.reserve(600, "held");
  auto message = thrown_message<ResourceError>(
      [&] { Reservation extra = budget.reserve(401, "merge read buffers"); });
  ASSERT_TRUE(message.has_value());
  EXPECT_TRUE(contains(*message, "merge read buffers")) << *message;
  EXPECT_TRUE(contains(*message, "401")) << *message;
  // A failed reservation leaves the account as it was, and exactly the rest still fits.
  EXPECT_EQ(budget.reserved_bytes(), 600u);
  EXPECT_EQ(budget.peak_reserved_bytes(), 600u);
  Reservation rest = budget.reserve(400, "rest");
  EXPECT_EQ(budget.available_bytes(), 0u);
  EXPECT_THROW(budget.reserve(1, "one more"), ResourceError);
}

TEST(MemoryBudgetTest, ZeroByteReservationAlwaysFits) {
  MemoryBudget budget(0);
  Reservation nothing = budget.reserve(0, "nothing");
  EXPECT_EQ(nothing.bytes(), 0u);
  EXPECT_EQ(budget.reserved_bytes(), 0u);
  EXPECT_THROW(budget.reserve(1, "something"), ResourceError);
}

TEST(MemoryBudgetTest, ReservationMoveTransfersTheClaim) {
  MemoryBudget budget(1000);
  Reservation source = budget.reserve(100, "source");
  Reservation moved(std::move(source));
  EXPECT_EQ(moved.bytes(), 100u);
  EXPECT_EQ(source.bytes(), 0u);  // NOLINT(bugprone-use-after-move): moved-from state
  EXPECT_EQ(budget.reserved_bytes(), 100u);
  source.release();
  EXPECT_EQ(budget.reserved_bytes(), 100u);

  Reservation target = budget.reserve(250, "target");
  EXPECT_EQ(budget.reserved_bytes(), 350u);
  target = std::move(moved);  // the target's own 250 bytes go back
  EXPECT_EQ(target.bytes(), 100u);
  EXPECT_EQ(budget.reserved_bytes(), 100u);
  target = Reservation();
  EXPECT_EQ(budget.reserved_bytes(), 0u);
}

TEST(MemoryBudgetTest, ConcurrentReservationsBalance) {
  constexpr std::size_t kThreads = 4;
  constexpr std::size_t kRounds = 2000;
  MemoryBudget budget(kThreads * 10);
  std::vector<std::thread> threads;
  for (std::size_t member = 0; member < kThreads; ++member) {
    threads.emplace_back([&budget] {
      for (std::size_t round = 0; round < kRounds; ++round) {
        Reservation claim = budget.reserve(10, "worker");
        ASSERT_LE(budget.reserved_bytes(), budget.total_bytes());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(budget.reserved_bytes(), 0u);
  EXPECT_LE(budget.peak_reserved_bytes(), kThreads * 10);
  EXPECT_GE(budget.peak_reserved_bytes(), 10u);
}

TEST(MappedBufferTest, RoundsUpToPagesAndReservesTheRoundedSize) {
  const std::size_t page = page_bytes();
  MemoryBudget budget(64 * page);
  {
    MappedBuffer one(budget, 1, "one byte");
    EXPECT_EQ(one.size(), page);
    EXPECT_NE(one.data(), nullptr);
    EXPECT_EQ(budget.reserved_bytes(), page);
    MappedBuffer three(budget, 2 * page + 1, "three pages");
    EXPECT_EQ(three.size(), 3 * page);
    EXPECT_EQ(budget.reserved_bytes(), 4 * page);
    MappedBuffer exact(budget, 5 * page, "five pages");
    EXPECT_EQ(exact.size(), 5 * page);
    MappedBuffer empty(budget, 0, "empty");
    EXPECT_EQ(empty.size(), page);
    EXPECT_EQ(budget.reserved_bytes(), 10 * page);
    std::memset(three.data(), 0x5a, three.size());  // the whole rounded size is usable
    EXPECT_EQ(three.data()[3 * page - 1], 0x5a);
  }
  EXPECT_EQ(budget.reserved_bytes(), 0u);
  EXPECT_EQ(round_up_to_pages(0), 0u);
  EXPECT_EQ(round_up_to_pages(1), page);
  EXPECT_EQ(round_up_to_pages(page), page);
  EXPECT_EQ(round_up_to_pages(page + 1), 2 * page);
}

TEST(MappedBufferTest, ExhaustionThrowsAndReservesNothing) {
  const std::size_t page = page_bytes();
  MemoryBudget budget(4 * page);
  auto message =
      thrown_message<ResourceError>([&] { MappedBuffer big(budget, 4 * page + 1, "big ring"); });
  ASSERT_TRUE(message.has_value());
  EXPECT_TRUE(contains(*message, "big ring")) << *message;
  EXPECT_EQ(budget.reserved_bytes(), 0u);
  MappedBuffer fits(budget, 4 * page, "fits");
  EXPECT_EQ(budget.reserved_bytes(), 4 * page);
}

TEST(MappedBufferTest, MoveTransfersMappingAndClaim) {
  const std::size_t page = page_bytes();
  MemoryBudget budget(16 * page);
  MappedBuffer source(budget, 2 * page, "source");
  source.data()[0] = 42;
  std::uint8_t* mapping = source.data();
  MappedBuffer moved(std::move(source));
  EXPECT_EQ(moved.data(), mapping);
  EXPECT_EQ(moved.size(), 2 * page);
  EXPECT_EQ(moved.data()[0], 42);
  EXPECT_EQ(source.data(), nullptr);  // NOLINT(bugprone-use-after-move): moved-from state
  EXPECT_EQ(source.size(), 0u);
  EXPECT_EQ(budget.reserved_bytes(), 2 * page);

  MappedBuffer target(budget, 3 * page, "target");
  EXPECT_EQ(budget.reserved_bytes(), 5 * page);
  target = std::move(moved);  // the target's three pages are unmapped and given back
  EXPECT_EQ(target.data(), mapping);
  EXPECT_EQ(target.data()[0], 42);
  EXPECT_EQ(budget.reserved_bytes(), 2 * page);
  target = MappedBuffer();
  EXPECT_EQ(target.data(), nullptr);
  EXPECT_EQ(budget.reserved_bytes(), 0u);
}

TEST(MappedBufferTest, ReleasePagesDropsWholePagesAndKeepsTheMapping) {
  const std::size_t page = page_bytes();
  MemoryBudget budget(16 * page);
  MappedBuffer buffer(budget, 6 * page, "buffer");
  std::memset(buffer.data(), 0xab, buffer.size());

  // A range that covers no whole page drops nothing.
  buffer.release_pages(1, page);
  EXPECT_EQ(buffer.data()[0], 0xab);
  EXPECT_EQ(buffer.data()[page], 0xab);
  EXPECT_EQ(buffer.data()[2 * page - 1], 0xab);

  // [page / 2, 3.5 pages) rounds inwards to pages 1 and 2.
  buffer.release_pages(page / 2, 3 * page);
  EXPECT_EQ(buffer.data()[page - 1], 0xab);
  EXPECT_EQ(buffer.data()[page], 0);
  EXPECT_EQ(buffer.data()[3 * page - 1], 0);
  EXPECT_EQ(buffer.data()[3 * page], 0xab);

  // Released pages stay mapped and writable; the budget claim is unchanged.
  buffer.data()[page] = 7;
  EXPECT_EQ(buffer.data()[page], 7);
  EXPECT_EQ(budget.reserved_bytes(), 6 * page);

  // A range past the end is clamped to the buffer.
  buffer.release_pages(4 * page, 100 * page);
  EXPECT_EQ(buffer.data()[4 * page], 0);
  EXPECT_EQ(buffer.data()[6 * page - 1], 0);
  EXPECT_EQ(buffer.data()[3 * page], 0xab);
}

TEST(MemoryBudgetTest, PeakRssIsReported) { EXPECT_GT(peak_rss_bytes(), 1024u * 1024u); }

}  // namespace
}  // namespace samsort
