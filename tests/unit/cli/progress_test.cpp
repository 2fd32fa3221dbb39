// The progress model and formatter: whole-job weighting across phases, what is shown for an
// input of unknown size, the fields dropped as the width shrinks, and the number formats.
#include <gtest/gtest.h>

#include <string>

#include "samsort/cli/progress_model.hpp"

namespace samsort::progress {
namespace {

constexpr std::size_t kRead = 0;
constexpr std::size_t kSpill = 1;
constexpr std::size_t kMerge = 2;
constexpr std::size_t kWrite = 3;
constexpr double kRecordBytes = 300;

// Costs with easy numbers: reading 1 s/GB, spilling 1, merging 1, writing 8.
Costs simple_costs() { return {1e-9, 1e-9, 1e-9, 8e-9}; }

// A 1 GB (record bytes) file input, 400 MB of it compressed, all in one run.
Snapshot file_job() {
  Snapshot snapshot;
  snapshot.input_bytes = 400'000'000;
  snapshot.run_capacity_bytes = 2'000'000'000;
  return snapshot;
}

void read_part(Snapshot& snapshot, double fraction) {
  snapshot.input_bytes_consumed =
      static_cast<std::uint64_t>(fraction * static_cast<double>(snapshot.input_bytes));
  snapshot.done_bytes[kRead] = static_cast<std::uint64_t>(fraction * 1e9);
  snapshot.records_read = static_cast<std::uint64_t>(fraction * 1e9 / kRecordBytes);
}

TEST(ProgressModelTest, WholeJobFractionWeighsReadAgainstWrite) {
  Snapshot snapshot = file_job();
  read_part(snapshot, 0.5);
  // Half the reading (0.5 s of weight) out of 1 s read + 8 s write.
  Estimate half_read = estimate(snapshot, simple_costs());
  ASSERT_TRUE(half_read.known);
  EXPECT_NEAR(half_read.fraction, 0.5 / 9, 1e-6);
  EXPECT_NEAR(half_read.eta_seconds, 8.5, 1e-6);
  EXPECT_NEAR(half_read.total_record_bytes, 1e9, 1);

  read_part(snapshot, 1.0);
  snapshot.input_done = true;
  snapshot.phase = Phase::kWriting;
  snapshot.done_bytes[kWrite] = 500'000'000;
  Estimate half_written = estimate(snapshot, simple_costs());
  EXPECT_NEAR(half_written.fraction, 5.0 / 9, 1e-6);
  EXPECT_NEAR(half_written.eta_seconds, 4, 1e-6);
}

TEST(ProgressModelTest, SpillsAndMergePassesAddWork) {
  Snapshot snapshot = file_job();
  snapshot.run_capacity_bytes = 250'000'000;
  read_part(snapshot, 0.5);
  // While reading: at least what does not fit one run (750 MB) will be spilled.
  Estimate reading = estimate(snapshot, simple_costs());
  EXPECT_NEAR(reading.eta_seconds, 0.5 + 0.75 + 8, 1e-6);

  read_part(snapshot, 1.0);
  snapshot.input_done = true;
  snapshot.phase = Phase::kMerging;
  snapshot.spill_planned_bytes = 800'000'000;
  snapshot.done_bytes[kSpill] = 800'000'000;
  snapshot.merge_planned_bytes = 800'000'000;
  snapshot.done_bytes[kMerge] = 200'000'000;
  Estimate merging = estimate(snapshot, simple_costs());
  EXPECT_NEAR(merging.eta_seconds, 0.6 + 8, 1e-6);
  EXPECT_NEAR(merging.fraction, (1 + 0.8 + 0.2) / (1 + 0.8 + 0.8 + 8), 1e-6);
}

TEST(ProgressModelTest, MergePassesForRunsAndFanIn) {
  EXPECT_EQ(merge_passes_for(0, 8), 0u);
  EXPECT_EQ(merge_passes_for(8, 8), 0u);
  EXPECT_EQ(merge_passes_for(9, 8), 1u);
  EXPECT_EQ(merge_passes_for(64, 8), 1u);
  EXPECT_EQ(merge_passes_for(65, 8), 2u);
  EXPECT_EQ(merge_passes_for(5, 2), 2u);  // 5 -> 3 -> 2
  EXPECT_EQ(merge_passes_for(1000, 0), 0u) << "an unknown fan-in predicts nothing";
}

// The merge passes are in the total from the start: beginning one does not raise the ETA.
TEST(ProgressModelTest, MergePassesArePredictedBeforeTheyBegin) {
  Snapshot snapshot = file_job();
  snapshot.run_capacity_bytes = 250'000'000;  // 4 runs of the 1 GB
  snapshot.merge_fan_in = 2;                  // 4 runs -> 2: one pass
  read_part(snapshot, 0.5);
  Estimate reading = estimate(snapshot, simple_costs());
  EXPECT_NEAR(reading.eta_seconds, 0.5 + 0.75 + 0.75 + 8, 1e-6);

  // Read, three runs spilled and the fourth with them: the pass over 1 GB begins.
  read_part(snapshot, 1.0);
  snapshot.input_done = true;
  snapshot.runs_spilled = 4;
  snapshot.spill_planned_bytes = 1'000'000'000;
  snapshot.done_bytes[kSpill] = 1'000'000'000;
  Estimate spilled = estimate(snapshot, simple_costs());
  snapshot.phase = Phase::kMerging;
  snapshot.merge_passes = 1;
  snapshot.merge_planned_bytes = 1'000'000'000;
  Estimate merging = estimate(snapshot, simple_costs());
  EXPECT_NEAR(spilled.eta_seconds, 1 + 8, 1e-6);
  EXPECT_NEAR(merging.eta_seconds, spilled.eta_seconds, 1e-6);

  // A fan-in that takes every run: no pass predicted.
  snapshot.merge_fan_in = 4;
  snapshot.phase = Phase::kWriting;
  snapshot.merge_passes = 0;
  snapshot.merge_planned_bytes = 0;
  EXPECT_NEAR(estimate(snapshot, simple_costs()).eta_seconds, 8, 1e-6);
}

TEST(ProgressModelTest, MeasuredPhaseCostReplacesItsPriorAndCalibratesTheOthers) {
  Snapshot snapshot = file_job();
  read_part(snapshot, 0.5);
  // Reading half took 2 s instead of the prior's 0.5 s: 4x slower, so writing is assumed 4x
  // slower than its prior too.
  snapshot.phase_seconds[kRead] = 2;
  Estimate slow = estimate(snapshot, simple_costs());
  EXPECT_NEAR(slow.eta_seconds, 2 + 32, 1e-6);
  EXPECT_NEAR(slow.bytes_per_second, 250e6, 1);
  EXPECT_NEAR(slow.records_per_second, 250e6 / kRecordBytes, 1);

  // Once writing has been measured, its own rate decides the rest.
  read_part(snapshot, 1.0);
  snapshot.input_done = true;
  snapshot.phase = Phase::kWriting;
  snapshot.phase_seconds[kRead] = 4;
  snapshot.done_bytes[kWrite] = 250'000'000;
  snapshot.phase_seconds[kWrite] = 1;
  Estimate writing = estimate(snapshot, simple_costs());
  EXPECT_NEAR(writing.eta_seconds, 3, 1e-6);
  EXPECT_NEAR(writing.fraction, 5.0 / 8, 1e-6);
}

TEST(ProgressModelTest, UnknownInputSizeGivesRatesButNoFraction) {
  Snapshot snapshot;  // a pipe: no input size
  snapshot.records_read = 1'000'000;
  snapshot.done_bytes[kRead] = 300'000'000;
  snapshot.phase_seconds[kRead] = 3;
  Estimate reading = estimate(snapshot, simple_costs());
  EXPECT_FALSE(reading.known);
  EXPECT_NEAR(reading.bytes_per_second, 100e6, 1);
  std::string line = format_line(snapshot, reading, 0, 200, true);
  EXPECT_EQ(line.find('%'), std::string::npos) << line;
  EXPECT_EQ(line.find("ETA"), std::string::npos) << line;
  EXPECT_EQ(line.find('['), std::string::npos) << line;
  EXPECT_NE(line.find("1.00M records"), std::string::npos) << line;

  // Once the pipe is read to its end the total is known.
  snapshot.input_done = true;
  snapshot.phase = Phase::kWriting;
  Estimate writing = estimate(snapshot, simple_costs());
  EXPECT_TRUE(writing.known);
  EXPECT_GT(writing.fraction, 0);
}

// Drawn before the first block is read: a file's share is 0% and its ETA not known yet.
TEST(ProgressModelTest, FileNotYetReadIsZeroPercentWithoutAnEta) {
  Snapshot snapshot = file_job();
  Estimate start = estimate(snapshot, simple_costs());
  EXPECT_TRUE(start.known);
  EXPECT_EQ(start.fraction, 0);
  std::string line = format_line(snapshot, start, 0, 200, false);
  EXPECT_NE(line.find("0% reading"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA ?"), std::string::npos) << line;
}

TEST(ProgressModelTest, FractionStaysBelowOneUntilDone) {
  Snapshot snapshot = file_job();
  read_part(snapshot, 1.0);
  snapshot.input_done = true;
  snapshot.phase = Phase::kWriting;
  snapshot.done_bytes[kWrite] = 1'000'000'000;
  Estimate written = estimate(snapshot, simple_costs());
  EXPECT_LT(written.fraction, 1);
  EXPECT_NE(format_line(snapshot, written, written.fraction, 200, false).find("99%"),
            std::string::npos);
  snapshot.phase = Phase::kDone;
  EXPECT_EQ(estimate(snapshot, simple_costs()).fraction, 1);
}

TEST(ProgressModelTest, PriorWriteCostFollowsLevelAndThreads) {
  Costs level6 = prior_costs(6, 1);
  EXPECT_EQ(prior_costs(-1, 1), level6);  // -1 is samtools' default level
  EXPECT_LT(prior_costs(0, 1)[kWrite], prior_costs(1, 1)[kWrite]);
  EXPECT_LT(prior_costs(1, 1)[kWrite], level6[kWrite]);
  EXPECT_LT(level6[kWrite], prior_costs(9, 1)[kWrite]);
  EXPECT_LT(prior_costs(6, 4)[kWrite], level6[kWrite]);
  EXPECT_EQ(prior_costs(6, 4)[kRead], level6[kRead]);
}

Snapshot writing_job() {
  Snapshot snapshot = file_job();
  read_part(snapshot, 1.0);
  snapshot.input_done = true;
  snapshot.phase = Phase::kWriting;
  snapshot.records_written = 1'234'567;
  snapshot.runs_spilled = 12;
  snapshot.done_bytes[kWrite] = 370'000'000;
  snapshot.phase_seconds[kWrite] = 3;
  return snapshot;
}

TEST(ProgressFormatTest, FullLineHasEveryField) {
  Snapshot snapshot = writing_job();
  Estimate writing = estimate(snapshot, simple_costs());
  std::string line = format_line(snapshot, writing, 0.42, 200, true);
  EXPECT_EQ(line.rfind("samsort: [", 0), 0u) << line;
  for (const char* part :
       {"] 42% writing", "1.23M/3.33M records", "123.3 MB/s", "411.1k rec/s", "12 runs", "ETA "}) {
    EXPECT_NE(line.find(part), std::string::npos) << part << " not in " << line;
  }
}

TEST(ProgressFormatTest, NarrowWidthDropsFieldsNotPercentOrEta) {
  Snapshot snapshot = writing_job();
  Estimate writing = estimate(snapshot, simple_costs());
  std::string wide = format_line(snapshot, writing, 0.42, 200, true);
  for (std::size_t width = wide.size(); width >= 30; --width) {
    std::string line = format_line(snapshot, writing, 0.42, width, true);
    EXPECT_LE(line.size(), width) << line;
    EXPECT_NE(line.find("42% writing"), std::string::npos) << width << ": " << line;
    EXPECT_NE(line.find("ETA "), std::string::npos) << width << ": " << line;
  }
  std::string at_60 = format_line(snapshot, writing, 0.42, 60, true);
  EXPECT_EQ(at_60.find("runs"), std::string::npos) << at_60;
  // Below what the essentials need, the line is cut, never longer.
  EXPECT_EQ(format_line(snapshot, writing, 0.42, 12, true).size(), 12u);
}

TEST(ProgressFormatTest, BarShowsTheFractionWithoutExceedingTheWidth) {
  Snapshot snapshot = writing_job();
  Estimate writing = estimate(snapshot, simple_costs());
  std::string line = format_line(snapshot, writing, 0.5, 200, true);
  std::size_t open = line.find('[');
  std::size_t close = line.find(']');
  ASSERT_NE(close, std::string::npos) << line;
  std::string inside = line.substr(open + 1, close - open - 1);
  EXPECT_EQ(inside.find_first_not_of('#'), inside.size() / 2) << inside;
  EXPECT_EQ(format_line(snapshot, writing, 0.5, 200, false).find('['), std::string::npos);
}

TEST(ProgressFormatTest, FinalLineSaysHundredPercentWithTotalsAndMeanRate) {
  Snapshot snapshot = writing_job();
  snapshot.phase = Phase::kDone;
  snapshot.elapsed_seconds = 10;
  std::string line = format_final_line(snapshot, 200, false);
  for (const char* part :
       {"samsort: 100% done", "3.33M records", "1.00 GB in 10.0 s", "100.0 MB/s", "333.3k rec/s"}) {
    EXPECT_NE(line.find(part), std::string::npos) << part << " not in " << line;
  }
  EXPECT_LE(format_final_line(snapshot, 40, true).size(), 40u);
  EXPECT_NE(format_final_line(snapshot, 40, true).find("100%"), std::string::npos);
}

TEST(ProgressFormatTest, CountsAndDurations) {
  EXPECT_EQ(format_count(950), "950");
  EXPECT_EQ(format_count(12'345), "12.3k");
  EXPECT_EQ(format_count(1'234'567), "1.23M");
  EXPECT_EQ(format_count(4.56e9), "4.56G");
  EXPECT_EQ(format_duration(45.2), "45 s");
  EXPECT_EQ(format_duration(185), "3m05s");
  EXPECT_EQ(format_duration(7440), "2h04m");
  EXPECT_EQ(format_duration(-1), "?");
}

}  // namespace
}  // namespace samsort::progress
