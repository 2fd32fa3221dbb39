// PhaseTimer: reading counts without the reader's stalls, the merge without the sorting and
// spilling done inside it; fill() hands the phase and wait times to the summary and
// add_earlier() chains an earlier pass's.
#include "samsort/sort/phase_timer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace samsort {
namespace {

using namespace std::chrono_literals;

TEST(PhaseTimerTest, ReadingLeavesOutTheReadersStalls) {
  PhaseTimer timer;
  timer.begin_reading();
  std::this_thread::sleep_for(50ms);
  timer.add_reader_stall(0.02);
  timer.add_reader_stall(0.01);
  timer.end_reading();
  EXPECT_DOUBLE_EQ(timer.reader_stalled_seconds(), 0.03);
  EXPECT_GE(timer.read_seconds(), 0.05 - 0.03 - 0.001);
  EXPECT_LT(timer.read_seconds(), 30.0);
}

TEST(PhaseTimerTest, TheMergeLeavesOutSortingAndSpillingDoneInIt) {
  PhaseTimer timer;
  timer.add_sort(10.0);  // before the merge: not taken off the merge
  timer.add_spill(20.0);
  timer.begin_merge();
  std::this_thread::sleep_for(50ms);
  timer.add_sort(0.01);
  timer.add_spill(0.02);
  timer.end_merge();
  EXPECT_DOUBLE_EQ(timer.sort_seconds(), 10.01);
  EXPECT_DOUBLE_EQ(timer.spill_seconds(), 20.02);
  EXPECT_GE(timer.merge_seconds(), 0.05 - 0.03 - 0.001);
  EXPECT_LT(timer.merge_seconds(), 30.0);
}

TEST(PhaseTimerTest, FillSetsTheSummarysPhaseAndWaitTimes) {
  PhaseTimer timer;
  timer.begin_reading();
  timer.add_reader_stall(0.25);
  timer.end_reading();
  timer.add_sort(1.5);
  timer.add_spill(2.5);
  timer.begin_merge();
  timer.add_merge_wait(0.75);
  timer.end_merge();
  SortSummary summary;
  summary.records = 7;
  timer.fill(summary);
  EXPECT_DOUBLE_EQ(summary.read_seconds, timer.read_seconds());
  EXPECT_DOUBLE_EQ(summary.reader_wait_seconds, 0.25);
  EXPECT_DOUBLE_EQ(summary.sort_seconds, 1.5);
  EXPECT_DOUBLE_EQ(summary.spill_seconds, 2.5);
  EXPECT_DOUBLE_EQ(summary.merge_seconds, timer.merge_seconds());
  EXPECT_DOUBLE_EQ(summary.merge_wait_seconds, 0.75);
  EXPECT_EQ(summary.records, 7u);
  EXPECT_GE(PhaseTimer::seconds_since(PhaseTimer::Clock::now() - 1s), 1.0);
}

TEST(PhaseTimerTest, AnEarlierPassAddsItsTimes) {
  SortSummary earlier;
  earlier.read_seconds = 1;
  earlier.sort_seconds = 2;
  earlier.spill_seconds = 3;
  earlier.merge_seconds = 4;
  earlier.reader_wait_seconds = 5;
  earlier.merge_wait_seconds = 6;
  SortSummary summary;
  summary.read_seconds = 10;
  summary.merge_wait_seconds = 60;
  PhaseTimer::add_earlier(summary, earlier);
  EXPECT_DOUBLE_EQ(summary.read_seconds, 11);
  EXPECT_DOUBLE_EQ(summary.sort_seconds, 2);
  EXPECT_DOUBLE_EQ(summary.spill_seconds, 3);
  EXPECT_DOUBLE_EQ(summary.merge_seconds, 4);
  EXPECT_DOUBLE_EQ(summary.reader_wait_seconds, 5);
  EXPECT_DOUBLE_EQ(summary.merge_wait_seconds, 66);
}

}  // namespace
}  // namespace samsort
