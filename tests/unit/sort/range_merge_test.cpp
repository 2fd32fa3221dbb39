// RangeMerge: the final merge cut into key ranges on several threads writes the same records in
// the same order as the one-thread merge (ties to the earlier run, the run in memory last,
// keys equal across many ranges' worth of records), in well-formed BGZF blocks; it declines
// to plan without samples or with one worker; a damaged run fails the merge without a hang.
#include "samsort/sort/range_merge.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "collecting_sink.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/merge/temp_dir.hpp"
#include "samsort/order/coordinate_key.hpp"
#include "samsort/order/name_order.hpp"
#include "samsort/sort/run_merge.hpp"
#include "test_bgzf.hpp"
#include "test_records.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

using Record = std::vector<std::uint8_t>;

using test::CollectingSink;

// A BGZF writer of bare records as the range merge's output (no index).
class WriterOutput final : public BlockOutput {
 public:
  explicit WriterOutput(BgzfWriter& writer) : writer_(writer) {}
  const BlockCodec& codec() const noexcept override { return writer_.codec(); }
  bool indexed() const noexcept override { return false; }
  void write_block(const std::uint8_t* block, std::size_t block_bytes, std::size_t payload_bytes,
                   const std::uint32_t*, const RecordLocation*, std::size_t) override {
    writer_.write_block(block, block_bytes, payload_bytes);
  }

 private:
  BgzfWriter& writer_;
};

// The records of a BGZF file of bare records (no header).
std::vector<Record> records_of(const std::string& path) {
  std::vector<std::uint8_t> payload =
      test::joined_payload(test::parse_bgzf(test::read_file_bytes(path)));
  std::vector<Record> records;
  for (std::size_t at = 0; at < payload.size();) {
    std::size_t bytes = bam::record_bytes(payload.data() + at);
    records.emplace_back(payload.begin() + static_cast<std::ptrdiff_t>(at),
                         payload.begin() + static_cast<std::ptrdiff_t>(at + bytes));
    at += bytes;
  }
  return records;
}

// Sorted runs of records at few positions (many equal keys across runs and ranges), written
// with samples, and a run kept in memory.
template <class Order>
class RangeMergeFixture {
 public:
  explicit RangeMergeFixture(const Order& order)
      : order_(order),
        temp_dir_(scratch_.path(), "-"),
        store_(temp_dir_, BlockCodec{BlockFormat::kZstd, 1}) {}

  // `count` records of run `run` at positions below `positions`, sorted by the order.
  std::vector<Record> make_records(int run, int count, int positions, std::uint32_t seed) {
    std::mt19937 random(seed);
    std::vector<Record> records;
    for (int idx = 0; idx < count; ++idx) {
      std::string name = std::string("r")
                             .append(std::to_string(random() % 50))
                             .append("_")
                             .append(std::to_string(run))
                             .append("_")
                             .append(std::to_string(idx));
      auto pos = static_cast<std::int32_t>(random() % static_cast<std::uint32_t>(positions));
      records.push_back(test::make_record(name, 0, pos, 0, 40 + static_cast<int>(random() % 80)));
    }
    std::stable_sort(records.begin(), records.end(), [this](const Record& a, const Record& b) {
      return order_.merge_less(order_.merge_key(a.data()), order_.merge_key(b.data()));
    });
    return records;
  }

  RunInfo write_run(const std::vector<Record>& records, bool sampled = true) {
    std::optional<RunSampler> sampler;
    std::uint64_t bytes = 0;
    for (const Record& record : records) bytes += record.size();
    if (sampled) sampler.emplace(pool_, bytes);
    std::unique_ptr<BgzfWriter> writer = store_.begin_run(1, budget_);
    if (sampler) sampler->attach(*writer, budget_);
    RunRecordSizes sizes;
    for (const Record& record : records) {
      if (sampler)
        sampler->before(record.data(), static_cast<std::uint32_t>(record.size()), *writer);
      writer->write(record.data(), record.size());
      sizes.add(record.data());
    }
    RunInfo run = store_.end_run(*writer, records.size(), sizes);
    if (sampler) run.samples = sampler->finish();
    return run;
  }

  // The run kept in memory: records below `top`, entries sorted (ties in input order).
  MemoryRun<Order> keep_in_memory(const std::vector<Record>& records) {
    std::size_t total = 0;
    for (const Record& record : records) total += record.size();
    arena_.assign(total, 0);
    std::uint8_t* top = arena_.data() + arena_.size();
    std::size_t offset = 0;
    entries_.clear();
    for (const Record& record : records) {
      offset += record.size();
      std::memcpy(top - offset, record.data(), record.size());
      entries_.push_back(order_.make_entry(top - offset, offset));
    }
    std::vector<typename Order::Entry> scratch = entries_;
    std::stable_sort(entries_.begin(), entries_.end(),
                     [this, top](const typename Order::Entry& a, const typename Order::Entry& b) {
                       return order_.merge_less(order_.merge_key(top - order_.offset_of(a)),
                                                order_.merge_key(top - order_.offset_of(b)));
                     });
    return {entries_.data(), entries_.size(), top, total};
  }

  std::vector<Record> one_thread_merge(std::vector<RunInfo> runs, const MemoryRun<Order>& memory) {
    std::vector<std::uint8_t> region(8 * config::kMiB);
    RunMerge<Order> merge(order_, store_, runs, region.data(), region.size(),
                          RunMergeSettings{.threads = 1, .temp_format = BlockFormat::kZstd},
                          budget_, progress_);
    std::optional<MemoryRunStream<Order>> memory_stream;
    if (memory.count > 0) memory_stream.emplace(order_, memory.entries, memory.count, memory.top);
    CollectingSink sink;
    merge.merge_all(memory_stream ? &*memory_stream : nullptr, region.data(),
                    region.data() + region.size(), sink, [](std::uint8_t*, std::uint32_t) {});
    return sink.records;
  }

  // The range merge into a file; its records.
  std::vector<Record> range_merge(const std::vector<RunInfo>& runs, const MemoryRun<Order>& memory,
                                  std::size_t workers, std::size_t range_bytes,
                                  std::size_t* ranges) {
    std::string path = scratch_.path() + "/out.bgzf";
    FileDescriptor out(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
    std::vector<std::uint8_t> region(64 * config::kMiB);
    std::uint64_t count = 0;
    RecordChecksum checksum;
    {
      BgzfWriter writer({.fd = out.get(), .path = path, .codec = {BlockFormat::kBgzf, 1}}, budget_);
      WriterOutput blocks(writer);
      RangeMerge<Order> merge(order_, store_, runs, memory, region.data(),
                              region.data() + region.size(), workers, blocks, progress_);
      if (!merge.plan(range_bytes)) return {};
      *ranges = merge.range_count();
      count = merge.run([](std::uint8_t* record, std::uint32_t bytes, RecordChecksum& sum) {
        sum.add(record, bytes);
      });
      checksum = merge.checksum();
      writer.finish(true);
    }
    std::vector<Record> records = records_of(path);
    EXPECT_EQ(count, records.size());
    RecordChecksum expected;
    for (const Record& record : records) expected.add(record.data(), record.size());
    EXPECT_EQ(checksum, expected);
    return records;
  }

  const Order& order_;
  test::ScratchDir scratch_;
  TempDir temp_dir_;
  RunStore store_;
  MemoryBudget budget_{512 * config::kMiB};
  MemoryBudget pool_{4 * config::kMiB};
  Progress progress_{ProgressSettings{}};
  std::vector<std::uint8_t> arena_;
  std::vector<typename Order::Entry> entries_;
};

template <class Order>
void expect_same_as_one_thread(const Order& order, int positions) {
  RangeMergeFixture<Order> fixture(order);
  std::vector<RunInfo> runs;
  for (int run = 0; run < 5; ++run) {
    runs.push_back(fixture.write_run(fixture.make_records(run, 6000, positions, 11 + run)));
  }
  MemoryRun<Order> memory = fixture.keep_in_memory(fixture.make_records(9, 4000, positions, 7));
  std::vector<Record> expected = fixture.one_thread_merge(runs, memory);
  ASSERT_EQ(expected.size(), 5u * 6000 + 4000);
  for (std::size_t workers : {2, 3, 8}) {
    std::size_t ranges = 0;
    std::vector<Record> got =
        fixture.range_merge(runs, memory, workers, 64 * config::kKiB, &ranges);
    EXPECT_GT(ranges, 10u) << workers;
    ASSERT_EQ(got.size(), expected.size()) << workers;
    for (std::size_t idx = 0; idx < got.size(); ++idx) {
      ASSERT_EQ(test::name_of(got[idx].data()), test::name_of(expected[idx].data()))
          << "record " << idx << " at " << workers << " workers";
      ASSERT_EQ(got[idx], expected[idx]);
    }
  }
}

TEST(RangeMergeTest, CoordinateSameOrderAsOneThread) {
  CoordinateOrder order(1);
  expect_same_as_one_thread(order, 200);  // ~170 records per position: ties span ranges
}

TEST(RangeMergeTest, CoordinateManyPositions) {
  CoordinateOrder order(1);
  expect_same_as_one_thread(order, 1000000);
}

TEST(RangeMergeTest, NameOrderSameOrderAsOneThread) {
  NameOrder<true> order;
  expect_same_as_one_thread(order, 1000);
}

TEST(RangeMergeTest, DeclinesWithoutSamplesOrWorkers) {
  CoordinateOrder order(1);
  RangeMergeFixture<CoordinateOrder> fixture(order);
  std::vector<RunInfo> runs;
  runs.push_back(fixture.write_run(fixture.make_records(0, 3000, 100, 1)));
  runs.push_back(fixture.write_run(fixture.make_records(1, 3000, 100, 2), false));
  std::size_t ranges = 0;
  EXPECT_TRUE(fixture.range_merge(runs, {}, 4, 16 * config::kKiB, &ranges).empty());
  runs.pop_back();
  runs.push_back(fixture.write_run(fixture.make_records(1, 3000, 100, 2)));
  EXPECT_TRUE(fixture.range_merge(runs, {}, 1, 16 * config::kKiB, &ranges).empty());
  EXPECT_EQ(fixture.range_merge(runs, {}, 2, 16 * config::kKiB, &ranges).size(), 6000u);
}

TEST(RangeMergeTest, DamagedRunFailsWithoutHanging) {
  CoordinateOrder order(1);
  RangeMergeFixture<CoordinateOrder> fixture(order);
  std::vector<RunInfo> runs;
  for (int run = 0; run < 3; ++run) {
    runs.push_back(fixture.write_run(fixture.make_records(run, 8000, 100000, 3 + run)));
  }
  // Damage a block in the middle of run 1.
  std::uint64_t at = runs[1].offset + runs[1].bytes / 2;
  std::uint8_t garbage[64];
  std::memset(garbage, 0x5a, sizeof garbage);
  ASSERT_EQ(
      ::pwrite(fixture.store_.fd_of(runs[1]), garbage, sizeof garbage, static_cast<off_t>(at)),
      static_cast<ssize_t>(sizeof garbage));
  std::size_t ranges = 0;
  EXPECT_THROW(fixture.range_merge(runs, {}, 4, 32 * config::kKiB, &ranges), FormatError);
}

TEST(RunSamplesTest, ReaderFromASamplePositionStartsAtItsRecord) {
  CoordinateOrder order(1);
  RangeMergeFixture<CoordinateOrder> fixture(order);
  std::vector<Record> records = fixture.make_records(0, 20000, 1000000, 5);
  RunInfo run = fixture.write_run(records);
  ASSERT_TRUE(run.samples);
  const RunSamples& samples = *run.samples;
  ASSERT_GT(samples.size(), 5u);
  BlockDecoder decoder(BlockFormat::kZstd);
  std::vector<std::uint8_t> buffer(RunReader::buffer_bytes_for(run));
  std::uint64_t bytes_before = 0;
  std::size_t record_idx = 0;
  for (std::size_t idx = 0; idx < samples.size(); ++idx) {
    const RunPosition& position = samples.position(idx);
    while (record_idx < position.record_index) bytes_before += records[record_idx++].size();
    EXPECT_EQ(samples.bytes_before(idx), bytes_before);
    RunReader reader(fixture.store_, run, decoder, buffer.data(), nullptr, position);
    const std::uint8_t* first = reader.next();
    ASSERT_NE(first, nullptr);
    ASSERT_EQ(Record(first, first + bam::record_bytes(first)), records[position.record_index]);
    // The sample holds the record's key copy: no sequence, every other field.
    const std::uint8_t* key = samples.key(idx);
    EXPECT_EQ(bam::seq_length(key), 0);
    EXPECT_EQ(test::name_of(key), test::name_of(first));
    EXPECT_EQ(bam::record_bytes(key), key_copy_bytes(first));
    EXPECT_FALSE(order.merge_less(order.merge_key(key), order.merge_key(first)) ||
                 order.merge_less(order.merge_key(first), order.merge_key(key)));
    std::uint64_t left = 1;
    while (reader.next() != nullptr) ++left;
    EXPECT_EQ(left, records.size() - position.record_index);
  }
  EXPECT_EQ(samples.run_record_bytes(), run.record_bytes);
}

TEST(RunSamplesTest, PoolBoundsTheSamples) {
  MemoryBudget pool(256 * config::kKiB);
  std::vector<std::unique_ptr<RunSampler>> samplers;
  for (int run = 0; run < 40; ++run) {
    samplers.push_back(std::make_unique<RunSampler>(pool, 100 * config::kMiB));
    EXPECT_LE(pool.reserved_bytes(), pool.total_bytes());
  }
  // One run takes at most its share: the first kRunSamplePlannedRuns runs get room.
  EXPECT_TRUE(samplers.front()->active());
  EXPECT_FALSE(samplers.back()->active());
  EXPECT_EQ(samplers.back()->finish(), nullptr);
}

}  // namespace
}  // namespace samsort
