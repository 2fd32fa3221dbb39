// Error handling: runtime errors exit 1 and usage errors exit 2 with one "samsort: error:" line,
// and a failed sort leaves neither an output file nor temporary files behind.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "e2e_support.hpp"

namespace samsort::e2e {
namespace {

constexpr int kRuntimeError = 1;
constexpr int kUsageError = 2;
constexpr int64_t kRecords = 200'000;
constexpr uint64_t kSeed = 11;
constexpr double kTruncatedFraction = 0.6;

void write_file(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary);
  file << text;
}

TEST(RuntimeErrors, MissingInputFile) {
  ScratchDir scratch;
  std::string out_dir = scratch.subdir("out");
  std::string output = out_dir + "/out.bam";
  std::string missing = scratch.file("no-such-input.bam");
  ProcessResult result = run_samsort({"-o", output, missing});
  EXPECT_EQ(result.exit_code, kRuntimeError) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text));
  EXPECT_NE(result.stderr_text.find("no-such-input.bam"), std::string::npos) << result.stderr_text;
  EXPECT_FALSE(path_exists(output));
  EXPECT_TRUE(list_directory(out_dir).empty()) << join_lines(list_directory(out_dir));
}

TEST(RuntimeErrors, TextFileIsNotBam) {
  ScratchDir scratch;
  std::string input = scratch.file("notes.txt");
  write_file(input, "this is not a BAM file\njust some text\n");
  std::string out_dir = scratch.subdir("out");
  std::string output = out_dir + "/out.bam";
  ProcessResult result = run_samsort({"-o", output, input});
  EXPECT_EQ(result.exit_code, kRuntimeError) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text));
  EXPECT_TRUE(list_directory(out_dir).empty()) << join_lines(list_directory(out_dir));
}

TEST(RuntimeErrors, EmptyInput) {
  ScratchDir scratch;
  std::string input = scratch.file("empty.bam");
  write_file(input, "");
  std::string out_dir = scratch.subdir("out");
  ProcessResult result = run_samsort({"-o", out_dir + "/out.bam", input});
  EXPECT_EQ(result.exit_code, kRuntimeError) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text));
  EXPECT_TRUE(list_directory(out_dir).empty()) << join_lines(list_directory(out_dir));
}

// The cut comes after hundreds of runs were spilled, so cleanup of the temporary directory and
// of the temporary output is exercised too.
TEST(RuntimeErrors, TruncatedBamLeavesNothingBehind) {
  ScratchDir scratch;
  std::string source = generated_bam(kRecords, kSeed);
  std::string input = scratch.file("truncated.bam");
  copy_prefix(source, input, static_cast<uint64_t>(file_size(source) * kTruncatedFraction));
  std::string out_dir = scratch.subdir("out");
  std::string output = out_dir + "/out.bam";
  ProcessResult result =
      run_samsort({"-@", "2", "-l", "1", "--debug-max-run-bytes", "256K", "-o", output, input});
  EXPECT_EQ(result.exit_code, kRuntimeError) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text));
  EXPECT_FALSE(path_exists(output));
  EXPECT_TRUE(list_directory(out_dir).empty()) << join_lines(list_directory(out_dir));
}

// Root ignores directory permissions; then /proc stands in (no file can be created there).
std::string unwritable_directory(const ScratchDir& scratch) {
  std::string dir = scratch.subdir("readonly");
  chmod(dir.c_str(), 0555);
  std::string probe = dir + "/probe";
  int fd = open(probe.c_str(), O_CREAT | O_WRONLY, 0644);
  if (fd < 0) return dir;
  close(fd);
  unlink(probe.c_str());
  return "/proc";
}

TEST(RuntimeErrors, UnwritableOutputDirectoryFailsBeforeReadingInput) {
  ScratchDir scratch;
  std::string output = unwritable_directory(scratch) + "/samsort-e2e-out.bam";
  // Input on stdin through a descriptor shared with the child: its offset shows any read.
  int input_fd = open(generated_bam(kRecords, kSeed).c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(input_fd, 0);
  ProcessOptions options;
  options.stdin_fd = input_fd;
  ProcessResult result = run_samsort({"-o", output, "-"}, options);
  off_t consumed = lseek(input_fd, 0, SEEK_CUR);
  close(input_fd);
  EXPECT_EQ(result.exit_code, kRuntimeError) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text));
  EXPECT_NE(result.stderr_text.find(output), std::string::npos) << result.stderr_text;
  EXPECT_EQ(consumed, 0) << "samsort read input before finding the output unwritable";
  EXPECT_FALSE(path_exists(output));
}

struct UsageCase {
  std::string name;
  std::vector<std::string> args;
};

// Readable parameter values in test names and failure messages.
void PrintTo(const UsageCase& usage_case, std::ostream* out) { *out << usage_case.name; }

class UsageErrorTest : public ::testing::TestWithParam<UsageCase> {};

TEST_P(UsageErrorTest, ExitsTwoWithOneErrorLine) {
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  std::vector<std::string> args = GetParam().args;
  args.insert(args.end(), {"-o", output, generated_bam(kRecords, kSeed)});
  ProcessResult result = run_samsort(args);
  EXPECT_EQ(result.exit_code, kUsageError) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text));
  EXPECT_TRUE(list_directory(scratch.path()).empty()) << join_lines(list_directory(scratch.path()));
}

INSTANTIATE_TEST_SUITE_P(
    BadOptions, UsageErrorTest,
    ::testing::Values(UsageCase{"UnknownOption", {"--bogus"}},
                      UsageCase{"FractionalPerThreadMemory", {"-m", "1.5G"}},
                      UsageCase{"LevelTooHigh", {"-l", "10"}},
                      UsageCase{"MaxMemoryNotASize", {"--max-memory", "lots"}},
                      UsageCase{"MaxMemoryZero", {"--max-memory", "0"}},
                      UsageCase{"UnknownAllocator", {"--allocator", "tcmalloc"}},
                      UsageCase{"UnknownOrder", {"--order", "nonsense"}},
                      UsageCase{"NegativeThreads", {"-@", "-1"}},
                      UsageCase{"BothMemoryOptions", {"-m", "1G", "--max-memory", "1G"}},
                      UsageCase{"TwoInputs", {"extra.bam"}}),
    [](const ::testing::TestParamInfo<UsageCase>& param_info) { return param_info.param.name; });

TEST(UsageErrors, UnknownCommandAndNoCommand) {
  ProcessResult unknown = run_process({kSamsortBin, "bogus"});
  EXPECT_EQ(unknown.exit_code, kUsageError) << unknown.describe();
  EXPECT_TRUE(is_one_error_line(unknown.stderr_text));
  ProcessResult none = run_process({kSamsortBin});
  EXPECT_EQ(none.exit_code, kUsageError) << none.describe();
  EXPECT_TRUE(is_one_error_line(none.stderr_text));
}

}  // namespace
}  // namespace samsort::e2e
