// --stats FILE: the run's figures as one JSON object (phase wall times, records, runs, merge
// passes, bytes spilled, budget, accounted and measured peak memory).
#pragma once
#include <string>

#include "samsort/cli/options.hpp"
#include "samsort/sort/sort_job.hpp"

namespace samsort {

// Writes the JSON to `path` ("-" = stdout is refused by the caller). Throws IoError.
void write_stats_json(const std::string& path, const SortOptions& options,
                      const SortSummary& summary);

}  // namespace samsort
