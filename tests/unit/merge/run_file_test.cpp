// RunStore / RunReader: runs of mixed-size records (some spanning BGZF blocks) written and
// read back byte-exact, in any order and interleaved; discard(); damaged-run detection. The
// same through a RunPrefetcher (blocks decoded ahead on worker threads).
#include "samsort/merge/run_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <vector>

#include "samsort/bam/bam_record.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/io/bgzf_writer.hpp"
#include "samsort/merge/run_prefetch.hpp"
#include "samsort/merge/temp_dir.hpp"
#include "test_records.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

using Records = std::vector<std::vector<std::uint8_t>>;

Records make_records(std::size_t count, std::size_t large_every, std::size_t large_bytes,
                     std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Records records;
  for (std::size_t idx = 0; idx < count; ++idx) {
    std::size_t aux_bytes = large_every != 0 && idx % large_every == large_every - 1
                                ? large_bytes + rng() % 1000
                                : rng() % 400;
    std::vector<std::uint8_t> aux(aux_bytes);
    for (std::uint8_t& byte : aux) byte = static_cast<std::uint8_t>(rng());
    records.push_back(test::make_record("run" + std::to_string(seed) + "_" + std::to_string(idx),
                                        static_cast<std::int32_t>(rng() % 3),
                                        static_cast<std::int32_t>(idx), 0,
                                        static_cast<std::int32_t>(rng() % 160), aux));
  }
  return records;
}

std::uint32_t largest(const Records& records) {
  std::size_t bytes = 0;
  for (const auto& record : records) bytes = std::max(bytes, record.size());
  return static_cast<std::uint32_t>(bytes);
}

RunRecordSizes sizes_of(const Records& records) {
  RunRecordSizes sizes;
  for (const auto& record : records) sizes.add(record.data());
  return sizes;
}

// Every test runs for each run block codec: stored BGZF (--temp-compression none), zstd 1 (the
// default) and zstd 19.
class RunFileTest : public ::testing::TestWithParam<BlockCodec> {
 protected:
  RunFileTest()
      : temp_dir_(scratch_.path(), "-"),
        store_(temp_dir_, GetParam()),
        decoder_(GetParam().format) {}

  RunInfo write_run(const Records& records, std::size_t threads) {
    std::unique_ptr<BgzfWriter> writer = store_.begin_run(threads, budget_);
    for (const auto& record : records) writer->write(record.data(), record.size());
    return store_.end_run(*writer, records.size(), sizes_of(records));
  }

  // Reads a whole run and compares it with `records`.
  void expect_run(const RunInfo& run, const Records& records) {
    std::vector<std::uint8_t> buffer(RunReader::buffer_bytes_for(run));
    RunReader reader(store_, run, decoder_, buffer.data());
    for (std::size_t idx = 0; idx < records.size(); ++idx) {
      const std::uint8_t* record = reader.next();
      ASSERT_NE(record, nullptr) << "record " << idx << " missing";
      ASSERT_EQ(bam::record_bytes(record), records[idx].size()) << "record " << idx;
      ASSERT_TRUE(std::equal(records[idx].begin(), records[idx].end(), record))
          << "record " << idx << " differs";
    }
    EXPECT_EQ(reader.next(), nullptr);
    EXPECT_EQ(reader.next(), nullptr);
  }

  test::ScratchDir scratch_;
  TempDir temp_dir_;
  RunStore store_;
  BlockDecoder decoder_;
  MemoryBudget budget_{64 * config::kMiB};
};

TEST_P(RunFileTest, RunsReadBackByteExactInAnyOrder) {
  Records small = make_records(3000, 0, 0, 1);
  Records mixed = make_records(40, 4, 150 * 1024, 2);  // every 4th record is ~150 KB
  Records empty;
  Records single = make_records(1, 1, 300 * 1024, 3);
  RunInfo small_run = write_run(small, 1);
  RunInfo mixed_run = write_run(mixed, 3);
  RunInfo empty_run = write_run(empty, 2);
  RunInfo single_run = write_run(single, 1);

  EXPECT_EQ(small_run.offset, 0u);
  EXPECT_EQ(mixed_run.offset, small_run.offset + small_run.bytes);
  EXPECT_EQ(empty_run.offset, mixed_run.offset + mixed_run.bytes);
  EXPECT_EQ(empty_run.bytes, 0u);
  EXPECT_EQ(single_run.offset, empty_run.offset);
  EXPECT_EQ(store_.bytes_written(), single_run.offset + single_run.bytes);
  EXPECT_EQ(small_run.record_count, small.size());
  EXPECT_EQ(mixed_run.record_count, mixed.size());
  EXPECT_EQ(mixed_run.max_record_bytes, largest(mixed));
  EXPECT_GT(mixed_run.max_record_bytes, 150u * 1024);
  EXPECT_GE(RunReader::buffer_bytes_for(mixed_run),
            2 * config::kBgzfMaxBlockBytes + mixed_run.max_record_bytes);
  EXPECT_EQ(budget_.reserved_bytes(), 0u);

  expect_run(single_run, single);
  expect_run(mixed_run, mixed);
  expect_run(empty_run, empty);
  expect_run(small_run, small);
  expect_run(mixed_run, mixed);  // a run can be read again
}

TEST_P(RunFileTest, InterleavedReadersKeepTheirRecordsValid) {
  Records first = make_records(200, 7, 100 * 1024, 4);
  Records second = make_records(300, 0, 0, 5);
  RunInfo first_run = write_run(first, 2);
  RunInfo second_run = write_run(second, 2);
  std::vector<std::uint8_t> first_buffer(RunReader::buffer_bytes_for(first_run));
  std::vector<std::uint8_t> second_buffer(RunReader::buffer_bytes_for(second_run));
  RunReader first_reader(store_, first_run, decoder_, first_buffer.data());
  RunReader second_reader(store_, second_run, decoder_, second_buffer.data());
  std::size_t first_idx = 0;
  std::size_t second_idx = 0;
  const std::uint8_t* held = nullptr;
  while (first_idx < first.size() || second_idx < second.size()) {
    if (first_idx < first.size()) {
      held = first_reader.next();
      ASSERT_NE(held, nullptr);
    }
    if (second_idx < second.size()) {
      const std::uint8_t* record = second_reader.next();
      ASSERT_NE(record, nullptr);
      ASSERT_TRUE(std::equal(second[second_idx].begin(), second[second_idx].end(), record));
      ++second_idx;
    }
    if (first_idx < first.size()) {
      // The first reader's record is still intact after the other reader moved on.
      ASSERT_TRUE(std::equal(first[first_idx].begin(), first[first_idx].end(), held))
          << "record " << first_idx;
      ++first_idx;
    }
  }
  EXPECT_EQ(first_reader.next(), nullptr);
  EXPECT_EQ(second_reader.next(), nullptr);
}

TEST_P(RunFileTest, DiscardDoesNotDisturbOtherRuns) {
  Records a = make_records(2000, 0, 0, 6);
  Records b = make_records(30, 5, 150 * 1024, 7);
  Records c = make_records(2000, 0, 0, 8);
  RunInfo a_run = write_run(a, 1);
  RunInfo b_run = write_run(b, 2);
  RunInfo c_run = write_run(c, 1);
  store_.discard(b_run);
  store_.discard(a_run);
  expect_run(c_run, c);
  Records d = make_records(500, 100, 200 * 1024, 9);
  RunInfo d_run = write_run(d, 2);
  EXPECT_EQ(d_run.offset, c_run.offset + c_run.bytes);  // appended, not put into a hole
  expect_run(d_run, d);
  expect_run(c_run, c);
}

TEST_P(RunFileTest, RunFileIsUnlinked) {
  RunInfo run = write_run(make_records(10, 0, 0, 10), 1);
  EXPECT_GT(run.bytes, 0u);
  struct stat info {};
  ASSERT_EQ(fstat(store_.fd(), &info), 0);
  EXPECT_EQ(info.st_nlink, 0u);
  EXPECT_EQ(info.st_size, static_cast<off_t>(run.bytes));
  EXPECT_EQ(access(store_.path().c_str(), F_OK), -1);
}

TEST_P(RunFileTest, CorruptBlockIsAFormatError) {
  Records records = make_records(3000, 0, 0, 11);
  RunInfo run = write_run(records, 1);
  // Flip a byte inside the first block, past its header: its checksum (BGZF's CRC32, zstd's
  // content checksum) or its data no longer hold.
  off_t flip_at = static_cast<off_t>(run.offset + 1000);
  std::uint8_t byte = 0;
  ASSERT_EQ(pread(store_.fd(), &byte, 1, flip_at), 1);
  byte ^= 0x5a;
  ASSERT_EQ(pwrite(store_.fd(), &byte, 1, flip_at), 1);
  std::vector<std::uint8_t> buffer(RunReader::buffer_bytes_for(run));
  RunReader reader(store_, run, decoder_, buffer.data());
  auto message = test::thrown_message<FormatError>([&] { reader.next(); });
  ASSERT_TRUE(message.has_value());
  EXPECT_TRUE(test::contains(*message, "damaged run file")) << *message;
}

TEST_P(RunFileTest, FewerRecordsThanRecordedIsAFormatError) {
  Records records = make_records(100, 0, 0, 12);
  RunInfo run = write_run(records, 1);
  run.record_count += 1;
  std::vector<std::uint8_t> buffer(RunReader::buffer_bytes_for(run));
  RunReader reader(store_, run, decoder_, buffer.data());
  for (std::size_t idx = 0; idx < records.size(); ++idx) ASSERT_NE(reader.next(), nullptr);
  EXPECT_THROW(reader.next(), FormatError);
}

TEST_P(RunFileTest, RecordLargerThanRecordedIsAFormatError) {
  Records records = make_records(8, 4, 150 * 1024, 13);
  RunInfo run = write_run(records, 1);
  RunInfo understated = run;
  understated.max_record_bytes = 1000;
  understated.max_copy_bytes = 1000;
  // The buffer is sized for the truth so that a missing check cannot overrun it.
  std::vector<std::uint8_t> buffer(RunReader::buffer_bytes_for(run));
  RunReader reader(store_, understated, decoder_, buffer.data());
  EXPECT_THROW(
      {
        while (reader.next() != nullptr) {
        }
      },
      FormatError);
}

// Records above kMergeWholeRecordMaxBytes: mostly sequence (which the key copy drops), with a
// CIGAR and an aux tag (which it keeps), between small records.
Records make_huge_records(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Records records;
  for (std::size_t idx = 0; idx < count; ++idx) {
    test::RecordSpec spec;
    spec.name = "huge" + std::to_string(seed) + "_" + std::to_string(idx);
    spec.pos = static_cast<std::int32_t>(rng() % 100000);
    bool huge = idx % 3 == 1;
    spec.seq_length =
        huge ? static_cast<std::int32_t>(config::kMergeWholeRecordMaxBytes + rng() % (300 * 1024))
             : static_cast<std::int32_t>(rng() % 200);
    spec.cigar = {static_cast<std::uint32_t>(spec.seq_length) << 4};  // <l_seq>M
    spec.aux = {'X', 'T', 'Z'};
    std::string value = "tag" + std::to_string(rng() % 1000) + std::string(rng() % 3000, 'v');
    spec.aux.insert(spec.aux.end(), value.begin(), value.end());
    spec.aux.push_back(0);
    records.push_back(test::make_record(spec));
  }
  return records;
}

// What a key copy must be: the record without sequence and qualities, l_seq 0.
std::vector<std::uint8_t> expected_copy(const std::vector<std::uint8_t>& record) {
  const std::uint8_t* raw = record.data();
  std::size_t head = bam::kFixedBytes + bam::read_name_bytes(raw) + 4 * bam::cigar_op_count(raw);
  auto bases = static_cast<std::size_t>(bam::seq_length(raw));
  std::vector<std::uint8_t> copy(record.begin(), record.begin() + static_cast<long>(head));
  copy.insert(copy.end(), record.begin() + static_cast<long>(head + (bases + 1) / 2 + bases),
              record.end());
  test::store_u32(copy, 0, static_cast<std::uint32_t>(copy.size() - 4));
  test::store_i32(copy, 20, 0);
  return copy;
}

TEST_P(RunFileTest, HugeRecordsComeAsKeyCopiesAndReadBackWhole) {
  Records records = make_huge_records(12, 21);
  RunInfo run = write_run(records, 2);
  EXPECT_GT(run.max_record_bytes, config::kMergeWholeRecordMaxBytes);
  EXPECT_EQ(RunReader::whole_bytes_for(run), run.max_record_bytes);
  // The reader's own buffer holds a key copy (a few KiB), not the huge records.
  EXPECT_LT(run.max_copy_bytes, 8u * 1024);
  EXPECT_LT(RunReader::buffer_bytes_for(run), 2 * config::kBgzfMaxBlockBytes + 8 * 1024);

  std::vector<std::uint8_t> buffer(RunReader::buffer_bytes_for(run));
  std::vector<std::uint8_t> whole(RunReader::whole_bytes_for(run));
  RunReader reader(store_, run, decoder_, buffer.data(), whole.data());
  std::size_t copies = 0;
  for (std::size_t idx = 0; idx < records.size(); ++idx) {
    const std::uint8_t* got = reader.next();
    ASSERT_NE(got, nullptr) << "record " << idx;
    const std::vector<std::uint8_t>& record = records[idx];
    bool huge = record.size() > config::kMergeWholeRecordMaxBytes;
    std::vector<std::uint8_t> expected = huge ? expected_copy(record) : record;
    ASSERT_EQ(std::vector<std::uint8_t>(got, got + bam::record_bytes(got)), expected)
        << "record " << idx;
    copies += huge ? 1 : 0;
    const std::uint8_t* full = reader.whole(got);
    ASSERT_EQ(bam::record_bytes(full), record.size()) << "record " << idx;
    ASSERT_TRUE(std::equal(record.begin(), record.end(), full)) << "record " << idx;
    // Reading back again gives the same bytes (the reader's position is unchanged).
    ASSERT_TRUE(std::equal(record.begin(), record.end(), reader.whole(got))) << "record " << idx;
  }
  EXPECT_EQ(copies, 4u);
  EXPECT_EQ(reader.next(), nullptr);
}

TEST_P(RunFileTest, ReadersShareOneWholeRecordBuffer) {
  Records first = make_huge_records(9, 22);
  Records second = make_huge_records(9, 23);
  RunInfo first_run = write_run(first, 1);
  RunInfo second_run = write_run(second, 1);
  std::vector<std::uint8_t> first_buffer(RunReader::buffer_bytes_for(first_run));
  std::vector<std::uint8_t> second_buffer(RunReader::buffer_bytes_for(second_run));
  std::vector<std::uint8_t> whole(
      std::max(RunReader::whole_bytes_for(first_run), RunReader::whole_bytes_for(second_run)));
  RunReader first_reader(store_, first_run, decoder_, first_buffer.data(), whole.data());
  RunReader second_reader(store_, second_run, decoder_, second_buffer.data(), whole.data());
  for (std::size_t idx = 0; idx < first.size(); ++idx) {
    const std::uint8_t* from_first = first_reader.next();
    const std::uint8_t* from_second = second_reader.next();
    ASSERT_NE(from_first, nullptr);
    ASSERT_NE(from_second, nullptr);
    // Each key copy stays valid while the other reader reads back into the shared buffer.
    const std::uint8_t* whole_second = second_reader.whole(from_second);
    ASSERT_TRUE(std::equal(second[idx].begin(), second[idx].end(), whole_second));
    const std::uint8_t* whole_first = first_reader.whole(from_first);
    ASSERT_TRUE(std::equal(first[idx].begin(), first[idx].end(), whole_first));
    EXPECT_EQ(test::name_of(from_second), test::name_of(second[idx].data()));
  }
}

TEST_P(RunFileTest, HugeRecordWithoutAWholeBufferIsAFormatError) {
  Records records = make_huge_records(3, 24);
  RunInfo run = write_run(records, 1);
  std::vector<std::uint8_t> buffer(RunReader::buffer_bytes_for(run));
  RunReader reader(store_, run, decoder_, buffer.data());  // no whole-record buffer
  ASSERT_NE(reader.next(), nullptr);
  EXPECT_THROW(reader.next(), FormatError);
}

// Per run, more than a prefetcher's bookkeeping takes of the slot memory
// (RunPrefetcher::depth_for).
constexpr std::size_t kBookkeepingBytes = 4096;

// Reads runs round robin, one record of each in turn, through one prefetcher of `depth` slots
// per run and `threads` workers, comparing every record (whole, huge ones read back).
void expect_prefetched(const RunStore& store, BlockDecoder& decoder,
                       const std::vector<RunInfo>& runs, const std::vector<Records>& contents,
                       std::size_t depth, std::size_t threads) {
  std::vector<const RunInfo*> run_pointers;
  std::size_t whole_bytes = 0;
  for (const RunInfo& run : runs) {
    run_pointers.push_back(&run);
    whole_bytes = std::max(whole_bytes, RunReader::whole_bytes_for(run));
  }
  // The slots, and room for the prefetcher's bookkeeping (counted in the same memory).
  std::size_t slot_bytes = runs.size() * (depth * config::kBgzfMaxBlockBytes + kBookkeepingBytes);
  ASSERT_EQ(RunPrefetcher::depth_for(runs.size(), slot_bytes), depth);
  std::vector<std::uint8_t> slots(slot_bytes);
  std::vector<std::uint8_t> whole(whole_bytes);
  RunPrefetcher prefetch(store, run_pointers, threads, slots.data(), slot_bytes);
  std::vector<std::vector<std::uint8_t>> buffers;
  std::vector<std::unique_ptr<RunReader>> readers;
  for (std::size_t idx = 0; idx < runs.size(); ++idx) {
    buffers.emplace_back(RunReader::buffer_bytes_for(runs[idx]));
    readers.push_back(std::make_unique<RunReader>(store, runs[idx], decoder, buffers[idx].data(),
                                                  whole_bytes == 0 ? nullptr : whole.data(),
                                                  &prefetch, idx));
  }
  std::vector<std::size_t> next(runs.size(), 0);
  for (bool any = true; any;) {
    any = false;
    for (std::size_t idx = 0; idx < runs.size(); ++idx) {
      const std::uint8_t* got = readers[idx]->next();
      if (next[idx] == contents[idx].size()) {
        ASSERT_EQ(got, nullptr) << "run " << idx << " has more records";
        continue;
      }
      any = true;
      ASSERT_NE(got, nullptr) << "run " << idx << " record " << next[idx] << " missing";
      const std::vector<std::uint8_t>& record = contents[idx][next[idx]++];
      const std::uint8_t* full = readers[idx]->whole(got);
      ASSERT_EQ(bam::record_bytes(full), record.size()) << "run " << idx;
      ASSERT_TRUE(std::equal(record.begin(), record.end(), full)) << "run " << idx;
    }
  }
  for (std::size_t idx = 0; idx < runs.size(); ++idx) {  // whole() reads huge records again
    if (RunReader::whole_bytes_for(runs[idx]) == 0) {
      EXPECT_EQ(readers[idx]->bytes_read(), runs[idx].bytes) << "run " << idx;
    } else {
      EXPECT_GT(readers[idx]->bytes_read(), runs[idx].bytes) << "run " << idx;
    }
  }
}

TEST_P(RunFileTest, PrefetchedReadersReadEveryRunByteExact) {
  std::vector<Records> contents = {make_records(3000, 0, 0, 31),
                                   make_records(40, 4, 150 * 1024, 32), Records{},
                                   make_huge_records(12, 33), make_records(1, 1, 300 * 1024, 34)};
  std::vector<RunInfo> runs;
  for (const Records& records : contents) runs.push_back(write_run(records, 2));
  for (std::size_t depth : {RunPrefetcher::kMinDepth, RunPrefetcher::kMaxDepth}) {
    for (std::size_t threads : {1, 3}) {
      SCOPED_TRACE("depth " + std::to_string(depth) + ", threads " + std::to_string(threads));
      expect_prefetched(store_, decoder_, runs, contents, depth, threads);
    }
  }
}

TEST_P(RunFileTest, PrefetchDepthComesFromTheMemoryLeft) {
  EXPECT_EQ(RunPrefetcher::depth_for(0, 1 << 30), 0u);
  EXPECT_EQ(RunPrefetcher::depth_for(10, 10 * config::kBgzfMaxBlockBytes), 0u);  // 1 each
  EXPECT_EQ(RunPrefetcher::depth_for(10, 25 * config::kBgzfMaxBlockBytes), 2u);
  // Exactly two blocks each leave no room for the bookkeeping: one each, too few.
  EXPECT_EQ(RunPrefetcher::depth_for(10, 20 * config::kBgzfMaxBlockBytes), 0u);
  EXPECT_EQ(RunPrefetcher::depth_for(10, 1000 * config::kBgzfMaxBlockBytes),
            RunPrefetcher::kMaxDepth);
}

TEST_P(RunFileTest, PrefetchedCorruptBlockFailsOnlyItsRun) {
  Records good = make_records(2000, 0, 0, 35);
  Records bad = make_records(3000, 0, 0, 36);
  RunInfo good_run = write_run(good, 1);
  RunInfo bad_run = write_run(bad, 1);
  // A byte flipped past the bad run's first blocks: its first records still read.
  auto flip_at = static_cast<off_t>(bad_run.offset + bad_run.bytes / 2);
  std::uint8_t byte = 0;
  ASSERT_EQ(pread(store_.fd(), &byte, 1, flip_at), 1);
  byte ^= 0x5a;
  ASSERT_EQ(pwrite(store_.fd(), &byte, 1, flip_at), 1);
  std::vector<const RunInfo*> runs = {&good_run, &bad_run};
  std::size_t slot_bytes =
      2 * (RunPrefetcher::kMaxDepth * config::kBgzfMaxBlockBytes + kBookkeepingBytes);
  std::vector<std::uint8_t> slots(slot_bytes);
  RunPrefetcher prefetch(store_, runs, 2, slots.data(), slot_bytes);
  std::vector<std::uint8_t> good_buffer(RunReader::buffer_bytes_for(good_run));
  std::vector<std::uint8_t> bad_buffer(RunReader::buffer_bytes_for(bad_run));
  RunReader bad_reader(store_, bad_run, decoder_, bad_buffer.data(), nullptr, &prefetch, 1);
  ASSERT_NE(bad_reader.next(), nullptr);
  auto message = test::thrown_message<FormatError>([&] {
    while (bad_reader.next() != nullptr) {
    }
  });
  ASSERT_TRUE(message.has_value());
  EXPECT_TRUE(test::contains(*message, "damaged run file")) << *message;
  RunReader good_reader(store_, good_run, decoder_, good_buffer.data(), nullptr, &prefetch, 0);
  for (const auto& record : good) {
    const std::uint8_t* got = good_reader.next();
    ASSERT_NE(got, nullptr);
    ASSERT_TRUE(std::equal(record.begin(), record.end(), got));
  }
  EXPECT_EQ(good_reader.next(), nullptr);
}

TEST_P(RunFileTest, PrefetcherStopsWithBlocksInFlight) {
  std::vector<RunInfo> runs;
  for (std::uint64_t seed = 40; seed < 48; ++seed) {
    runs.push_back(write_run(make_records(2000, 0, 0, seed), 1));
  }
  std::vector<const RunInfo*> run_pointers;
  for (const RunInfo& run : runs) run_pointers.push_back(&run);
  std::size_t slot_bytes = runs.size() * (3 * config::kBgzfMaxBlockBytes + kBookkeepingBytes);
  std::vector<std::uint8_t> slots(slot_bytes);
  for (int round = 0; round < 20; ++round) {
    RunPrefetcher prefetch(store_, run_pointers, 3, slots.data(), slot_bytes);
    std::size_t payload_bytes = 0;
    std::uint64_t block_offset = 0;
    ASSERT_NE(prefetch.next_block(static_cast<std::size_t>(round) % runs.size(), &payload_bytes,
                                  &block_offset),
              nullptr);
    EXPECT_GT(payload_bytes, 0u);
  }  // destroyed with workers fetching: must join, not hang
}

INSTANTIATE_TEST_SUITE_P(Codecs, RunFileTest,
                         ::testing::Values(BlockCodec{BlockFormat::kBgzf, 0},
                                           BlockCodec{BlockFormat::kZstd, 1},
                                           BlockCodec{BlockFormat::kZstd, 19}),
                         [](const ::testing::TestParamInfo<BlockCodec>& param_info) {
                           return param_info.param.format == BlockFormat::kBgzf
                                      ? std::string("Stored")
                                      : "Zstd" + std::to_string(param_info.param.level);
                         });

}  // namespace
}  // namespace samsort
