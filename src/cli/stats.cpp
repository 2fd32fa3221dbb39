// JSON rendering of a SortSummary into the --stats file.
#include "samsort/cli/stats.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>

#include "samsort/core/allocator.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/io/file_io.hpp"
#include "samsort/order/order_names.hpp"
#include "samsort/version.hpp"

namespace samsort {

namespace {
struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};
struct FreeText {
  void operator()(char* text) const noexcept { std::free(text); }
};
}  // namespace

StatsFile::StatsFile(const std::string& path, const SortOptions& options)
    : options_(options), file_(path) {
  if (file_.is_stdout() && options.output_path == "-") {
    throw UsageError("--stats and the output cannot both go to standard output");
  }
}

void StatsFile::write(const SortSummary& summary) {
  const SortOptions& options = options_;
  const char* order = order_names(options.order).name.data();  // a NUL-terminated literal
  std::string temp_codec = options.temp_codec.format == BlockFormat::kZstd
                               ? "zstd-" + std::to_string(options.temp_codec.level)
                               : "none";
  char* text = nullptr;
  std::size_t text_bytes = 0;
  std::unique_ptr<std::FILE, FileCloser> stream(open_memstream(&text, &text_bytes));
  if (!stream) throw std::bad_alloc();
  std::fprintf(stream.get(),
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
               "  \"merge_ranges\": %llu,\n"
               "  \"merge_threads\": %llu,\n"
               "  \"bytes_spilled\": %llu,\n"
               "  \"temp_bytes_read\": %llu,\n"
               "  \"temp_peak_bytes\": %llu,\n"
               "  \"temp_compression\": \"%s\",\n"
               "  \"output_bytes\": %llu,\n"
               "  \"budget_bytes\": %zu,\n"
               "  \"accounted_peak_bytes\": %zu,\n"
               "  \"peak_rss_bytes\": %zu,\n"
               "  \"wall_seconds\": %.3f,\n"
               "  \"phase_seconds\": {\"read\": %.3f, \"sort\": %.3f, \"spill\": %.3f, "
               "\"merge_write\": %.3f},\n"
               "  \"wait_seconds\": {\"reader_for_spill\": %.3f, "
               "\"merge_for_run_blocks\": %.3f}\n"
               "}\n",
               kVersion, order, options.sort_tag.c_str(), options.threads, allocator::live_name(),
               static_cast<unsigned long long>(summary.records),
               static_cast<unsigned long long>(summary.records),
               static_cast<unsigned long long>(summary.checksum),
               static_cast<unsigned long long>(summary.runs),
               static_cast<unsigned long long>(summary.merge_passes),
               static_cast<unsigned long long>(summary.merge_ranges),
               static_cast<unsigned long long>(summary.merge_workers),
               static_cast<unsigned long long>(summary.spilled_bytes),
               static_cast<unsigned long long>(summary.temp_read_bytes),
               static_cast<unsigned long long>(summary.temp_peak_bytes), temp_codec.c_str(),
               static_cast<unsigned long long>(summary.output_bytes), summary.budget_bytes,
               summary.accounted_peak_bytes, peak_rss_bytes(), summary.seconds,
               summary.read_seconds, summary.sort_seconds, summary.spill_seconds,
               summary.merge_seconds, summary.reader_wait_seconds, summary.merge_wait_seconds);
  stream.reset();  // flushes; `text` then holds the JSON
  std::unique_ptr<char, FreeText> owned(text);
  if (owned == nullptr) throw std::bad_alloc();
  write_fully(file_.fd(), owned.get(), text_bytes, file_.path());
  file_.finish();
}

void StatsFile::commit() { file_.commit(); }

}  // namespace samsort
