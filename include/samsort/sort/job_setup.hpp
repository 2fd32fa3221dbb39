// JobSetup: what every order's sort pipeline starts from (the budget, the destination, the
// temporary directories, the open input and its header), set up once before the order is
// known: the order may need the header (template-coordinate keys do).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "samsort/bam/bam_header.hpp"
#include "samsort/cli/options.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/dist/plan.hpp"
#include "samsort/io/output_file.hpp"
#include "samsort/io/record_sink.hpp"
#include "samsort/io/record_source.hpp"
#include "samsort/merge/temp_dir.hpp"

namespace samsort {

// The size of a regular input file; 0 for standard input, pipes and anything unknown.
std::uint64_t input_file_bytes(const std::string& path);

struct JobSetup {
  // In this order, so that what cannot work fails before any input is read: the output path,
  // the -T directories, then the input. `slice` is empty for a whole-file sort.
  JobSetup(const SortOptions& options, const PlanSlice& slice);

  // One private directory per -T, all created now, after removing what dead samsort processes
  // left there. Without -T the default place is only cleaned now: its directory is made at the
  // first spill (SortJob::run_store), so a sort that fits in memory never needs it (samtools
  // does not need $TMPDIR either).
  // `neighbour` stands for the output in choosing the default place (OutputFile::neighbour_path:
  // "-" for stdout, devices and in-place outputs, whose directory may be /dev or read-only).
  static std::vector<std::unique_ptr<TempDir>> make_temp_dirs(const SortOptions& options,
                                                              const std::string& neighbour);
  // How the input is opened for these options.
  static InputSettings input_settings(const SortOptions& options, std::size_t threads,
                                      const PlanSlice& slice);

  std::size_t threads;
  MemoryBudget budget;
  OutputFile output;
  Reservation small_objects;
  std::vector<std::unique_ptr<TempDir>> temp_dirs;
  std::unique_ptr<RecordSource> source;
};

}  // namespace samsort
