// Output settings from a sort's or a merge's options.
#include "samsort/cli/output_settings.hpp"

#include <algorithm>

#include "samsort/core/config.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/io/cram_memory.hpp"
#include "samsort/io/output_format.hpp"

namespace samsort {

OutputSettings output_settings_for(const SortOptions& options, std::size_t threads,
                                   const MemoryBudget& budget, bool coordinate_sorted,
                                   const BamHeader& header) {
  OutputSettings settings;
  settings.format = options.output_format;
  settings.samtools_level = options.samtools_level;
  settings.reference = options.reference;
  settings.options = options.output_format_options;
  settings.threads = threads;
  settings.coordinate_sorted = coordinate_sorted;
  settings.write_md5 = options.write_md5;
  if (settings.format == OutputFormat::kSam) {
    settings.sam_record_bytes =
        std::max(config::kSamRecordMinBytes, budget.total_bytes() / config::kSamRecordBudgetShare);
  }
  if (settings.format == OutputFormat::kCram) {  // htslib's encoder: as many as fit
    settings.threads = codec_threads(kCramEncoderMemory, threads, budget.total_bytes(),
                                     output_cram_reference(settings, header));
  }
  if (coordinate_sorted) {  // samtools indexes coordinate-sorted output only
    settings.index_path = options.index_path;
    settings.index_csi = options.index_csi;
  }
  return settings;
}

}  // namespace samsort
