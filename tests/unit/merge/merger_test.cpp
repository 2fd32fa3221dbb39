// LoserTree<CoordinateOrder> over k = 0..13 in-memory streams (some empty): output sorted and
// stable (equal keys by stream index, then stream order); MemoryRunStream yields in order.
#include "samsort/merge/merger.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "samsort/io/record_stream.hpp"
#include "samsort/order/coordinate_key.hpp"
#include "test_records.hpp"

namespace samsort {
namespace {

using Records = std::vector<std::vector<std::uint8_t>>;

// LoserTree and MemoryRunStream keep a reference to the order: it must outlive them.
const CoordinateOrder kOrder{};

// A sorted stream that, like RunReader, hands out each record in one reused buffer, so a
// record is only valid until the stream's next call.
class VectorStream final : public RecordStream {
 public:
  explicit VectorStream(Records records) : records_(std::move(records)) {}

  const std::uint8_t* next() override {
    ++calls_;
    if (next_idx_ == records_.size()) return nullptr;
    current_ = records_[next_idx_++];
    return current_.data();
  }
  std::size_t calls() const noexcept { return calls_; }

 private:
  Records records_;
  std::vector<std::uint8_t> current_;
  std::size_t next_idx_ = 0;
  std::size_t calls_ = 0;
};

bool key_less(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
  return CoordinateOrder::merge_less(CoordinateOrder{}.merge_key(a.data()),
                                     CoordinateOrder{}.merge_key(b.data()));
}

// Stream `stream_idx`: `count` records with keys from a small domain (many ties across and
// within streams), sorted stably; names say "<stream>.<position in stream>".
Records make_stream(std::size_t stream_idx, std::size_t count, std::mt19937_64& rng) {
  Records records;
  for (std::size_t idx = 0; idx < count; ++idx) {
    std::uint64_t value = rng();
    std::int32_t tid = static_cast<std::int32_t>(value % 3) - 1;
    std::int32_t pos = static_cast<std::int32_t>((value >> 4) % 6) - 1;
    std::uint16_t flag = (value >> 12) & 1 ? 0x10 : 0;
    records.push_back(test::make_record("", tid, pos, flag));
  }
  std::stable_sort(records.begin(), records.end(), key_less);
  Records named;
  for (std::size_t idx = 0; idx < records.size(); ++idx) {
    test::RecordSpec spec;
    spec.name = std::to_string(stream_idx) + "." + std::to_string(idx);
    spec.tid = bam::ref_id(records[idx].data());
    spec.pos = bam::pos(records[idx].data());
    spec.flag = bam::flag(records[idx].data());
    spec.seq_length = static_cast<std::int32_t>(idx % 9);
    named.push_back(test::make_record(spec));
  }
  return named;
}

void check_merge(std::size_t stream_count, std::uint64_t seed) {
  SCOPED_TRACE(std::to_string(stream_count) + " streams, seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::vector<Records> inputs;
  for (std::size_t idx = 0; idx < stream_count; ++idx) {
    std::size_t count = idx % 4 == 1 ? 0 : rng() % 120;  // every fourth stream is empty
    inputs.push_back(make_stream(idx, count, rng));
  }
  // Expected: streams concatenated in index order, then stably sorted by key.
  Records expected;
  for (const Records& input : inputs) expected.insert(expected.end(), input.begin(), input.end());
  std::stable_sort(expected.begin(), expected.end(), key_less);

  std::vector<std::unique_ptr<VectorStream>> streams;
  std::vector<RecordStream*> pointers;
  for (const Records& input : inputs) {
    streams.push_back(std::make_unique<VectorStream>(input));
    pointers.push_back(streams.back().get());
  }
  LoserTree<CoordinateOrder> tree(kOrder, pointers);
  std::vector<std::string> got;
  while (const std::uint8_t* record = tree.top()) {
    got.push_back(test::name_of(record));
    ASSERT_LE(got.size(), expected.size()) << "more records out than in";
    tree.pop();
  }
  std::vector<std::string> want;
  for (const auto& record : expected) want.push_back(test::name_of(record.data()));
  EXPECT_EQ(got, want);
  for (std::size_t idx = 0; idx < stream_count; ++idx) {
    EXPECT_EQ(streams[idx]->calls(), inputs[idx].size() + 1) << "stream " << idx;
  }
}

TEST(MergerTest, MergesSortedAndStableForManyFanIns) {
  for (std::size_t stream_count : {1u, 2u, 3u, 5u, 8u, 13u}) {
    for (std::uint64_t seed : {1u, 2u, 3u}) check_merge(stream_count, seed);
  }
}

TEST(MergerTest, NoStreamsOrOnlyEmptyStreams) {
  LoserTree<CoordinateOrder> none(kOrder, std::vector<RecordStream*>{});
  EXPECT_EQ(none.top(), nullptr);
  VectorStream a({});
  VectorStream b({});
  VectorStream c({});
  LoserTree<CoordinateOrder> empty(kOrder, std::vector<RecordStream*>{&a, &b, &c});
  EXPECT_EQ(empty.top(), nullptr);
}

TEST(MergerTest, AllKeysEqualComeOutByStreamIndex) {
  std::vector<std::unique_ptr<VectorStream>> streams;
  std::vector<RecordStream*> pointers;
  std::vector<std::string> want;
  for (std::size_t stream_idx = 0; stream_idx < 13; ++stream_idx) {
    Records records;
    for (std::size_t idx = 0; idx < 5; ++idx) {
      std::string name = std::to_string(stream_idx) + "." + std::to_string(idx);
      records.push_back(test::make_record(name, 2, 500, 0x10));
      want.push_back(name);
    }
    streams.push_back(std::make_unique<VectorStream>(records));
    pointers.push_back(streams.back().get());
  }
  LoserTree<CoordinateOrder> tree(kOrder, pointers);
  std::vector<std::string> got;
  while (const std::uint8_t* record = tree.top()) {
    got.push_back(test::name_of(record));
    tree.pop();
  }
  EXPECT_EQ(got, want);
}

TEST(MergerTest, UnmappedLastAndReverseAfterForward) {
  VectorStream first({test::make_record("a", 0, 10, 0x10), test::make_record("b", -1, -1, 0)});
  VectorStream second({test::make_record("c", 0, 10, 0), test::make_record("d", 1, -1, 0)});
  LoserTree<CoordinateOrder> tree(kOrder, std::vector<RecordStream*>{&first, &second});
  std::vector<std::string> got;
  while (const std::uint8_t* record = tree.top()) {
    got.push_back(test::name_of(record));
    tree.pop();
  }
  EXPECT_EQ(got, (std::vector<std::string>{"c", "a", "d", "b"}));
}

TEST(MemoryRunStreamTest, YieldsRecordsInEntryOrder) {
  // Records sit below the arena top at distance `offset`, as RecordArena packs them.
  Records records = {test::make_record("x", 0, 5), test::make_record("y", 0, 1),
                     test::make_record("z", 0, 3)};
  std::vector<std::uint8_t> arena(1024);
  std::uint8_t* top = arena.data() + arena.size();
  std::uint64_t used = 0;
  std::vector<CoordinateOrder::Entry> entries;
  for (const auto& record : records) {
    used += record.size();
    std::copy(record.begin(), record.end(), top - used);
    entries.push_back(CoordinateOrder{}.make_entry(top - used, used));
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return CoordinateOrder::entry_less(a, b); });
  MemoryRunStream<CoordinateOrder> stream(kOrder, entries.data(), entries.size(), top);
  std::vector<std::string> got;
  while (const std::uint8_t* record = stream.next()) got.push_back(test::name_of(record));
  EXPECT_EQ(got, (std::vector<std::string>{"y", "z", "x"}));
  EXPECT_EQ(stream.next(), nullptr);
}

}  // namespace
}  // namespace samsort
