// SplitArena: two halves of one growable run when runs may take more than half the region,
// two whole-run halves when runs are capped; growing keeps entries and records; everything
// starts on a cache line; the run capacity is the rounded-down request.
#include "samsort/sort/split_arena.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace samsort {
namespace {

constexpr std::size_t kEntryBytes = 16;
using Fill = SplitArena::Fill;

std::size_t offset(const std::uint8_t* at, const std::vector<std::uint8_t>& region) {
  return static_cast<std::size_t>(at - region.data());
}

TEST(SplitArenaTest, RunsLargerThanHalfTheRegionSplitOneGrowableRun) {
  std::vector<std::uint8_t> region(1 << 20);
  SplitArena split(kEntryBytes);
  split.plan(region.data(), region.size(), region.size());
  EXPECT_TRUE(split.can_grow());
  EXPECT_EQ(split.run_capacity(), region.size());
  EXPECT_EQ(split.half_bytes(), region.size() / 2);
  // The top half ends at the run's top; reading starts there.
  EXPECT_EQ(offset(split.top_half_base(), region) + split.half_bytes(), split.run_capacity());
  EXPECT_EQ(split.filling(), Fill::kTop);
  EXPECT_EQ(split.arena().base(), split.top_half_base());
  EXPECT_EQ(split.arena().capacity_bytes(), split.half_bytes());
  split.use_other_half();
  EXPECT_EQ(split.filling(), Fill::kBottom);
  EXPECT_EQ(split.arena().base(), region.data());
  EXPECT_EQ(split.arena().capacity_bytes(), split.half_bytes());
  split.use_other_half();
  EXPECT_EQ(split.filling(), Fill::kTop);
}

TEST(SplitArenaTest, CappedRunsGiveEachHalfAWholeRun) {
  std::vector<std::uint8_t> region(1 << 20);
  SplitArena split(kEntryBytes);
  split.plan(region.data(), region.size(), region.size() / 4);
  EXPECT_FALSE(split.can_grow());
  EXPECT_EQ(split.half_bytes(), split.run_capacity());
  // Right above the bottom half: the pages above both halves stay untouched.
  EXPECT_EQ(offset(split.top_half_base(), region), split.run_capacity());
  EXPECT_EQ(split.arena().capacity_bytes(), split.run_capacity());
  split.use_half(Fill::kBottom);
  EXPECT_EQ(split.arena().base(), region.data());
  // Exactly half the region: still capped (a half holds the whole run).
  split.plan(region.data(), region.size(), region.size() / 2);
  EXPECT_FALSE(split.can_grow());
  EXPECT_EQ(split.half_bytes(), region.size() / 2);
}

TEST(SplitArenaTest, EverythingStartsOnACacheLine) {
  std::vector<std::uint8_t> region(1'000'003);
  SplitArena split(kEntryBytes);
  split.plan(region.data(), region.size(), 999'999);
  EXPECT_EQ(split.run_capacity() % SplitArena::kAlignBytes, 0u);
  EXPECT_LE(split.run_capacity(), 999'999u);
  EXPECT_GT(split.run_capacity() + SplitArena::kAlignBytes, 999'999u);
  EXPECT_EQ(split.half_bytes() % SplitArena::kAlignBytes, 0u);
  EXPECT_EQ(offset(split.top_half_base(), region) % SplitArena::kAlignBytes, 0u);
  split.plan(region.data(), region.size(), 300'001);  // capped
  EXPECT_EQ(split.run_capacity() % SplitArena::kAlignBytes, 0u);
  EXPECT_EQ(offset(split.top_half_base(), region) % SplitArena::kAlignBytes, 0u);
}

TEST(SplitArenaTest, GrowingIntoTheRunKeepsEntriesAndRecords) {
  std::vector<std::uint8_t> region(1 << 16);
  SplitArena split(kEntryBytes);
  split.plan(region.data(), region.size(), region.size());
  RecordArena& arena = split.arena();
  std::vector<std::uint64_t> offsets;
  for (std::uint8_t idx = 0; idx < 20; ++idx) {
    std::uint8_t* slot = arena.reserve_record(100);
    ASSERT_NE(slot, nullptr);
    std::memset(slot, idx, 100);
    offsets.push_back(arena.commit(100));
    std::memset(arena.entries() + (arena.count() - 1) * kEntryBytes, idx, kEntryBytes);
  }
  std::size_t used = SplitArena::used_bytes(arena);
  EXPECT_EQ(used, 20 * 100 + 2 * 20 * kEntryBytes);
  split.grow_into_run();
  EXPECT_EQ(split.filling(), Fill::kWhole);
  const RecordArena& grown = split.arena();
  EXPECT_EQ(grown.base(), region.data());
  EXPECT_EQ(grown.capacity_bytes(), split.run_capacity());
  EXPECT_EQ(grown.count(), 20u);
  EXPECT_EQ(SplitArena::used_bytes(grown), used);
  for (std::uint8_t idx = 0; idx < 20; ++idx) {
    EXPECT_EQ(grown.entries()[idx * kEntryBytes], idx) << "entry " << int{idx};
    EXPECT_EQ(grown.top()[-static_cast<std::ptrdiff_t>(offsets[idx])], idx)
        << "record " << int{idx};
  }
}

}  // namespace
}  // namespace samsort
