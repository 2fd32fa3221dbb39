// run_merge: `samsort merge`, end to end: open every input, merge their headers as samtools
// merge does (merge/header_merge), translate and check each input's records (merge_input),
// k-way merge them with the loser tree (ties to the earlier input, then file order) and write
// the output through the sort's sinks (BAM/SAM/CRAM, index, MD5), committed atomically.
#pragma once
#include <cstddef>
#include <cstdint>

#include "samsort/cli/options.hpp"

namespace samsort {

struct MergeSummary {
  std::uint64_t records = 0;
  std::size_t inputs = 0;
  std::size_t runs = 0;        // temporary runs of a first pass (inputs beyond one merge's fan-in)
  std::uint64_t checksum = 0;  // RecordChecksum of the records written
  std::uint64_t output_bytes = 0;  // bytes written
  std::size_t budget_bytes = 0;
  std::size_t accounted_peak_bytes = 0;
  double seconds = 0;
  bool output_in_place = false;
};

// Throws the typed errors of errors.hpp; nothing is left at the destination on a throw.
MergeSummary run_merge(const MergeOptions& options);

}  // namespace samsort
