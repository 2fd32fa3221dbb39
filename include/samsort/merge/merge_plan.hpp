// The merge planner: how many runs one merge can take inside a buffer (each run's reader
// buffer, plus one whole-record buffer for the largest huge record among them), and how an
// intermediate pass groups the runs. Pure functions of the runs' sizes, so the planning is
// tested on its own; sort_job executes the plan.
#pragma once
#include <cstddef>
#include <vector>

#include "samsort/merge/run_file.hpp"

namespace samsort {

// Runs from `first` on that one merge can take within `buffer_bytes`, at most `max_fan_in`
// (0: no limit but memory).
std::size_t merge_fan_in(const std::vector<RunInfo>& runs, std::size_t first,
                         std::size_t buffer_bytes, std::size_t max_fan_in) noexcept;

// One group of an intermediate pass: runs [first, first + count) merged into one new run, or
// (count 1, carried) a run passed on as it is.
struct MergeGroup {
  std::size_t first = 0;
  std::size_t count = 0;
  bool carried = false;
};

// Consecutive groups covering every run in order (so equal keys keep input order): as many
// runs as fit from each position; a run that cannot be merged with at least
// config::kMinFanIn - 1 others is carried. Throws ResourceError when not even one run fits
// the buffer, or when the pass would carry every run (it would not progress).
std::vector<MergeGroup> plan_merge_pass(const std::vector<RunInfo>& runs, std::size_t buffer_bytes,
                                        std::size_t max_fan_in);

}  // namespace samsort
