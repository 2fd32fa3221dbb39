// The progress display's pure part: the whole job's work model (record bytes to read, spill,
// merge and write, each weighted by its cost per byte) that turns a snapshot of the sort's
// counters into one fraction, an ETA and rates, and the formatter that fits the line into a
// terminal width. No clock, no I/O: everything here is a function of its arguments.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace samsort::progress {

// The sort's phases in the order they happen (spills interleave with reading, merge passes
// come before the final write).
enum class Phase : int { kReading = 0, kSpilling, kMerging, kWriting, kDone };
inline constexpr std::size_t kWorkPhases = 4;  // every phase but kDone does work
const char* phase_name(Phase phase) noexcept;

// What the job knows at one moment: a copy of the counters the sort thread publishes.
struct Snapshot {
  Phase phase = Phase::kReading;
  bool input_done = false;  // the whole input has been read (the total is exact)
  double elapsed_seconds = 0;
  std::uint64_t input_bytes = 0;           // size of the input file; 0 when unknown (a pipe)
  std::uint64_t input_bytes_consumed = 0;  // compressed bytes read so far; 0 for SAM/CRAM
  std::uint64_t run_capacity_bytes = 0;    // record bytes one in-memory run holds; 0 unknown
  std::uint64_t merge_fan_in = 0;          // runs one merge can take; 0 unknown
  std::uint64_t records_read = 0;
  std::uint64_t records_written = 0;  // to the output (the final write only)
  std::uint64_t runs_spilled = 0;
  std::uint64_t merge_passes = 0;                       // intermediate merge passes begun
  std::uint64_t spill_planned_bytes = 0;                // record bytes of the spills begun
  std::uint64_t merge_planned_bytes = 0;                // record bytes of the merge passes begun
  std::array<std::uint64_t, kWorkPhases> done_bytes{};  // record bytes done, per phase
  std::array<double, kWorkPhases> phase_seconds{};      // time spent, per phase
};

// Cost of one record byte in each phase, in seconds (index: Phase).
using Costs = std::array<double, kWorkPhases>;

// The priors from config.hpp for an output compression level (samtools' scale, -1 = default)
// and worker thread count.
Costs prior_costs(int samtools_level, std::size_t threads) noexcept;

// The work still to do and its weight. `known` is false while the total cannot be estimated
// (reading a pipe, SAM or CRAM): then no fraction and no ETA are given, only rates.
struct Estimate {
  bool known = false;
  double fraction = 0;            // of the whole job's weighted work, 0..1
  double eta_seconds = 0;         // at the costs used for the weights
  double bytes_per_second = 0;    // record bytes per second in the current phase
  double records_per_second = 0;  // the same, in records of the mean size read so far
  double total_record_bytes = 0;  // estimated (exact once reading is done)
};

// Intermediate merge passes needed before `runs` runs fit one merge of `fan_in` (each pass
// merges groups of up to `fan_in` runs into one).
std::uint64_t merge_passes_for(std::uint64_t runs, std::uint64_t fan_in) noexcept;

// The job's progress: every phase's work (estimated from the input size while reading a file,
// refined as runs are spilled; merge passes predicted from the run count and the fan-in, each
// moving every spilled byte, or as begun when more) weighted by its cost per byte,
// measured once a phase has run kProgressMinMeasuredSeconds, else the prior scaled by how the
// measured phases compared with theirs. Result fraction is below 1 until phase is kDone.
Estimate estimate(const Snapshot& snapshot, const Costs& priors) noexcept;

// One line of at most `width` columns (plain ASCII). With `bar`, a [###---] bar is drawn when
// there is room. Fields are dropped, least useful first (bar, runs, records/s, counts, MB/s,
// ETA), until the line fits; it is cut at `width` as a last resort. `shown_fraction` is the
// fraction to print (the caller keeps it from decreasing).
std::string format_line(const Snapshot& snapshot, const Estimate& estimate, double shown_fraction,
                        std::size_t width, bool bar);

// The closing line: 100%, records, bytes, total time and the mean rates; fitted like above.
std::string format_final_line(const Snapshot& snapshot, std::size_t width, bool bar);

// "950", "12.3k", "1.23M", "4.56G".
std::string format_count(double count);
// "45 s", "3m05s", "2h04m".
std::string format_duration(double seconds);

}  // namespace samsort::progress
