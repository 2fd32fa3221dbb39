// radix_sort_entries<CoordinateOrder> and prefix_radix_sort_entries against std::stable_sort by
// the key, over several key distributions, sizes (0 to 300,000, across the parallel
// threshold) and thread counts.
#include "samsort/sort/run_sorter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "samsort/core/config.hpp"
#include "samsort/order/coordinate_key.hpp"
#include "test_records.hpp"

namespace samsort {
namespace {

using Entry = CoordinateOrder::Entry;

enum class Keys { kDuplicates, kWide, kAllEqual, kSorted, kReverseSorted };
enum class Offsets { kIncreasing, kDecreasing };

const char* keys_name(Keys keys) {
  switch (keys) {
    case Keys::kDuplicates:
      return "duplicates";
    case Keys::kWide:
      return "wide";
    case Keys::kAllEqual:
      return "all_equal";
    case Keys::kSorted:
      return "sorted";
    case Keys::kReverseSorted:
      return "reverse_sorted";
  }
  return "?";
}

// The whole entry, offset included (CoordinateOrder::entry_less is overloaded).
bool entry_less(const Entry& a, const Entry& b) { return CoordinateOrder::entry_less(a, b); }

// The key part of an entry (the offset masked off).
bool key_less(const Entry& a, const Entry& b) {
  std::uint64_t a_lo = a.lo & ~CoordinateOrder::kOffsetMask;
  std::uint64_t b_lo = b.lo & ~CoordinateOrder::kOffsetMask;
  return a.hi != b.hi ? a.hi < b.hi : a_lo < b_lo;
}

// Entries as phase 1 makes them: one per crafted record. Offsets grow with the input index
// (as RecordArena hands them out) or, to show the radix sort does not rely on them, shrink.
std::vector<Entry> make_entries(std::size_t count, Keys keys, Offsets offsets, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint8_t> record = test::make_record("x", 0, 0);
  std::vector<Entry> entries(count);
  for (std::size_t idx = 0; idx < count; ++idx) {
    std::int32_t tid = 0;
    std::int32_t pos = 0;
    std::uint16_t flag = 0;
    std::uint64_t value = rng();
    switch (keys) {
      case Keys::kDuplicates:
        tid = static_cast<std::int32_t>(value % 5) - 1;
        pos = static_cast<std::int32_t>((value >> 8) % 52) - 1;
        flag = (value >> 20) & 1 ? 0x10 : 0x4;
        break;
      case Keys::kWide:
      case Keys::kSorted:
      case Keys::kReverseSorted:
        tid = static_cast<std::int32_t>(value >> 32);
        if ((value & 0xf) == 0) tid = -1;
        pos = static_cast<std::int32_t>((value >> 1) & 0x7fffffff) - ((value & 0x30) == 0);
        flag = (value >> 6) & 1 ? 0x10 : 0;
        break;
      case Keys::kAllEqual:
        tid = 3;
        pos = 77777;
        flag = 0x10;
        break;
    }
    test::store_i32(record, test::kRefIdAt, tid);
    test::store_i32(record, test::kPosAt, pos);
    test::store_u16(record, test::kFlagAt, flag);
    entries[idx] = CoordinateOrder{}.make_entry(record.data(), 0);
  }
  if (keys == Keys::kSorted) std::stable_sort(entries.begin(), entries.end(), key_less);
  if (keys == Keys::kReverseSorted) {
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& a, const Entry& b) { return key_less(b, a); });
  }
  for (std::size_t idx = 0; idx < count; ++idx) {
    std::uint64_t offset =
        offsets == Offsets::kIncreasing ? 40 + 37 * idx : 40 + 37 * (count - idx);
    entries[idx].lo |= offset;
  }
  return entries;
}

enum class Sorter { kRadix, kComparison };

// The path non-coordinate orders take: radix on a prefix (here the hi word only), then the
// comparator on runs of equal prefixes (here the lo word with the offset).
struct HighWordPrefixOrder : CoordinateOrder {
  static constexpr std::size_t kPrefixWords = 1;
  static constexpr RadixDigit kRadixDigits[] = {{0, 0}, {0, 1}, {0, 2}, {0, 3},
                                                {0, 4}, {0, 5}, {0, 6}, {0, 7}};
  static bool refine(Entry*, std::size_t, unsigned, const std::uint8_t*) noexcept { return false; }
};

void check_sort(std::size_t count, Keys keys, Offsets offsets, std::size_t threads,
                Sorter sorter = Sorter::kRadix) {
  SCOPED_TRACE(std::string(sorter == Sorter::kRadix ? "radix, " : "comparison, ") +
               keys_name(keys) + ", " + std::to_string(count) + " entries, " +
               std::to_string(threads) + " threads, " +
               (offsets == Offsets::kIncreasing ? "increasing" : "decreasing") + " offsets");
  std::vector<Entry> entries = make_entries(count, keys, offsets, 1000 + count);
  std::vector<Entry> expected = entries;
  std::stable_sort(expected.begin(), expected.end(), key_less);
  std::vector<Entry> scratch(count);
  Entry* result =
      sorter == Sorter::kRadix
          ? radix_sort_entries<CoordinateOrder>(entries.data(), scratch.data(), count, threads)
          : prefix_radix_sort_entries(HighWordPrefixOrder{}, entries.data(), scratch.data(), count,
                                      threads, nullptr, entry_less);
  ASSERT_TRUE(result == entries.data() || result == scratch.data());
  std::size_t mismatches = 0;
  std::size_t first_mismatch = count;
  for (std::size_t idx = 0; idx < count; ++idx) {
    if (result[idx].hi != expected[idx].hi || result[idx].lo != expected[idx].lo) {
      if (mismatches++ == 0) first_mismatch = idx;
    }
  }
  EXPECT_EQ(mismatches, 0u) << "first at " << first_mismatch;
  if (offsets == Offsets::kIncreasing) {
    // With offsets in input order the full entry order is the stable order.
    EXPECT_TRUE(std::is_sorted(result, result + count, entry_less));
  }
}

TEST(RunSorterTest, SmallSizesEveryDistribution) {
  for (Keys keys :
       {Keys::kDuplicates, Keys::kWide, Keys::kAllEqual, Keys::kSorted, Keys::kReverseSorted}) {
    for (std::size_t count : {0u, 1u, 2u, 3u, 1000u}) {
      for (std::size_t threads : {1u, 2u, 4u}) {
        check_sort(count, keys, Offsets::kIncreasing, threads);
      }
    }
  }
}

TEST(RunSorterTest, LargeWithManyDuplicates) {
  for (std::size_t threads : {1u, 2u, 4u}) {
    check_sort(300000, Keys::kDuplicates, Offsets::kIncreasing, threads);
  }
}

TEST(RunSorterTest, LargeWithWideKeys) {
  for (std::size_t threads : {1u, 2u, 4u}) {
    check_sort(300000, Keys::kWide, Offsets::kIncreasing, threads);
  }
}

TEST(RunSorterTest, AroundTheParallelThreshold) {
  for (std::size_t count : {config::kParallelSortMinEntries - 1, config::kParallelSortMinEntries,
                            config::kParallelSortMinEntries + 3}) {
    check_sort(count, Keys::kWide, Offsets::kIncreasing, 3);
  }
}

TEST(RunSorterTest, LargeSortedReverseSortedAndAllEqual) {
  check_sort(100000, Keys::kSorted, Offsets::kIncreasing, 4);
  check_sort(100000, Keys::kReverseSorted, Offsets::kIncreasing, 4);
  check_sort(100000, Keys::kAllEqual, Offsets::kIncreasing, 4);
}

TEST(RunSorterTest, StableEvenWhenOffsetsDoNotFollowInputOrder) {
  // The radix sort keeps equal keys in input order by itself; offsets are only carried.
  check_sort(1000, Keys::kDuplicates, Offsets::kDecreasing, 1);
  check_sort(150000, Keys::kDuplicates, Offsets::kDecreasing, 4);
  check_sort(100000, Keys::kAllEqual, Offsets::kDecreasing, 2);
}

// prefix_radix_sort_entries needs a strict total order: entry_less with offsets in input order.
TEST(ComparisonSortTest, SmallSizesEveryDistribution) {
  for (Keys keys :
       {Keys::kDuplicates, Keys::kWide, Keys::kAllEqual, Keys::kSorted, Keys::kReverseSorted}) {
    for (std::size_t count : {0u, 1u, 2u, 3u, 1000u}) {
      check_sort(count, keys, Offsets::kIncreasing, 4, Sorter::kComparison);
    }
  }
}

TEST(ComparisonSortTest, LargeForEveryThreadCount) {
  // Uneven ranges per thread, runs of equal prefixes crossing range boundaries.
  for (std::size_t threads : {1u, 2u, 3u, 4u, 8u}) {
    check_sort(100000, Keys::kDuplicates, Offsets::kIncreasing, threads, Sorter::kComparison);
  }
  check_sort(300000, Keys::kWide, Offsets::kIncreasing, 4, Sorter::kComparison);
  check_sort(config::kParallelSortMinEntries + 1, Keys::kReverseSorted, Offsets::kIncreasing, 8,
             Sorter::kComparison);
}

}  // namespace
}  // namespace samsort
