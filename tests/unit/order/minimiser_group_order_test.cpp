// minimiser_group_order: the group key rules (smallest key, larger term on ties; the first
// record's), the grouped order's entries and merge keys (term descending, no strand tie), the
// refusal of placed records, and regroup_run on a small in-memory run.
#include "samsort/order/minimiser_group_order.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "samsort/core/errors.hpp"
#include "test_records.hpp"

namespace samsort {
namespace {

std::vector<std::uint8_t> keyed(const std::string& name, std::uint64_t key, std::int32_t term,
                                std::uint16_t flag = 0x4) {
  test::RecordSpec spec;
  spec.name = name;
  spec.tid = -1;
  spec.pos = -1;
  spec.flag = flag;
  std::vector<std::uint8_t> record = test::make_record(spec);
  store_minimiser_key(record.data(), {key, term, false});
  return record;
}

MinimiserKey group_of(std::vector<std::vector<std::uint8_t>>& records, GroupKeyRule rule) {
  assign_group_key([&](std::size_t idx) { return records[idx].data(); }, records.size(), rule);
  return {stored_minimiser_key(records[0].data()), stored_minimiser_term(records[0].data()), false};
}

TEST(MinimiserGroupKeyTest, SmallestKeyThenLargerTerm) {
  std::vector<std::vector<std::uint8_t>> records = {keyed("a", 500, 7), keyed("a", 300, 2),
                                                    keyed("a", 300, 9), keyed("a", 900, 65535)};
  MinimiserKey group = group_of(records, GroupKeyRule::kSmallest);
  EXPECT_EQ(group.key, 300u);
  EXPECT_EQ(group.term, 9);
  for (const auto& record : records) {  // every record carries the group's key
    EXPECT_EQ(stored_minimiser_key(record.data()), 300u);
    EXPECT_EQ(stored_minimiser_term(record.data()), 9);
  }
}

TEST(MinimiserGroupKeyTest, FirstRecordsKey) {
  std::vector<std::vector<std::uint8_t>> records = {keyed("a", 500, 7), keyed("a", 300, 2)};
  MinimiserKey group = group_of(records, GroupKeyRule::kFirst);
  EXPECT_EQ(group.key, 500u);
  EXPECT_EQ(group.term, 7);
}

TEST(MinimiserGroupedOrderTest, KeyThenTermDescendingNoStrandTie) {
  auto a = keyed("a", 100, 10);
  auto b = keyed("b", 100, 20, 0x4 | 0x10);
  auto c = keyed("c", 99, 0);
  using Order = MinimiserGroupedOrder;
  EXPECT_TRUE(Order::merge_less(Order::merge_key(b.data()), Order::merge_key(a.data())));
  EXPECT_TRUE(Order::merge_less(Order::merge_key(c.data()), Order::merge_key(b.data())));
  auto reverse = keyed("d", 100, 10, 0x4 | 0x10);
  EXPECT_FALSE(Order::merge_less(Order::merge_key(a.data()), Order::merge_key(reverse.data())));
  EXPECT_FALSE(Order::merge_less(Order::merge_key(reverse.data()), Order::merge_key(a.data())));
  // Entries: equal keys and terms fall back to arrival (the offset).
  EXPECT_TRUE(Order::entry_less(Order::make_entry(a.data(), 8),
                                Order::make_entry(reverse.data(), 9), nullptr));
}

TEST(MinimiserGroupingOrderTest, PlacedRecordIsRefused) {
  test::RecordSpec spec;
  spec.tid = 0;
  std::vector<std::uint8_t> placed = test::make_record(spec);
  EXPECT_THROW(MinimiserGroupingOrder::make_entry(placed.data(), 0), Error);
}

TEST(MinimiserGroupingOrderTest, RegroupRunOrdersGroupsByTheirKey) {
  // Records laid out as in an arena (top - offset), already in name order.
  std::vector<std::vector<std::uint8_t>> records = {
      keyed("p", 700, 1, 0x4d), keyed("p", 200, 1, 0x8d),  // group p: key 200
      keyed("q", 500, 1, 0x4d), keyed("q", 400, 1, 0x8d),  // group q: key 400
      keyed("r", 100, 1, 0x4d),                            // group r: key 100
  };
  std::vector<std::uint8_t> arena(4096);
  std::uint8_t* top = arena.data() + arena.size();
  using Entry = MinimiserGroupingOrder::Entry;
  std::vector<Entry> entries;
  std::size_t used = 0;
  for (const auto& record : records) {
    used += record.size();
    std::memcpy(top - used, record.data(), record.size());
    entries.push_back(MinimiserGroupingOrder::make_entry(top - used, used));
  }
  std::vector<Entry> scratch(entries.size());
  MinimiserGroupingOrder order({}, nullptr, GroupKeyRule::kSmallest);
  order.regroup_run(entries.data(), scratch.data(), entries.size(), top, 1);
  std::vector<std::string> names;
  std::vector<std::uint64_t> keys;
  for (const Entry& entry : entries) {
    const std::uint8_t* record = top - MinimiserGroupingOrder::offset_of(entry);
    names.emplace_back(bam::read_name(record));
    keys.push_back(stored_minimiser_key(record));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"r", "p", "p", "q", "q"}));
  EXPECT_EQ(keys, (std::vector<std::uint64_t>{100, 200, 200, 400, 400}));
  // Inside group p, name order (READ1 first) is kept.
  EXPECT_EQ(bam::flag(top - MinimiserGroupingOrder::offset_of(entries[1])), 0x4d);
}

}  // namespace
}  // namespace samsort
