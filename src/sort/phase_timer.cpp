// PhaseTimer: a sort job's phase times, stalls and nested phases taken off.
#include "samsort/sort/phase_timer.hpp"

namespace samsort {

double PhaseTimer::seconds_since(Clock::time_point start) noexcept {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void PhaseTimer::end_reading() noexcept {
  read_seconds_ = seconds_since(reading_started_) - stalled_seconds_;
}

void PhaseTimer::begin_merge() noexcept {
  merge_started_ = Clock::now();
  sort_spill_before_merge_ = sort_seconds_ + spill_seconds_;
}

void PhaseTimer::end_merge() noexcept {
  merge_seconds_ =
      seconds_since(merge_started_) - (sort_seconds_ + spill_seconds_ - sort_spill_before_merge_);
}

void PhaseTimer::fill(SortSummary& summary) const noexcept {
  summary.read_seconds = read_seconds_;
  summary.reader_wait_seconds = stalled_seconds_;
  summary.sort_seconds = sort_seconds_;
  summary.spill_seconds = spill_seconds_;
  summary.merge_seconds = merge_seconds_;
  summary.merge_wait_seconds = merge_wait_seconds_;
}

void PhaseTimer::add_earlier(SortSummary& summary, const SortSummary& earlier) noexcept {
  summary.read_seconds += earlier.read_seconds;
  summary.sort_seconds += earlier.sort_seconds;
  summary.spill_seconds += earlier.spill_seconds;
  summary.merge_seconds += earlier.merge_seconds;
  summary.reader_wait_seconds += earlier.reader_wait_seconds;
  summary.merge_wait_seconds += earlier.merge_wait_seconds;
}

}  // namespace samsort
