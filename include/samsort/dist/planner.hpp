// make_plan: `samsort plan`, the first step of a distributed sort. Cuts a BAM file into M
// slices at BGZF blocks (each slice starting at a record found by io/bam_split's guesser) and
// picks K-1 splitters from a sample of the records' keys so that the K ranges hold about as
// many records each (the range-partitioned sort of Spark and Disq). A SAM or CRAM input, or a
// BAM file small enough to read whole, is sampled by reading every record; SAM and CRAM are one
// slice (the others left empty). The result goes to dist/plan.hpp's file.
#pragma once
#include <cstddef>
#include <string>

#include "samsort/dist/plan.hpp"

namespace samsort {

struct PlanOptions {
  std::string input_path;
  std::string plan_path;
  SortOrder order = SortOrder::kCoordinate;
  std::string sort_tag;
  std::size_t slices = 1;  // M
  std::size_t shards = 1;  // K
  std::size_t memory_bytes = 0;
  std::size_t threads = 1;
  bool debug_sample_blocks = false;  // hidden: sample at blocks even when the file is small
};

struct PlanSummary {
  std::size_t samples = 0;
  std::size_t empty_slices = 0;
  std::size_t distinct_splitters = 0;
  bool read_whole = false;  // sampled by reading every record
};

// Throws the typed errors of errors.hpp.
PlanSummary make_plan(const PlanOptions& options);

}  // namespace samsort
