// --stats FILE: the run's figures as one JSON object (phase wall times, records, runs, merge
// passes, bytes spilled, budget, accounted and measured peak memory), written as a companion of
// the output.
#pragma once
#include <string>

#include "samsort/cli/options.hpp"
#include "samsort/io/output_file.hpp"
#include "samsort/sort/sort_job.hpp"

namespace samsort {

// The --stats file, committed together with the output (both or neither): created under a
// temporary name at construction, so an unusable path fails before any input is read. "-" is
// standard output.
class StatsFile final : public OutputCompanion {
 public:
  // Throws UsageError ("") or IoError. `options` must outlive the object.
  StatsFile(const std::string& path, const SortOptions& options);
  // Writes the JSON to the temporary file and closes it. Throws IoError.
  void write(const SortSummary& summary) override;
  // Renames it into place. Throws IoError.
  void commit() override;

 private:
  const SortOptions& options_;
  OutputFile file_;
};

}  // namespace samsort
