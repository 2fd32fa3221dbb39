// RunMerge: intermediate passes merge groups of runs until one merge takes them all (fan-in
// forced to 2 here), the final merge puts every record in order with ties to the earlier run
// and the in-memory run last, each record goes through the record hook, and the figures add up.
#include "samsort/sort/run_merge.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "collecting_sink.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/merge/temp_dir.hpp"
#include "samsort/order/coordinate_key.hpp"
#include "test_records.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

using Record = std::vector<std::uint8_t>;

using test::CollectingSink;

std::string name_of(const Record& record) {
  return std::string(reinterpret_cast<const char*>(record.data()) + bam::kFixedBytes);
}

class RunMergeTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  RunMergeTest()
      : temp_dir_(scratch_.path(), "-"), store_(temp_dir_, BlockCodec{BlockFormat::kZstd, 1}) {}

  // Run `run`: `count` records at positions in steps of 3 from `start`, named run_idx.
  RunInfo write_run(int run, int start, int count) {
    std::unique_ptr<BgzfWriter> writer = store_.begin_run(1, budget_);
    RunRecordSizes sizes;
    for (int idx = 0; idx < count; ++idx) {
      std::string name =
          std::string("r").append(std::to_string(run)).append("_").append(std::to_string(idx));
      Record record = test::make_record(name, 0, start + 3 * idx, 0, 50);
      writer->write(record.data(), record.size());
      sizes.add(record.data());
    }
    return store_.end_run(*writer, static_cast<std::uint64_t>(count), sizes);
  }

  test::ScratchDir scratch_;
  TempDir temp_dir_;
  RunStore store_;
  MemoryBudget budget_{64 * config::kMiB};
  Progress progress_{ProgressSettings{}};
};

TEST_P(RunMergeTest, PassesThenOneMergeKeepOrderAndTies) {
  std::vector<RunInfo> runs;
  // Seven runs; runs 0 and 4 share positions (0, 3, 6, ...): ties go to run 0 first.
  for (int run = 0; run < 7; ++run) runs.push_back(write_run(run, run == 4 ? 0 : run, 3000));
  std::vector<std::uint8_t> region(16 * config::kMiB);
  CoordinateOrder order(1);
  RunMerge<CoordinateOrder> merge(order, store_, runs, region.data(), region.size(),
                                  RunMergeSettings{.threads = 2,
                                                   .prefetch_threads = GetParam(),
                                                   .debug_max_fan_in = 2,
                                                   .temp_format = BlockFormat::kZstd},
                                  budget_, progress_);
  merge.pass_until_one_merge();
  EXPECT_LE(runs.size(), 2u);
  EXPECT_EQ(merge.passes(), 2u);  // 7 -> 4 -> 2 runs, which one merge takes
  CollectingSink sink;
  std::uint64_t hooked = 0;
  std::uint64_t count = merge.merge_all(nullptr, region.data(), region.data() + region.size(), sink,
                                        [&hooked](std::uint8_t*, std::uint32_t) { ++hooked; });
  EXPECT_EQ(count, 7u * 3000);
  EXPECT_EQ(hooked, count);
  ASSERT_EQ(sink.records.size(), count);
  for (std::size_t idx = 1; idx < sink.records.size(); ++idx) {
    ASSERT_LE(bam::pos(sink.records[idx - 1].data()), bam::pos(sink.records[idx].data()));
  }
  // Position 0: run 0's record, then run 4's (ties in run order through every pass).
  EXPECT_EQ(name_of(sink.records[0]), "r0_0");
  EXPECT_EQ(name_of(sink.records[1]), "r4_0");
  EXPECT_GT(merge.temp_read_bytes(), merge.pass_bytes_written());  // the passes read runs too
  EXPECT_GT(merge.region_used_peak(), 0u);
}

INSTANTIATE_TEST_SUITE_P(ReadAhead, RunMergeTest, ::testing::Values(0, 2),
                         [](const ::testing::TestParamInfo<std::size_t>& param_info) {
                           return param_info.param == 0 ? std::string("Inline")
                                                        : std::string("Prefetched");
                         });

}  // namespace
}  // namespace samsort
