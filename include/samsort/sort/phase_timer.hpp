// PhaseTimer: the wall time of a sort job's phases for the summary and --stats: reading (less
// the reader's stalls for spills), sorting runs, writing runs, and the final write or merge
// (less the sorting and spilling done inside it), and the waits (the reader's for spills, the
// merge's for run blocks). Not thread-safe: the spill thread's times are added by the owner
// after the join.
#pragma once
#include <chrono>

#include "samsort/sort/sort_job.hpp"

namespace samsort {

class PhaseTimer {
 public:
  using Clock = std::chrono::steady_clock;

  static double seconds_since(Clock::time_point start) noexcept;

  void begin_reading() noexcept { reading_started_ = Clock::now(); }
  // The reader's own time: spills run beside it, only the waits for them are taken off.
  void end_reading() noexcept;
  // Reading stopped for a spill (written inline, or waited for).
  void add_reader_stall(double seconds) noexcept { stalled_seconds_ += seconds; }

  void add_sort(double seconds) noexcept { sort_seconds_ += seconds; }
  void add_spill(double seconds) noexcept { spill_seconds_ += seconds; }

  void begin_merge() noexcept;
  // The merge's own time: a last run sorted or spilled inside it counts as sort and spill.
  void end_merge() noexcept;
  void add_merge_wait(double seconds) noexcept { merge_wait_seconds_ += seconds; }

  double read_seconds() const noexcept { return read_seconds_; }
  double reader_stalled_seconds() const noexcept { return stalled_seconds_; }
  double sort_seconds() const noexcept { return sort_seconds_; }
  double spill_seconds() const noexcept { return spill_seconds_; }
  double merge_seconds() const noexcept { return merge_seconds_; }
  double merge_wait_seconds() const noexcept { return merge_wait_seconds_; }

  // Sets `summary`'s phase and wait times.
  void fill(SortSummary& summary) const noexcept;
  // Adds an earlier pass's phase and wait times to `summary` (chained passes of one job).
  static void add_earlier(SortSummary& summary, const SortSummary& earlier) noexcept;

 private:
  Clock::time_point reading_started_{};
  Clock::time_point merge_started_{};
  double stalled_seconds_ = 0;
  double read_seconds_ = 0;
  double sort_seconds_ = 0;
  double spill_seconds_ = 0;
  double merge_seconds_ = 0;
  double merge_wait_seconds_ = 0;
  double sort_spill_before_merge_ = 0;
};

}  // namespace samsort
