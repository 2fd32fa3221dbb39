// RecordArena: records packed downwards from top() (offset = distance below top, growing
// with input order), entries + scratch upwards from the base; reserve_record refuses exactly
// when record + 2 entries per record would not fit.
#include "samsort/sort/record_arena.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace samsort {
namespace {

constexpr std::size_t kEntryBytes = 16;

TEST(RecordArenaTest, RecordsArePackedDownwardsFromTheTop) {
  std::vector<std::uint8_t> region(4096);
  RecordArena arena(region.data(), region.size(), kEntryBytes);
  EXPECT_EQ(arena.base(), region.data());
  EXPECT_EQ(arena.capacity_bytes(), 4096u);
  EXPECT_EQ(arena.top(), region.data() + 4096);

  std::uint8_t* first = arena.reserve_record(100);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first, region.data() + 4096 - 100);
  EXPECT_EQ(arena.commit(100), 100u);
  EXPECT_EQ(arena.top() - 100, first);
  EXPECT_EQ(arena.count(), 1u);
  EXPECT_EQ(arena.record_bytes_used(), 100u);

  std::uint8_t* second = arena.reserve_record(200);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second, region.data() + 3796);
  EXPECT_EQ(arena.commit(200), 300u);
  EXPECT_EQ(arena.top() - 300, second);
  EXPECT_EQ(arena.count(), 2u);
  EXPECT_EQ(arena.record_bytes_used(), 300u);
}

TEST(RecordArenaTest, ReserveWithoutCommitChangesNothing) {
  std::vector<std::uint8_t> region(1024);
  RecordArena arena(region.data(), region.size(), kEntryBytes);
  std::uint8_t* slot = arena.reserve_record(50);
  EXPECT_EQ(arena.reserve_record(50), slot);
  EXPECT_EQ(arena.count(), 0u);
  EXPECT_EQ(arena.record_bytes_used(), 0u);
}

TEST(RecordArenaTest, RefusesExactlyWhenRecordsPlusEntriesAndScratchWouldNotFit) {
  constexpr std::size_t kRecordBytes = 100;
  constexpr std::size_t kPerRecord = kRecordBytes + 2 * kEntryBytes;  // 132
  constexpr std::size_t kFitting = 31;
  std::vector<std::uint8_t> region(kFitting * kPerRecord);  // exactly 31 records
  RecordArena arena(region.data(), region.size(), kEntryBytes);
  for (std::size_t idx = 0; idx < kFitting; ++idx) {
    ASSERT_NE(arena.reserve_record(kRecordBytes), nullptr) << "record " << idx;
    arena.commit(kRecordBytes);
  }
  EXPECT_EQ(arena.free_bytes(), 0u);
  EXPECT_EQ(arena.reserve_record(kRecordBytes), nullptr);
  EXPECT_EQ(arena.reserve_record(1), nullptr);  // even one byte needs 32 bytes of entries
  EXPECT_EQ(arena.count(), kFitting);
}

TEST(RecordArenaTest, BoundaryIsByteExact) {
  // 3 records of 50 bytes need 150 + 3 * 32 = 246 bytes.
  for (std::size_t capacity : {245u, 246u}) {
    std::vector<std::uint8_t> region(capacity);
    RecordArena arena(region.data(), region.size(), kEntryBytes);
    for (int idx = 0; idx < 2; ++idx) {
      ASSERT_NE(arena.reserve_record(50), nullptr);
      arena.commit(50);
    }
    EXPECT_EQ(arena.reserve_record(50) != nullptr, capacity == 246u) << capacity;
    EXPECT_EQ(arena.free_bytes(), capacity - 100 - 64);
  }
}

TEST(RecordArenaTest, ASmallerRecordCanFitAfterABiggerOneIsRefused) {
  std::vector<std::uint8_t> region(1000);
  RecordArena arena(region.data(), region.size(), kEntryBytes);
  ASSERT_NE(arena.reserve_record(800), nullptr);
  arena.commit(800);  // 800 + 32 used
  EXPECT_EQ(arena.reserve_record(200), nullptr);
  EXPECT_NE(arena.reserve_record(136), nullptr);  // 800 + 136 + 64 = 1000
  EXPECT_EQ(arena.reserve_record(137), nullptr);
}

TEST(RecordArenaTest, FitsWhenEmpty) {
  std::vector<std::uint8_t> region(1000);
  RecordArena arena(region.data(), region.size(), kEntryBytes);
  EXPECT_TRUE(arena.fits_when_empty(1000 - 32));
  EXPECT_FALSE(arena.fits_when_empty(1000 - 31));
  ASSERT_NE(arena.reserve_record(968), nullptr);
}

TEST(RecordArenaTest, EntriesScratchAndRecordsNeverOverlap) {
  std::vector<std::uint8_t> region(64 * 1024);
  RecordArena arena(region.data(), region.size(), kEntryBytes);
  std::vector<std::uint64_t> offsets;
  std::vector<std::size_t> sizes;
  for (std::size_t idx = 0;; ++idx) {
    std::size_t bytes = 40 + (idx * 37) % 300;
    std::uint8_t* slot = arena.reserve_record(bytes);
    if (slot == nullptr) break;
    std::memset(slot, static_cast<int>(idx & 0xff), bytes);
    std::uint64_t offset = arena.commit(bytes);
    EXPECT_EQ(arena.top() - offset, slot);
    offsets.push_back(offset);
    sizes.push_back(bytes);
    std::uint8_t* entry = arena.entries() + (arena.count() - 1) * kEntryBytes;
    std::memset(entry, 0xee, kEntryBytes);
  }
  ASSERT_GT(offsets.size(), 100u);
  EXPECT_EQ(arena.entries(), arena.base());
  EXPECT_EQ(arena.scratch(), arena.base() + arena.count() * kEntryBytes);
  // Scratch (as large as the entries) ends at or below the lowest record.
  std::size_t lowest_record = arena.capacity_bytes() - offsets.back();
  EXPECT_LE(2 * arena.count() * kEntryBytes, lowest_record);
  EXPECT_EQ(arena.free_bytes(), lowest_record - 2 * arena.count() * kEntryBytes);
  std::memset(arena.scratch(), 0x77, arena.count() * kEntryBytes);
  for (std::size_t idx = 0; idx < offsets.size(); ++idx) {
    const std::uint8_t* record = arena.top() - offsets[idx];
    for (std::size_t at = 0; at < sizes[idx]; ++at) {
      ASSERT_EQ(record[at], idx & 0xff) << "record " << idx << " byte " << at;
    }
  }
  for (std::size_t at = 0; at < arena.count() * kEntryBytes; ++at) {
    ASSERT_EQ(arena.entries()[at], 0xee) << at;
  }
}

TEST(RecordArenaTest, OffsetsGrowWithInputOrder) {
  // Sort entries rely on this: the offset is the final, stable tie.
  std::vector<std::uint8_t> region(4096);
  RecordArena arena(region.data(), region.size(), kEntryBytes);
  std::uint64_t previous = 0;
  for (int idx = 0; idx < 10; ++idx) {
    ASSERT_NE(arena.reserve_record(64 + idx), nullptr);
    std::uint64_t offset = arena.commit(64 + idx);
    EXPECT_GT(offset, previous);
    previous = offset;
  }
}

TEST(RecordArenaTest, ClearStartsOverFromTheTop) {
  std::vector<std::uint8_t> region(2048);
  RecordArena arena(region.data(), region.size(), kEntryBytes);
  for (int idx = 0; idx < 5; ++idx) {
    ASSERT_NE(arena.reserve_record(100), nullptr);
    arena.commit(100);
  }
  arena.clear();
  EXPECT_EQ(arena.count(), 0u);
  EXPECT_EQ(arena.record_bytes_used(), 0u);
  EXPECT_EQ(arena.free_bytes(), 2048u);
  EXPECT_EQ(arena.scratch(), arena.base());
  EXPECT_EQ(arena.reserve_record(100), region.data() + 2048 - 100);
  EXPECT_EQ(arena.commit(100), 100u);
}

// The split arena grows a half into the whole run: records follow the top, entries the base.
TEST(RecordArenaTest, MoveToKeepsRecordsAndEntriesAtTheirOffsets) {
  for (std::size_t half_start : {std::size_t{0}, std::size_t{2048}}) {
    std::vector<std::uint8_t> region(4096);
    RecordArena arena(region.data() + half_start, 2048, kEntryBytes);
    std::vector<std::uint64_t> offsets;
    for (int idx = 0; idx < 5; ++idx) {
      std::uint8_t* slot = arena.reserve_record(100);
      ASSERT_NE(slot, nullptr);
      std::memset(slot, idx + 1, 100);
      offsets.push_back(arena.commit(100));
      std::memcpy(arena.entries() + idx * kEntryBytes, &offsets.back(), sizeof(std::uint64_t));
    }
    arena.move_to(region.data(), region.size());
    EXPECT_EQ(arena.base(), region.data());
    EXPECT_EQ(arena.top(), region.data() + region.size());
    EXPECT_EQ(arena.count(), 5u);
    EXPECT_EQ(arena.record_bytes_used(), 500u);
    for (int idx = 0; idx < 5; ++idx) {
      std::uint64_t offset = 0;
      std::memcpy(&offset, arena.entries() + idx * kEntryBytes, sizeof(offset));
      EXPECT_EQ(offset, offsets[idx]);
      EXPECT_EQ(arena.top()[-static_cast<std::ptrdiff_t>(offset)], idx + 1);
    }
    EXPECT_EQ(arena.free_bytes(), 4096u - 500u - 2 * 5 * kEntryBytes);
  }
}

}  // namespace
}  // namespace samsort
