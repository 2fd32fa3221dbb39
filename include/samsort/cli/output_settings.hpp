// How a sort's or a merge's output is written, from their shared options: format, level,
// reference and htslib options, threads, the index (coordinate-sorted output only, as
// samtools), the .md5 file, the SAM record share and the CRAM encoder's threads sized from the
// budget.
#pragma once
#include <cstddef>

#include "samsort/cli/options.hpp"
#include "samsort/io/record_sink.hpp"

namespace samsort {

class BamHeader;
class MemoryBudget;

// `coordinate_sorted`: the records come in coordinate order (an index may be written, CRAM
// uses the reference that way). htslib's CRAM encoder gets as many of `threads` as the budget
// holds beside its per-thread buffers (io/cram_memory.hpp).
OutputSettings output_settings_for(const SortOptions& options, std::size_t threads,
                                   const MemoryBudget& budget, bool coordinate_sorted,
                                   const BamHeader& header);

}  // namespace samsort
