// run_sort: one complete sort, end to end: read and pack records into the arena, sort and
// spill runs, merge them (in several passes when needed) and write the output. Returns the
// figures for the summary line; throws the typed errors of errors.hpp.
#pragma once
#include <cstddef>
#include <cstdint>

#include "samsort/cli/options.hpp"

namespace samsort {

struct SortSummary {
  std::uint64_t records = 0;
  std::uint64_t runs = 0;          // spilled runs (0: sorted in memory)
  std::uint64_t merge_passes = 0;  // intermediate passes before the final merge
  // The final merge cut into key ranges on several threads (sort/range_merge.hpp): the
  // ranges and the threads that merged them (1 and 1: the merge ran on one thread).
  std::uint64_t merge_ranges = 1;
  std::uint64_t merge_workers = 1;
  std::uint64_t spilled_bytes = 0;    // bytes written to run files
  std::uint64_t temp_read_bytes = 0;  // bytes read back from run files
  std::uint64_t temp_peak_bytes = 0;  // most run bytes on disk at once
  std::uint64_t output_bytes = 0;
  std::uint64_t checksum = 0;  // order-independent record checksum, equal in and out
  std::size_t budget_bytes = 0;
  std::size_t accounted_peak_bytes = 0;
  double seconds = 0;
  // Wall time per phase: reading+packing, in-memory sorting, writing runs, final write/merge.
  double read_seconds = 0;
  double sort_seconds = 0;
  double spill_seconds = 0;
  double merge_seconds = 0;
  // Waits inside those phases: the reader for a spill to end (the other half still full), the
  // merge for run blocks to be read and decoded ahead.
  double reader_wait_seconds = 0;
  double merge_wait_seconds = 0;
  bool output_in_place = false;  // an existing file overwritten in place: not atomic
};

// A file committed together with the output, both or neither (the --stats file). Made before
// run_sort(), so that an unusable path fails before any input is read.
class OutputCompanion {
 public:
  virtual ~OutputCompanion() = default;
  // Once the output is complete and `summary` final, before anything is committed: writes the
  // file under its temporary name. A throw ends the run and the output is removed.
  virtual void write(const SortSummary& summary) = 0;
  // Renames it into place, in the same signal-guarded step that commits the output.
  virtual void commit() = 0;
};

// `companion` may be null.
SortSummary run_sort(const SortOptions& options, OutputCompanion* companion = nullptr);

}  // namespace samsort
