// The sort pipeline's setup: budget, output, temporary directories, input (job_setup.hpp).
#include "samsort/sort/job_setup.hpp"

#include <sys/stat.h>

#include <algorithm>

#include "samsort/core/config.hpp"
#include "samsort/io/cram_memory.hpp"
#include "samsort/io/output_format.hpp"

namespace samsort {

std::uint64_t input_file_bytes(const std::string& path) {
  struct stat info {};
  if (path != "-" && stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
    return static_cast<std::uint64_t>(info.st_size);
  }
  return 0;
}

JobSetup::JobSetup(const SortOptions& options, const PlanSlice& slice)
    : threads(std::max<std::size_t>(1, options.threads)),
      budget(std::max(options.memory_bytes, config::kSmallBudgetFloorBytes)),
      output(options.output_path),  // first: an unwritable output fails before any reading
      small_objects(budget.reserve(config::kSmallObjectReserveBytes, "small objects")),
      // The -T directories before the input: an unusable -T fails before reading.
      temp_dirs(make_temp_dirs(options, output.neighbour_path())),
      source(open_record_source(input_settings(options, threads, slice), budget)) {}

std::vector<std::unique_ptr<TempDir>> JobSetup::make_temp_dirs(const SortOptions& options,
                                                               const std::string& neighbour) {
  std::vector<std::unique_ptr<TempDir>> dirs;
  if (options.tmp_options.empty()) remove_stale_temp_dirs("", neighbour);
  for (const std::string& tmp_option : options.tmp_options) {
    remove_stale_temp_dirs(tmp_option, neighbour);
    dirs.push_back(std::make_unique<TempDir>(tmp_option, neighbour));
  }
  return dirs;
}

InputSettings JobSetup::input_settings(const SortOptions& options, std::size_t threads,
                                       const PlanSlice& slice) {
  InputSettings settings;
  if (!slice.empty()) {
    settings.slice_begin = slice.begin;
    settings.slice_end = slice.end;
  }
  settings.path = options.input_path;
  settings.reference = options.reference;
  settings.options = options.input_format_options;
  settings.threads = threads;
  settings.wide_records_allowed =
      output_holds_large_positions(options.output_format, options.output_format_options);
  return settings;
}

}  // namespace samsort
