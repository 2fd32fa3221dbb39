// SortPlan: what `samsort plan` decides for a distributed sort (dist/planner.hpp) and every
// later step reads: the input (its size and modification time, so a changed input is refused),
// the order, the M slices of the input and the K-1 splitters that cut the key space into K
// ranges. Saved as a small text file, written atomically.
//
// Slice i holds the records from virtual offset begin up to end, the next slice's begin
// (0 = the end of the file); begin 0 = the first record after the header; begin == end != 0
// = an empty slice. A splitter is a record (its BAM bytes, in hex): range k holds the records
// whose key is at or after splitter k - 1 and before splitter k (dist/range_cut.hpp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "samsort/order/order_names.hpp"

namespace samsort {

struct PlanSlice {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  bool empty() const noexcept { return begin != 0 && begin == end; }
};

struct SortPlan {
  std::string input_path;
  std::uint64_t input_bytes = 0;
  std::int64_t input_mtime_ns = 0;
  SortOrder order = SortOrder::kCoordinate;
  std::string sort_tag;  // -t TAG[,TAG...]; "" = none
  std::vector<PlanSlice> slices;
  std::size_t shards = 1;                            // K
  std::vector<std::vector<std::uint8_t>> splitters;  // K - 1 records in key order (fewer
                                                     // only for an input without records)
};

// Writes `plan` to `path` atomically (OutputFile). Throws IoError.
void save_plan(const SortPlan& plan, const std::string& path);
// Reads a plan. Throws Error for a file that is not a samsort plan or is damaged, IoError
// when it cannot be read.
SortPlan load_plan(const std::string& path);
// Throws Error when the plan's input is not the file planned (size or time changed).
void check_plan_input(const SortPlan& plan);

// Size and modification time (ns) of a file. Throws IoError.
void file_identity(const std::string& path, std::uint64_t* bytes, std::int64_t* mtime_ns);

}  // namespace samsort
