// How much is spilled, read back from --stats: the early spill keeps the tail of a file input
// in memory (only the part that cannot fit is written), a pipe (size unknown) spills full runs,
// and the stats JSON carries the figures the README documents.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "e2e_support.hpp"

namespace samsort::e2e {
namespace {

// ~334 uncompressed bytes per record: ~67 MB, about 1.45 arenas of 48 MiB with sort entries.
constexpr int64_t kRecords = 200'000;
constexpr uint64_t kSeed = 31;
const std::string kRunBytes = "48M";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The number after "key": in the stats JSON; -1 when absent.
double stats_number(const std::string& json, const std::string& key) {
  std::smatch match;
  std::regex pattern("\"" + key + "\": ([0-9.]+)");
  if (!std::regex_search(json, match, pattern)) return -1;
  return std::stod(match[1]);
}

// The run bytes read back once by the final merge: exactly those spilled on one thread; on
// several (merge_ranges > 1) each key range's readers start at a sample before the range, so a
// little more (at most a quarter more: config::kRangeMaxSkipShare).
void expect_read_back_once(const std::string& json, double spilled) {
  double read = stats_number(json, "temp_bytes_read");
  if (stats_number(json, "merge_ranges") == 1) {
    EXPECT_EQ(read, spilled) << json;
  } else {
    EXPECT_GE(read, spilled) << json;
    EXPECT_LE(read, 1.25 * spilled) << json;
  }
}

struct SpillFigures {
  double runs_spilled;
  double bytes_spilled;
  std::string json;
};

// Runs stored (--temp-compression none, unless `temp_compression` says otherwise), so that the
// spilled bytes are the record bytes the plan chose to spill.
SpillFigures sort_with_stats(const ScratchDir& scratch, bool through_pipe,
                             const std::string& temp_compression = "none") {
  std::string input = generated_bam(kRecords, kSeed);
  std::string name = (through_pipe ? "pipe-" : "file-") + temp_compression;
  std::string stats = scratch.file(name + ".json");
  std::string output = scratch.file(name + ".bam");
  ProcessOptions options;
  std::vector<std::string> args{"-@",
                                "2",
                                "--debug-max-run-bytes",
                                kRunBytes,
                                "--temp-compression",
                                temp_compression,
                                "-T",
                                scratch.path(),
                                "--stats",
                                stats,
                                "-o",
                                output};
  if (through_pipe) {
    options.stdin_path = input;
    args.push_back("-");
  } else {
    args.push_back(input);
  }
  ProcessResult result = run_samsort(args, options);
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(same_records_in_order(samtools_reference(input), output));
  std::string json = read_file(stats);
  return {stats_number(json, "runs_spilled"), stats_number(json, "bytes_spilled"), json};
}

TEST(SpillPlan, FileInputSpillsOnlyWhatCannotStayInMemory) {
  ScratchDir scratch;
  double uncompressed = static_cast<double>(uncompressed_bytes(generated_bam(kRecords, kSeed)));
  SpillFigures figures = sort_with_stats(scratch, false);
  EXPECT_EQ(figures.runs_spilled, 1) << figures.json;
  // Without the early spill a full 48 MiB arena (~0.68 of the input) would be written.
  EXPECT_GT(figures.bytes_spilled, 0.2 * uncompressed) << figures.json;
  EXPECT_LT(figures.bytes_spilled, 0.5 * uncompressed) << figures.json;
}

TEST(SpillPlan, PipedInputOfUnknownSizeSpillsFullRuns) {
  ScratchDir scratch;
  double uncompressed = static_cast<double>(uncompressed_bytes(generated_bam(kRecords, kSeed)));
  SpillFigures figures = sort_with_stats(scratch, true);
  EXPECT_EQ(figures.runs_spilled, 1) << figures.json;
  EXPECT_GT(figures.bytes_spilled, 0.6 * uncompressed) << figures.json;
}

TEST(SpillPlan, StatsJsonCarriesTheDocumentedFigures) {
  ScratchDir scratch;
  SpillFigures figures = sort_with_stats(scratch, false);
  const std::string& json = figures.json;
  EXPECT_EQ(stats_number(json, "records_in"), kRecords) << json;
  EXPECT_EQ(stats_number(json, "records_out"), kRecords) << json;
  EXPECT_TRUE(std::regex_search(json, std::regex("\"record_checksum\": \"[0-9a-f]{16}\""))) << json;
  EXPECT_EQ(stats_number(json, "merge_passes"), 0) << json;
  EXPECT_GT(stats_number(json, "peak_rss_bytes"), 0) << json;
  EXPECT_GT(stats_number(json, "output_bytes"), 0) << json;
  for (const char* phase :
       {"read", "sort", "spill", "merge_write", "reader_for_spill", "merge_for_run_blocks"}) {
    EXPECT_GE(stats_number(json, phase), 0) << phase << " missing in " << json;
  }
  // One run, no pass: all of it on disk at once, and read back once.
  EXPECT_EQ(stats_number(json, "temp_peak_bytes"), figures.bytes_spilled) << json;
  expect_read_back_once(json, figures.bytes_spilled);
  EXPECT_GE(stats_number(json, "merge_ranges"), 1) << json;
  EXPECT_GE(stats_number(json, "merge_threads"), 1) << json;
  EXPECT_TRUE(contains(json, "\"temp_compression\": \"none\"")) << json;
}

// The default zstd runs: the same plan and output (checked against samtools in
// sort_with_stats) in well under half the bytes of stored runs.
TEST(SpillPlan, CompressedRunsTakeAFractionOfStoredOnes) {
  ScratchDir scratch;
  SpillFigures stored = sort_with_stats(scratch, false, "none");
  SpillFigures compressed = sort_with_stats(scratch, false, "1");
  EXPECT_EQ(compressed.runs_spilled, stored.runs_spilled);
  EXPECT_GT(compressed.bytes_spilled, 0) << compressed.json;
  EXPECT_LT(compressed.bytes_spilled, 0.5 * stored.bytes_spilled) << compressed.json;
  EXPECT_TRUE(contains(compressed.json, "\"temp_compression\": \"zstd-1\"")) << compressed.json;
  expect_read_back_once(compressed.json, compressed.bytes_spilled);
}

// Intermediate merge passes write runs again: the bytes written exceed the peak on disk, and
// every byte written is read back.
TEST(SpillPlan, MergePassesWriteMoreThanThePeakOnDisk) {
  ScratchDir scratch;
  std::string input = generated_bam(kRecords, kSeed);
  std::string stats = scratch.file("passes.json");
  std::string output = scratch.file("passes.bam");
  ProcessResult result =
      run_samsort({"-@", "2", "--debug-max-run-bytes", "4M", "--debug-max-fan-in", "2", "-T",
                   scratch.path(), "--stats", stats, "-o", output, input});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(same_records_in_order(samtools_reference(input), output));
  std::string json = read_file(stats);
  double written = stats_number(json, "bytes_spilled");
  EXPECT_GT(stats_number(json, "merge_passes"), 0) << json;
  EXPECT_GT(stats_number(json, "temp_peak_bytes"), 0) << json;
  EXPECT_LT(stats_number(json, "temp_peak_bytes"), written) << json;
  expect_read_back_once(json, written);
}

}  // namespace
}  // namespace samsort::e2e
