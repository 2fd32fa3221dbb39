// JSON rendering of a SortSummary.
#include "samsort/cli/stats.hpp"

#include <cerrno>
#include <cstdio>
#include <memory>

#include "samsort/core/allocator.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/version.hpp"

namespace samsort {

namespace {
const char* order_name(SortOrder order) {
  switch (order) {
    case SortOrder::kCoordinate:
      return "coordinate";
    case SortOrder::kQueryName:
      return "queryname";
    case SortOrder::kQueryNameLex:
      return "queryname-lex";
    case SortOrder::kTemplateCoordinate:
      return "template-coordinate";
  }
  return "unknown";
}

struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};
}  // namespace

void write_stats_json(const std::string& path, const SortOptions& options,
                      const SortSummary& summary) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "w"));
  if (!file) throw IoError(path, "cannot write stats", errno);
  std::fprintf(file.get(),
               "{\n"
               "  \"version\": \"%s\",\n"
               "  \"order\": \"%s\",\n"
               "  \"tag\": \"%s\",\n"
               "  \"threads\": %zu,\n"
               "  \"allocator\": \"%s\",\n"
               "  \"records_in\": %llu,\n"
               "  \"records_out\": %llu,\n"
               "  \"record_checksum\": \"%016llx\",\n"
               "  \"runs_spilled\": %llu,\n"
               "  \"merge_passes\": %llu,\n"
               "  \"bytes_spilled\": %llu,\n"
               "  \"output_bytes\": %llu,\n"
               "  \"budget_bytes\": %zu,\n"
               "  \"accounted_peak_bytes\": %zu,\n"
               "  \"peak_rss_bytes\": %zu,\n"
               "  \"wall_seconds\": %.3f,\n"
               "  \"phase_seconds\": {\"read\": %.3f, \"sort\": %.3f, \"spill\": %.3f, "
               "\"merge_write\": %.3f}\n"
               "}\n",
               kVersion, order_name(options.order), options.sort_tag.c_str(), options.threads,
               allocator::live_name(), static_cast<unsigned long long>(summary.records),
               static_cast<unsigned long long>(summary.records),
               static_cast<unsigned long long>(summary.checksum),
               static_cast<unsigned long long>(summary.runs),
               static_cast<unsigned long long>(summary.merge_passes),
               static_cast<unsigned long long>(summary.spilled_bytes),
               static_cast<unsigned long long>(summary.output_bytes), summary.budget_bytes,
               summary.accounted_peak_bytes, peak_rss_bytes(), summary.seconds,
               summary.read_seconds, summary.sort_seconds, summary.spill_seconds,
               summary.merge_seconds);
  if (std::ferror(file.get()) != 0) throw IoError(path, "cannot write stats", errno);
}

}  // namespace samsort
