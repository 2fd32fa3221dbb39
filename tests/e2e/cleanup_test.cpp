// No debris on success: after sorts that spill (and merge in several passes), the output's
// directory holds only the output, and a -T directory or prefix location is left empty.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "e2e_support.hpp"

namespace samsort::e2e {
namespace {

constexpr int64_t kRecords = 200'000;
constexpr uint64_t kSeed = 11;

std::vector<std::string> spilling_args() {
  return {"-@", "2", "-l", "1", "--debug-max-run-bytes", "1M", "--debug-max-fan-in", "8"};
}

// Runs a spilling sort with `extra` options into out_dir/out.bam and checks it spilled.
void sort_with_spills(const std::string& out_dir, const std::vector<std::string>& extra) {
  std::vector<std::string> args = spilling_args();
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), {"-o", out_dir + "/out.bam", generated_bam(kRecords, kSeed)});
  ProcessResult result = run_samsort(args);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  SortSummary summary = parse_summary(result.stderr_text);
  ASSERT_TRUE(summary.found) << result.stderr_text;
  ASSERT_GE(summary.runs, 2u) << result.stderr_text;
  ASSERT_GE(summary.merge_passes, 1u) << result.stderr_text;
}

TEST(NoDebris, OutputDirectoryHoldsOnlyTheOutput) {
  ScratchDir scratch;
  std::string out_dir = scratch.subdir("out");
  sort_with_spills(out_dir, {});
  EXPECT_EQ(list_directory(out_dir), std::vector<std::string>{"out.bam"});
}

TEST(NoDebris, TempDirectoryOptionLeftEmpty) {
  ScratchDir scratch;
  std::string out_dir = scratch.subdir("out");
  std::string temp_dir = scratch.subdir("temp");
  sort_with_spills(out_dir, {"-T", temp_dir});
  EXPECT_EQ(list_directory(out_dir), std::vector<std::string>{"out.bam"});
  EXPECT_TRUE(list_directory(temp_dir).empty()) << join_lines(list_directory(temp_dir));
}

TEST(NoDebris, TempPrefixOptionLeavesNothing) {
  ScratchDir scratch;
  std::string out_dir = scratch.subdir("out");
  std::string temp_dir = scratch.subdir("temp");
  sort_with_spills(out_dir, {"-T", temp_dir + "/prefix"});
  EXPECT_EQ(list_directory(out_dir), std::vector<std::string>{"out.bam"});
  EXPECT_TRUE(list_directory(temp_dir).empty()) << join_lines(list_directory(temp_dir));
}

// -T is really used for the spills: a prefix in a missing directory makes a spilling sort fail.
TEST(NoDebris, TempPrefixInMissingDirectoryFailsCleanly) {
  ScratchDir scratch;
  std::string out_dir = scratch.subdir("out");
  std::vector<std::string> args = spilling_args();
  args.insert(args.end(), {"-T", scratch.file("missing/prefix"), "-o", out_dir + "/out.bam",
                           generated_bam(kRecords, kSeed)});
  ProcessResult result = run_samsort(args);
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_EQ(result.stderr_text.rfind("samsort: error: ", 0), 0u) << result.stderr_text;
  EXPECT_TRUE(list_directory(out_dir).empty()) << join_lines(list_directory(out_dir));
}

}  // namespace
}  // namespace samsort::e2e
