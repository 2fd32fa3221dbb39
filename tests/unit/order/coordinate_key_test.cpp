// CoordinateOrder entries built from crafted records: every pair of edge-case records
// compares as the spec's coordinate contract (tid unsigned, pos + 1 unsigned, REVERSE bit);
// offsets round-trip and never outweigh the key; merge keys ignore the offset.
#include "samsort/order/coordinate_key.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <tuple>
#include <vector>

#include "samsort/sort/record_arena.hpp"
#include "test_records.hpp"

namespace samsort {
namespace {

using Entry = CoordinateOrder::Entry;

constexpr std::int32_t kMaxInt = std::numeric_limits<std::int32_t>::max();

// The contract, written independently of the packing: (tid as u32, pos + 1 as u32, reverse).
std::tuple<std::uint32_t, std::uint32_t, int> contract_key(std::int32_t tid, std::int32_t pos,
                                                           std::uint16_t flag) {
  return {static_cast<std::uint32_t>(tid), static_cast<std::uint32_t>(pos) + 1u,
          (flag & 0x10) != 0 ? 1 : 0};
}

struct Crafted {
  std::int32_t tid;
  std::int32_t pos;
  std::uint16_t flag;
};

std::vector<Crafted> edge_cases() {
  std::vector<Crafted> cases;
  for (std::int32_t tid :
       {0, 1, 2, 255, 256, 65535, 65536, 70000, 16777216, kMaxInt - 1, kMaxInt, -1}) {
    for (std::int32_t pos : {-1, 0, 1, 4094, 4095, 4096, 4097, 65535, 65536, 1 << 24, kMaxInt - 1,
                             kMaxInt, -2, -16, -4097, std::numeric_limits<std::int32_t>::min()}) {
      for (std::uint16_t flag : {0x0, 0x10, 0x4, 0x14, 0x923, 0xff3}) {
        cases.push_back({tid, pos, flag});
      }
    }
  }
  return cases;
}

bool less_by_entry(const Entry& a, const Entry& b) { return CoordinateOrder::entry_less(a, b); }

TEST(CoordinateKeyTest, EveryPairOfEdgeCasesComparesAsTheContract) {
  std::vector<Crafted> cases = edge_cases();
  std::vector<Entry> keys;
  for (const Crafted& c : cases) {
    keys.push_back(
        CoordinateOrder{}.merge_key(test::make_record("r", c.tid, c.pos, c.flag).data()));
  }
  std::size_t mismatches = 0;
  for (std::size_t a = 0; a < cases.size(); ++a) {
    auto key_a = contract_key(cases[a].tid, cases[a].pos, cases[a].flag);
    for (std::size_t b = 0; b < cases.size(); ++b) {
      auto key_b = contract_key(cases[b].tid, cases[b].pos, cases[b].flag);
      bool expected = key_a < key_b;
      if (CoordinateOrder::merge_less(keys[a], keys[b]) != expected) {
        if (++mismatches <= 5) {
          ADD_FAILURE() << "(" << cases[a].tid << "," << cases[a].pos << "," << cases[a].flag
                        << ") vs (" << cases[b].tid << "," << cases[b].pos << "," << cases[b].flag
                        << "): expected less=" << expected;
        }
      }
    }
  }
  EXPECT_EQ(mismatches, 0u);
}

TEST(CoordinateKeyTest, NamedOrderingRules) {
  auto key = [](std::int32_t tid, std::int32_t pos, std::uint16_t flag) {
    return CoordinateOrder{}.merge_key(test::make_record("r", tid, pos, flag).data());
  };
  // tid -1 after every reference, including the largest one.
  EXPECT_TRUE(less_by_entry(key(kMaxInt, kMaxInt, 0x10), key(-1, -1, 0)));
  EXPECT_TRUE(less_by_entry(key(0, 0, 0), key(-1, -1, 0)));
  // More than 65,535 references: tid is not truncated to 16 bits.
  EXPECT_TRUE(less_by_entry(key(65535, 100, 0), key(65536, 0, 0)));
  EXPECT_TRUE(less_by_entry(key(1, 100, 0), key(65537, 0, 0)));
  // pos -1 before pos 0; large positions keep their order.
  EXPECT_TRUE(less_by_entry(key(3, -1, 0x10), key(3, 0, 0)));
  EXPECT_TRUE(less_by_entry(key(3, kMaxInt - 1, 0x10), key(3, kMaxInt, 0)));
  EXPECT_TRUE(less_by_entry(key(3, 4095, 0x10), key(3, 4096, 0)));
  // Forward before reverse at the same position; position beats the strand.
  EXPECT_TRUE(less_by_entry(key(3, 10, 0), key(3, 10, 0x10)));
  EXPECT_FALSE(less_by_entry(key(3, 10, 0x10), key(3, 10, 0)));
  EXPECT_TRUE(less_by_entry(key(3, 10, 0x10), key(3, 11, 0)));
  // Positions below -1 (htslib accepts them): after the reference's largest position, in
  // order among themselves, before the next reference (samtools' (uint64_t)(pos + 1)).
  EXPECT_TRUE(less_by_entry(key(3, kMaxInt, 0x10), key(3, -16, 0)));
  EXPECT_TRUE(less_by_entry(key(3, -16, 0x10), key(3, -2, 0)));
  EXPECT_TRUE(less_by_entry(key(3, -2, 0x10), key(4, -1, 0)));
}

TEST(CoordinateKeyTest, NoOtherFieldMatters) {
  test::RecordSpec plain;
  plain.tid = 7;
  plain.pos = 1000;
  Entry base = CoordinateOrder{}.merge_key(test::make_record(plain).data());
  std::vector<test::RecordSpec> variants(6, plain);
  variants[0].name = "a_completely_different_name";
  variants[1].flag = 0x4 | 0x1 | 0x20 | 0x40 | 0x100 | 0x200 | 0x400 | 0x800;  // no 0x10
  variants[2].mapq = 0;
  variants[3].seq_length = 151;
  variants[3].cigar = {151u << 4};
  variants[4].mate_tid = 2;
  variants[4].mate_pos = 5;
  variants[4].template_length = -300;
  variants[5].aux = {'N', 'M', 'C', 3};
  for (const test::RecordSpec& spec : variants) {
    Entry other = CoordinateOrder{}.merge_key(test::make_record(spec).data());
    EXPECT_EQ(other.hi, base.hi);
    EXPECT_EQ(other.lo, base.lo);
  }
}

TEST(CoordinateKeyTest, OffsetRoundTripsAndNeverOutweighsTheKey) {
  std::vector<std::uint8_t> forward = test::make_record("f", 2, 4095, 0);
  std::vector<std::uint8_t> reverse = test::make_record("r", 2, 4095, 0x10);
  std::vector<std::uint8_t> next = test::make_record("n", 2, 4096, 0);
  for (std::uint64_t offset : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{123456789},
                               std::uint64_t{1} << 40, CoordinateOrder::kOffsetMask}) {
    Entry entry = CoordinateOrder{}.make_entry(forward.data(), offset);
    EXPECT_EQ(CoordinateOrder::offset_of(entry), offset);
    Entry key = CoordinateOrder{}.merge_key(forward.data());
    EXPECT_EQ(entry.hi, key.hi);
    EXPECT_EQ(entry.lo & ~CoordinateOrder::kOffsetMask, key.lo);
    // The largest offset on a smaller key stays below offset 0 on the next key.
    EXPECT_TRUE(less_by_entry(entry, CoordinateOrder{}.make_entry(reverse.data(), 0)));
    Entry reverse_entry = CoordinateOrder{}.make_entry(reverse.data(), offset);
    EXPECT_TRUE(less_by_entry(reverse_entry, CoordinateOrder{}.make_entry(next.data(), 0)));
    EXPECT_EQ(CoordinateOrder::offset_of(reverse_entry), offset);
  }
}

TEST(CoordinateKeyTest, MergeKeyIgnoresTheOffset) {
  std::vector<std::uint8_t> record = test::make_record("m", 4, 99, 0x10);
  Entry key = CoordinateOrder{}.merge_key(record.data());
  EXPECT_EQ(CoordinateOrder::offset_of(key), 0u);
  Entry low = CoordinateOrder{}.make_entry(record.data(), 5);
  Entry high = CoordinateOrder{}.make_entry(record.data(), 500000);
  EXPECT_TRUE(less_by_entry(low, high));  // the offset is the entry's final tie-break
  EXPECT_FALSE(CoordinateOrder::merge_less(key, CoordinateOrder{}.merge_key(record.data())));
}

TEST(CoordinateKeyTest, RadixDigitsCoverEveryKeyByte) {
  // Each byte of hi, and the lo bytes holding pos bits and the REVERSE bit, must be a digit.
  bool hi_bytes[8] = {};
  bool lo_bytes[8] = {};
  for (const RadixDigit& digit : CoordinateOrder::kRadixDigits) {
    ASSERT_LT(digit.word, 2u);
    ASSERT_LT(digit.byte, 8u);
    (digit.word == 0 ? hi_bytes : lo_bytes)[digit.byte] = true;
  }
  for (int byte = 0; byte < 8; ++byte) EXPECT_TRUE(hi_bytes[byte]) << "hi byte " << byte;
  // REVERSE is bit 51 (lo byte 6) and pos's low 12 bits are bits 52..63 (bytes 6 and 7).
  EXPECT_TRUE(lo_bytes[6]);
  EXPECT_TRUE(lo_bytes[7]);
}

// Entries made from arena offsets (which grow with input order) put equal keys in input
// order under entry_less: the tie that comparison-based uses rely on.
TEST(CoordinateKeyTest, EntryLessKeepsInputOrderForArenaMadeEntries) {
  std::vector<std::uint8_t> region(4096);
  RecordArena arena(region.data(), region.size(), sizeof(Entry));
  std::vector<Entry> entries;
  std::vector<const std::uint8_t*> slots;
  for (int idx = 0; idx < 3; ++idx) {
    std::vector<std::uint8_t> record = test::make_record("same", 1, 100, 0, idx);
    std::uint8_t* slot = arena.reserve_record(record.size());
    ASSERT_NE(slot, nullptr);
    std::memcpy(slot, record.data(), record.size());
    entries.push_back(CoordinateOrder{}.make_entry(slot, arena.commit(record.size())));
    slots.push_back(slot);
  }
  EXPECT_TRUE(less_by_entry(entries[0], entries[1]));
  EXPECT_TRUE(less_by_entry(entries[1], entries[2]));
  EXPECT_FALSE(less_by_entry(entries[1], entries[0]));
  for (std::size_t idx = 0; idx < entries.size(); ++idx) {
    EXPECT_EQ(arena.top() - CoordinateOrder::offset_of(entries[idx]), slots[idx]);
  }
}

}  // namespace
}  // namespace samsort
