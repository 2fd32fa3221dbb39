// Picard orders and multi-tag -t: key packing (entries made, prepared and sorted as a run is)
// against comparators written here from htsjdk 3.0.4's SAMRecordCoordinateComparator and
// SAMRecordQueryNameComparator; merge keys agree; multi-tag TagOrder and its @HD SS.
#include "samsort/order/picard_order.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "samsort/order/coordinate_key.hpp"
#include "samsort/order/name_order.hpp"
#include "samsort/order/tag_order.hpp"
#include "test_records.hpp"

namespace samsort {
namespace {

using test::Aux;
using test::RecordSpec;

int sign(long long value) { return (value > 0) - (value < 0); }

// Records laid out as the arena holds them: record i at top - offset_i, offsets growing with
// input order.
class ArenaRun {
 public:
  explicit ArenaRun(const std::vector<RecordSpec>& specs) {
    std::vector<std::vector<std::uint8_t>> records;
    std::size_t total = 0;
    for (const RecordSpec& spec : specs) {
      records.push_back(test::make_record(spec));
      total += records.back().size();
    }
    bytes_.resize(total);
    std::size_t offset = 0;
    for (const auto& record : records) {
      offset += record.size();
      std::memcpy(bytes_.data() + total - offset, record.data(), record.size());
      offsets_.push_back(offset);
    }
  }
  const std::uint8_t* top() const { return bytes_.data() + bytes_.size(); }
  const std::uint8_t* record(std::size_t idx) const { return top() - offsets_[idx]; }
  std::uint64_t offset(std::size_t idx) const { return offsets_[idx]; }
  std::size_t size() const { return offsets_.size(); }

  // Input indices in the order `order` sorts the run (make_entry, prepare_run, std::sort).
  template <class Order>
  std::vector<std::size_t> sorted_by(Order& order) const {
    std::vector<typename Order::Entry> entries;
    for (std::size_t idx = 0; idx < size(); ++idx) {
      entries.push_back(order.make_entry(record(idx), offsets_[idx]));
    }
    order.prepare_run([&](std::size_t idx) -> typename Order::Entry& { return entries[idx]; },
                      entries.size(), top());
    std::sort(entries.begin(), entries.end(),
              [&](const auto& a, const auto& b) { return order.entry_less(a, b, top()); });
    std::vector<std::size_t> result;
    for (const auto& entry : entries) {
      std::uint64_t offset = order.offset_of(entry);
      result.push_back(static_cast<std::size_t>(
          std::find(offsets_.begin(), offsets_.end(), offset) - offsets_.begin()));
    }
    return result;
  }

  // Input indices by std::stable_sort with `compare` (<0 / 0 / >0 on records).
  std::vector<std::size_t> stable_by(
      const std::function<int(const std::uint8_t*, const std::uint8_t*)>& compare) const {
    std::vector<std::size_t> result(size());
    for (std::size_t idx = 0; idx < size(); ++idx) result[idx] = idx;
    std::stable_sort(result.begin(), result.end(), [&](std::size_t a, std::size_t b) {
      return compare(record(a), record(b)) < 0;
    });
    return result;
  }

  // merge_less on consecutive records of `order_idx` never says a later one is smaller, and
  // says an earlier one is smaller exactly where `compare` does.
  template <class Order>
  void expect_merge_agrees(
      const Order& order, const std::vector<std::size_t>& order_idx,
      const std::function<int(const std::uint8_t*, const std::uint8_t*)>& compare) const {
    for (std::size_t idx = 1; idx < order_idx.size(); ++idx) {
      auto earlier = order.merge_key(record(order_idx[idx - 1]));
      auto later = order.merge_key(record(order_idx[idx]));
      EXPECT_FALSE(order.merge_less(later, earlier)) << idx;
      EXPECT_EQ(order.merge_less(earlier, later),
                compare(record(order_idx[idx - 1]), record(order_idx[idx])) < 0)
          << idx;
    }
  }

 private:
  std::vector<std::uint8_t> bytes_;
  std::vector<std::uint64_t> offsets_;
};

// htsjdk's SAMRecordCoordinateComparator, field by field (Java ints).
int htsjdk_coordinate(const std::uint8_t* a, const std::uint8_t* b) {
  std::int32_t tid_a = bam::ref_id(a);
  std::int32_t tid_b = bam::ref_id(b);
  int cmp = 0;
  if (tid_a == -1) {
    cmp = tid_b == -1 ? 0 : 1;
  } else if (tid_b == -1) {
    cmp = -1;
  } else {
    cmp = tid_a != tid_b ? sign(tid_a - tid_b) : sign(bam::pos(a) - bam::pos(b));
  }
  if (cmp != 0) return cmp;
  bool reverse_a = (bam::flag(a) & 0x10) != 0;
  bool reverse_b = (bam::flag(b) & 0x10) != 0;
  if (reverse_a != reverse_b) return reverse_a ? 1 : -1;
  if (int order = sign(std::strcmp(bam::read_name(a), bam::read_name(b)))) return order;
  if (int order = sign(bam::flag(a) - bam::flag(b))) return order;
  if (int order = sign(bam::mapq(a) - bam::mapq(b))) return order;
  if (int order = sign(bam::mate_ref_id(a) - bam::mate_ref_id(b))) return order;
  if (int order = sign(static_cast<long long>(bam::mate_pos(a)) - bam::mate_pos(b))) return order;
  return sign(static_cast<long long>(bam::insert_size(a)) - bam::insert_size(b));
}

// htsjdk's SAMRecordQueryNameComparator.
int htsjdk_queryname(const std::uint8_t* a, const std::uint8_t* b) {
  if (int order = sign(std::strcmp(bam::read_name(a), bam::read_name(b)))) return order;
  std::uint16_t fa = bam::flag(a);
  std::uint16_t fb = bam::flag(b);
  if ((fa & 1) || (fb & 1)) {
    if (!(fa & 1)) return 1;
    if (!(fb & 1)) return -1;
    if ((fa & 0x40) && (fb & 0x80)) return -1;
    if ((fa & 0x80) && (fb & 0x40)) return 1;
  }
  if ((fa & 0x10) != (fb & 0x10)) return (fa & 0x10) ? 1 : -1;
  if ((fa & 0x100) != (fb & 0x100)) return (fb & 0x100) ? -1 : 1;
  if ((fa & 0x800) != (fb & 0x800)) return (fb & 0x800) ? -1 : 1;
  const std::uint8_t* hit_a = bam::find_aux(a, "HI");
  const std::uint8_t* hit_b = bam::find_aux(b, "HI");
  if (hit_a != nullptr && hit_b == nullptr) return 1;
  if (hit_a == nullptr && hit_b != nullptr) return -1;
  if (hit_a == nullptr) return 0;
  return sign(bam::aux_integer(hit_a) - bam::aux_integer(hit_b));
}

TEST(PicardKey, PositionKeyOrdersAsFileOrderCompare) {
  struct Place {
    std::int32_t tid;
    std::int32_t pos;
  };
  const Place places[] = {{0, -1}, {0, 0},  {0, 5},         {0, 2147483646}, {1, -1},
                          {1, 3},  {7, 0},  {70000, 10},    {-1, -1},        {-1, 0},
                          {-1, 9}, {2, 99}, {2147483646, 1}};
  for (const Place& a : places) {
    for (const Place& b : places) {
      int expected = 0;
      if (a.tid == -1 || b.tid == -1) {
        expected = a.tid == b.tid ? 0 : (a.tid == -1 ? 1 : -1);
      } else {
        expected =
            a.tid != b.tid ? sign(a.tid - b.tid) : sign(static_cast<long long>(a.pos) - b.pos);
      }
      std::uint64_t key_a = picard_position_key(a.tid, a.pos);
      std::uint64_t key_b = picard_position_key(b.tid, b.pos);
      EXPECT_EQ(sign(key_a < key_b   ? -1
                     : key_a > key_b ? 1
                                     : 0),
                expected)
          << a.tid << ":" << a.pos << " vs " << b.tid << ":" << b.pos;
    }
  }
}

TEST(PicardKey, NameFlagKeyOrdersAsHtsjdkOnConsistentFlags) {
  // Unpaired, or paired as exactly one of first/second; every strand/secondary/supplementary.
  std::vector<std::uint16_t> flags;
  for (std::uint16_t pairing : {0x0, 0x41, 0x81, 0x40, 0x80}) {
    for (std::uint16_t rest = 0; rest < 8; ++rest) {
      flags.push_back(static_cast<std::uint16_t>(
          pairing | ((rest & 1) ? 0x10 : 0) | ((rest & 2) ? 0x100 : 0) | ((rest & 4) ? 0x800 : 0)));
    }
  }
  for (std::uint16_t fa : flags) {
    for (std::uint16_t fb : flags) {
      auto a = test::make_record(RecordSpec{.name = "same", .flag = fa});
      auto b = test::make_record(RecordSpec{.name = "same", .flag = fb});
      int key_order = sign(int{picard_name_flag_key(fa)} - int{picard_name_flag_key(fb)});
      EXPECT_EQ(key_order, htsjdk_queryname(a.data(), b.data())) << fa << " vs " << fb;
    }
  }
}

std::vector<RecordSpec> coordinate_specs() {
  std::vector<RecordSpec> specs;
  const char* names[] = {"A00123:45:HXXX:1:1101:1000:2000", "A00123:45:HXXX:1:1101:1000:200",
                         "A00123:45:HXXX:1:1101:1000:2001", "A00123:45:HXXX:1:1101:999",
                         "A00123:45:HXXX:1:1101:1000:2000/1"};
  std::uint32_t state = 12345;
  auto next = [&state](std::uint32_t bound) {
    state = state * 1103515245u + 12345u;
    return (state >> 8) % bound;
  };
  for (int idx = 0; idx < 400; ++idx) {
    RecordSpec spec;
    spec.name = names[next(5)];
    spec.tid = static_cast<std::int32_t>(next(4)) - 1;  // -1 .. 2
    spec.pos = spec.tid == -1 && next(2) == 0 ? -1 : static_cast<std::int32_t>(next(4)) - 1;
    spec.flag = static_cast<std::uint16_t>((next(2) ? 0x10 : 0) | (next(2) ? 0x4 : 0) |
                                           (next(3) == 0 ? 0x100 : 0) | (next(2) ? 0x41 : 0));
    spec.mapq = static_cast<std::uint8_t>(next(2) ? 60 : next(3));
    spec.mate_tid = static_cast<std::int32_t>(next(3)) - 1;
    spec.mate_pos = static_cast<std::int32_t>(next(3)) - 1;
    spec.template_length = static_cast<std::int32_t>(next(3)) - 1;
    specs.push_back(spec);
    if (next(8) == 0) specs.push_back(spec);  // fully equal keys: input order
  }
  return specs;
}

TEST(PicardCoordinateOrder, RunSortsAsHtsjdkThenInputOrder) {
  ArenaRun run(coordinate_specs());
  PicardCoordinateOrder order;
  std::vector<std::size_t> sorted = run.sorted_by(order);
  EXPECT_EQ(sorted, run.stable_by(htsjdk_coordinate));
  run.expect_merge_agrees(order, sorted, htsjdk_coordinate);
}

TEST(PicardCoordinateOrder, EntryPrefixHoldsStrandAndNameBytesAfterTheCommonPrefix) {
  ArenaRun run({RecordSpec{.name = "commonXabcdefgh", .tid = 0, .pos = 5},
                RecordSpec{.name = "commonYz", .tid = 0, .pos = 5, .flag = 0x10}});
  PicardCoordinateOrder order;
  std::vector<PicardCoordinateOrder::Entry> entries{order.make_entry(run.record(0), run.offset(0)),
                                                    order.make_entry(run.record(1), run.offset(1))};
  order.prepare_run([&](std::size_t idx) -> PicardCoordinateOrder::Entry& { return entries[idx]; },
                    2, run.top());
  EXPECT_EQ(entries[0].position, (std::uint64_t{0} << 32) | (6u ^ 0x80000000u));
  EXPECT_EQ(entries[0].strand_name, 0x58616263646566ull);                 // "Xabcdef"
  EXPECT_EQ(entries[1].strand_name, (1ull << 56) | 0x597a0000000000ull);  // reverse, "Yz"
  EXPECT_EQ(order.offset_of(entries[1]), run.offset(1));
  EXPECT_EQ(PicardCoordinateOrder::header_tags().rule, HeaderRule::kPicard);
}

TEST(PicardQueryNameOrder, RunSortsAsHtsjdkThenInputOrder) {
  std::vector<RecordSpec> specs;
  const char* names[] = {"q1",
                         "q10",
                         "q2",
                         "q1/1",
                         "q01",
                         "a_very_long_read_name_beyond_16:1",
                         "a_very_long_read_name_beyond_16:2"};
  std::uint32_t state = 777;
  auto next = [&state](std::uint32_t bound) {
    state = state * 1103515245u + 12345u;
    return (state >> 8) % bound;
  };
  const std::uint16_t pairings[] = {0x0, 0x41, 0x81};
  for (int idx = 0; idx < 400; ++idx) {
    RecordSpec spec;
    spec.name = names[next(7)];
    spec.flag = static_cast<std::uint16_t>(pairings[next(3)] | (next(2) ? 0x10 : 0) |
                                           (next(4) == 0 ? 0x100 : 0) | (next(4) == 0 ? 0x800 : 0));
    static const char kTypes[] = {'c', 'C', 's', 'S', 'i', 'I'};
    if (next(3) == 0) spec.aux = Aux().integer("HI", kTypes[next(6)], next(4)).bytes();
    spec.tid = static_cast<std::int32_t>(next(3)) - 1;
    spec.pos = static_cast<std::int32_t>(next(5));
    specs.push_back(spec);
  }
  ArenaRun run(specs);
  PicardQueryNameOrder order;
  std::vector<std::size_t> sorted = run.sorted_by(order);
  EXPECT_EQ(sorted, run.stable_by(htsjdk_queryname));
  run.expect_merge_agrees(order, sorted, htsjdk_queryname);
  HeaderSortTags tags = PicardQueryNameOrder::header_tags();
  EXPECT_STREQ(tags.sort_order, "queryname");
  EXPECT_EQ(tags.rule, HeaderRule::kPicard);
}

TEST(PicardQueryNameOrder, NonIntegerHitIndexCountsAsAbsent) {
  auto text_hit = test::make_record(RecordSpec{.name = "r", .aux = Aux().text("HI", "1").bytes()});
  auto no_hit = test::make_record(RecordSpec{.name = "r"});
  auto hit = test::make_record(RecordSpec{.name = "r", .aux = Aux().integer("HI", 'C', 0).bytes()});
  EXPECT_EQ(compare_picard_hit_index(text_hit.data(), no_hit.data()), 0);
  EXPECT_EQ(compare_picard_hit_index(no_hit.data(), hit.data()), -1);
}

// ---- Several -t tags. ----

int tag_then_coordinate(const std::uint8_t* a, const std::uint8_t* b, const char* tags) {
  for (const char* tag = tags; *tag != '\0'; tag += tag[2] == ',' ? 3 : 2) {
    if (int order = compare_tag_values(bam::find_aux(a, tag), bam::find_aux(b, tag))) return order;
  }
  auto key_a = CoordinateOrder{}.merge_key(a);
  auto key_b = CoordinateOrder{}.merge_key(b);
  return CoordinateOrder::merge_less(key_a, key_b) ? -1 : CoordinateOrder::merge_less(key_b, key_a);
}

TEST(MultiTagOrder, EachTagInTurnThenTheSecondaryThenInputOrder) {
  std::vector<RecordSpec> specs;
  std::uint32_t state = 99;
  auto next = [&state](std::uint32_t bound) {
    state = state * 1103515245u + 12345u;
    return (state >> 8) % bound;
  };
  const char* barcodes[] = {"AAAAAAAAAC", "AAAAAAAAAA", "CC", "AAAAAAAAA"};
  for (int idx = 0; idx < 300; ++idx) {
    RecordSpec spec;
    Aux aux;
    if (next(5) != 0) aux.text("CB", barcodes[next(4)]);
    std::uint32_t umi = next(4);
    if (umi == 1) aux.integer("UB", 'i', next(3));
    if (umi == 2) aux.text("UB", next(2) ? "x" : "y");
    if (umi == 3) aux.real("UB", 0.5f);
    spec.aux = aux.bytes();
    spec.tid = static_cast<std::int32_t>(next(2));
    spec.pos = static_cast<std::int32_t>(next(3));
    spec.flag = next(2) ? 0x10 : 0;
    specs.push_back(spec);
  }
  ArenaRun run(specs);
  TagOrder<CoordinateOrder> order("CB,UB", CoordinateOrder{}, "coordinate");
  auto compare = [](const std::uint8_t* a, const std::uint8_t* b) {
    return tag_then_coordinate(a, b, "CB,UB");
  };
  std::vector<std::size_t> sorted = run.sorted_by(order);
  EXPECT_EQ(sorted, run.stable_by(compare));
  run.expect_merge_agrees(order, sorted, compare);
  EXPECT_STREQ(order.header_tags().sub_sort, "unsorted:CB:UB:coordinate");

  TagOrder<CoordinateOrder> single("CB", CoordinateOrder{}, "coordinate");
  EXPECT_STREQ(single.header_tags().sub_sort, "unsorted:CB:coordinate");
  TagOrder<NaturalNameOrder> three("CB,UB,XT", NaturalNameOrder{}, "queryname:natural");
  EXPECT_STREQ(three.header_tags().sub_sort, "unsorted:CB:UB:XT:queryname:natural");
}

}  // namespace
}  // namespace samsort
