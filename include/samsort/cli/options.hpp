// Command-line options of `samsort sort`, parsed with Boost.Program_options in samtools'
// spelling. Parsing throws UsageError; nothing here touches files.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "samsort/core/config.hpp"
#include "samsort/core/memory_limit.hpp"
#include "samsort/dist/gather.hpp"
#include "samsort/dist/planner.hpp"
#include "samsort/io/block_codec.hpp"
#include "samsort/io/output_format.hpp"
#include "samsort/order/minimiser_key.hpp"
#include "samsort/order/order_names.hpp"

namespace samsort {

// Where the budget came from: the default (768M x threads, lowered to fit a memory limit),
// --max-memory or -m, or --max-memory auto (sized from the limit or the available memory).
enum class BudgetSource { kDefault, kGiven, kAuto };

struct SortOptions {
  std::string input_path = "-";
  std::string output_path = "-";
  std::size_t threads = 1;       // worker threads (samtools -@; 0 behaves as 1)
  std::size_t memory_bytes = 0;  // the total budget B
  BudgetSource budget_source = BudgetSource::kDefault;
  std::vector<std::string> tmp_options;  // every -T, in order: spill moves on when one is full
  int samtools_level = -1;               // -l on samtools' 0-9 scale, -1 = default
  BlockCodec temp_codec{BlockFormat::kZstd, config::kSpillZstdLevel};  // --temp-compression
  SortOrder order = SortOrder::kCoordinate;
  std::string sort_tag;                // -t TAG: primary key, the order above secondary
  MinimiserSettings minimiser;         // -K, -R, -H (minimiser order)
  std::string minimiser_reference;     // -I FASTA: order minimisers by reference position
  int minimiser_window = 100;          // -w: the -I index's window
  bool minimiser_group_names = false;  // --minimiser-group-names: one key per read name
  GroupKeyRule minimiser_group_key = GroupKeyRule::kSmallest;  // hidden --debug-group-key
  bool write_program_line = true;                              // false with --no-PG
  bool write_md5 = false;               // --write-md5: OUT.md5 beside the output
  std::size_t debug_max_run_bytes = 0;  // hidden: cap the arena to force many small runs
  std::size_t debug_max_fan_in = 0;     // hidden: cap the merge fan-in to force extra passes
  std::size_t debug_range_bytes = 0;    // hidden: record bytes per range of a parallel merge
  bool debug_one_thread_merge = false;  // hidden: the final merge on one thread
  int debug_progress_interval_ms = 0;   // hidden: progress drawn this often (tests), 0 = config
  bool quiet = false;                   // --verbosity 0..2: no summary line
  std::string stats_path;               // --stats FILE: JSON figures of the run
  bool progress = false;                // --progress: draw progress even when not a TTY
  std::string command_line;             // for the @PG CL field
  std::string reference;                // --reference FASTA (CRAM in and out)
  std::vector<std::string> input_format_options;    // --input-fmt-option key=value
  OutputFormat output_format = OutputFormat::kBam;  // -O, else from -o's extension
  std::vector<std::string> output_format_options;   // -O FMT,key=value / --output-fmt-option
  std::string index_path;                           // --write-index: "" = none
  bool index_csi = true;                            // BAI when the ##idx## name ends in .bai
  // `samsort sort-slice`: the plan (dist/plan.hpp) whose slice `slice_index` is sorted into
  // one BAM part per key range, the output path being the slice's manifest.
  std::string plan_path;
  std::size_t slice_index = 0;
};

// `samsort verify` options.
struct VerifyOptions {
  std::string input_path = "-";
  SortOrder order = SortOrder::kCoordinate;
  std::string sort_tag;
  MinimiserSettings minimiser;         // -K, -R, -H for the minimiser order
  bool minimiser_group_names = false;  // --minimiser-group-names: check the grouped order
  std::string reference;
  std::size_t threads = 1;
};

// `samsort merge` options: the output, budget, threads and order fields of a sort, plus what
// only a merge has (samtools merge's -f, -r, -c, -p, -s, -h).
struct MergeOptions {
  SortOptions common;                // output, format, level, threads, budget, order, -T, ...
  std::vector<std::string> inputs;   // in order (ties between inputs go to the earlier one)
  bool force = false;                // -f: overwrite an existing output file
  bool attach_read_group = false;    // -r
  bool combine_read_groups = false;  // -c
  bool combine_programs = false;     // -p
  std::optional<long> seed;          // -s
  std::string header_file;           // -h FILE
  // -R REGION / -L BED: only the records overlapping the region(s), read through each
  // input's index; -X: the index files, one per input in the inputs' order ("" = beside it).
  std::string region;
  std::string bed_path;
  std::vector<std::string> index_paths;
  // `samsort merge-range`: the output is one range's records alone (no header, no EOF
  // marker: dist/gather puts the file together), with its manifest at manifest_path.
  bool records_only = false;
  std::string plan_path;  // the plan supplies the order and the range count
  std::string manifest_path;
  std::size_t range_index = 0;
  std::size_t shards = 0;
};

// What the command line asks for. The distributed sort's steps: plan (kPlan), sort-slice
// (kSort with sort.plan_path), merge-range (kMerge with merge.records_only), gather (kGather).
struct ParsedCommand {
  enum class Kind { kSort, kVerify, kMerge, kPlan, kGather, kHelp, kVersion } kind = Kind::kSort;
  SortOptions sort;
  VerifyOptions verify;
  MergeOptions merge;
  PlanOptions plan;
  GatherOptions gather;
  std::string help_text;
};

// Parses argv (argv[0] is the program). Throws UsageError on any problem.
ParsedCommand parse_command_line(int argc, const char* const* argv);
// `samsort merge ...` (argv[1] is "merge"), in cli/merge_options.cpp.
ParsedCommand parse_merge(int argc, const char* const* argv);
// The distributed sort's steps (argv[1] is "plan", "sort-slice", "merge-range" or "gather"),
// in cli/dist_options.cpp.
ParsedCommand parse_distributed_step(int argc, const char* const* argv);

// Fits sort.memory_bytes to the memory the process really has (read once at start by
// probe_memory_environment()). Default budget above the tightest limit: lowered to
// budget_fitting() that limit. --max-memory auto: sized from the tightest limit, else from
// config::kAutoAvailableShare of the available memory, else the default. A given budget above
// a limit is kept. Returns the warning to print (without "samsort: warning: "), or nullopt.
std::optional<std::string> fit_budget_to_memory(SortOptions& sort,
                                                const MemoryEnvironment& environment);

// The tags of -t: "CB" or "CB,UB,..." split at the commas. Throws UsageError unless every
// entry is exactly two characters (no empty entries). Thread-safe.
std::vector<std::string> parse_sort_tags(const std::string& text);

// Parses a size: an integer with an optional K/M/G or KiB/MiB/GiB suffix (binary units).
// Throws UsageError naming `option` for anything else ("1.5G", "10X", "").
std::size_t parse_size(const std::string& text, const char* option);

}  // namespace samsort
