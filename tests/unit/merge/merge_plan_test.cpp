// The merge planner: fan-in bounded by the buffer (reader buffers plus one shared whole-record
// buffer) and by the cap; a pass groups runs in order, carries a run that cannot be paired,
// and refuses a budget that cannot make progress.
#include "samsort/merge/merge_plan.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"

namespace samsort {
namespace {

RunInfo run_of(std::uint32_t max_record_bytes) {
  RunInfo run;
  run.max_record_bytes = max_record_bytes;
  run.max_copy_bytes = std::min<std::uint32_t>(
      max_record_bytes, static_cast<std::uint32_t>(config::kMergeWholeRecordMaxBytes));
  return run;
}

const std::size_t kReader = RunReader::buffer_bytes_for(run_of(300));

TEST(MergePlanTest, FanInIsWhatTheBufferHoldsUpToTheCap) {
  std::vector<RunInfo> runs(10, run_of(300));
  EXPECT_EQ(merge_fan_in(runs, 0, 4 * kReader, 0), 4u);
  EXPECT_EQ(merge_fan_in(runs, 0, 4 * kReader - 1, 0), 3u);
  EXPECT_EQ(merge_fan_in(runs, 8, 4 * kReader, 0), 2u) << "only two runs from index 8";
  EXPECT_EQ(merge_fan_in(runs, 0, 100 * kReader, 3), 3u) << "the cap";
  EXPECT_EQ(merge_fan_in(runs, 0, 100 * kReader, 0), 10u);
  EXPECT_EQ(merge_fan_in(runs, 0, kReader - 1, 0), 0u);
}

TEST(MergePlanTest, AHugeRecordAddsOneSharedWholeBuffer) {
  std::uint32_t huge = static_cast<std::uint32_t>(config::kMergeWholeRecordMaxBytes) * 3;
  std::vector<RunInfo> runs{run_of(300), run_of(huge), run_of(300), run_of(huge)};
  std::size_t readers = RunReader::buffer_bytes_for(runs[0]) + RunReader::buffer_bytes_for(runs[1]);
  EXPECT_EQ(merge_fan_in(runs, 0, readers + huge - 1, 0), 1u);
  EXPECT_EQ(merge_fan_in(runs, 0, readers + huge, 0), 2u);
  // The whole-record buffer is one for the group: a second huge run costs only its reader.
  std::size_t all = 2 * readers + huge;
  EXPECT_EQ(merge_fan_in(runs, 0, all, 0), 4u);
}

TEST(MergePlanTest, PassGroupsRunsInOrder) {
  std::vector<RunInfo> runs(7, run_of(300));
  std::vector<MergeGroup> groups = plan_merge_pass(runs, 3 * kReader, 0);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].first, 0u);
  EXPECT_EQ(groups[0].count, 3u);
  EXPECT_EQ(groups[1].first, 3u);
  EXPECT_EQ(groups[1].count, 3u);
  // The last run alone cannot be merged with anything: carried as it is.
  EXPECT_EQ(groups[2].first, 6u);
  EXPECT_EQ(groups[2].count, 1u);
  EXPECT_TRUE(groups[2].carried);
  EXPECT_FALSE(groups[0].carried);
}

TEST(MergePlanTest, PassThatCannotProgressIsRefused) {
  std::vector<RunInfo> runs(4, run_of(300));
  EXPECT_THROW(plan_merge_pass(runs, kReader - 1, 0), ResourceError);
  EXPECT_THROW(plan_merge_pass(runs, 100 * kReader, 1), ResourceError) << "fan-in 1 never merges";
  EXPECT_NO_THROW(plan_merge_pass(runs, 100 * kReader, 2));
}

}  // namespace
}  // namespace samsort
