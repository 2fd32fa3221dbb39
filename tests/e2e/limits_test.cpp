// Limits and the messages around them (issue 12): any number of -T places, run directories of
// dead processes removed at start (a live one's kept), a missing $TMPDIR that only matters
// when the sort spills, the default budget lowered under `ulimit -v` and `--max-memory auto`,
// and usage errors for `-m ''` and unknown htslib format options, CRAM without its reference.
// Every error case checks the exit code, exactly one error line and that nothing is left.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "e2e_support.hpp"
#include "samsort/core/owner_tag.hpp"

namespace samsort::e2e {
namespace {

constexpr int kRuntimeError = 1;
constexpr int kUsageError = 2;
constexpr int kTempPlaces = 100;
// Arena cap that makes the example (29k records) spill several runs.
constexpr const char* kSmallRuns = "256K";
// ulimit -v for the default-budget case, KiB: 2 GiB. At -@ 4 the default 3 GiB does not fit.
constexpr long kAddressSpaceKib = 2L * 1024 * 1024;

std::string numbered(const char* stem, int idx) {
  std::string name(stem);
  name += std::to_string(idx);
  return name;
}

// "HOST.PID" of a process on this host that has certainly exited: a reaped child's.
std::string dead_owner_tag() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  int status = 0;
  waitpid(pid, &status, 0);
  const std::string& mine = owner_tag();
  return mine.substr(0, mine.rfind('.')) + "." + std::to_string(pid);
}

// A run directory as a killed samsort leaves it: the directory and a file in it.
std::string make_run_dir_debris(const std::string& parent, const std::string& name) {
  std::string path = parent + "/" + name;
  std::filesystem::create_directory(path);
  std::ofstream(path + "/runs") << "partial run";
  return path;
}

// stderr lines that are not samsort's summary line.
std::vector<std::string> other_lines(const std::string& stderr_text) {
  std::vector<std::string> lines;
  std::istringstream in(stderr_text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("samsort: sorted ", 0) != 0) lines.push_back(line);
  }
  return lines;
}

// The "budget N MiB" figure of the summary line; -1 when absent.
long summary_budget_mib(const std::string& stderr_text) {
  static const std::regex kBudget(R"(budget (\d+) MiB)");
  std::smatch match;
  if (!std::regex_search(stderr_text, match, kBudget)) return -1;
  return std::stol(match[1]);
}

TEST(TempPlaces, AHundredPlacesAreAccepted) {
  ScratchDir scratch;
  std::vector<std::string> args;
  std::vector<std::string> places;
  for (int idx = 0; idx < kTempPlaces; ++idx) {
    places.push_back(scratch.subdir(numbered("t", idx)));
    args.insert(args.end(), {"-T", places.back()});
  }
  std::string output = scratch.file("out.bam");
  args.insert(args.end(), {"--debug-max-run-bytes", kSmallRuns, "-o", output, example_bam()});
  ProcessResult result = run_samsort(args);
  ASSERT_TRUE(result.exited_ok()) << result.describe();
  EXPECT_GT(parse_summary(result.stderr_text).runs, 1u) << result.stderr_text;
  EXPECT_TRUE(same_records_in_order(samtools_reference(example_bam()), output));
  for (const std::string& place : places) {
    EXPECT_TRUE(list_directory(place).empty()) << place;
  }
}

TEST(StaleRunDirs, DeadProcessesDirectoriesGoLiveOnesStay) {
  ScratchDir scratch;
  std::string place = scratch.subdir("tmp");
  std::string dead = dead_owner_tag();
  std::string stale = make_run_dir_debris(place, "samsort." + dead + ".Ab12Cd");
  // This test's own process is alive; a directory of another host is never touched.
  std::string live = make_run_dir_debris(place, "samsort." + owner_tag() + ".Ab12Cd");
  std::string foreign = make_run_dir_debris(place, "samsort.elsewhere.1.Ab12Cd");
  // Without -T the place beside the output is cleaned the same way.
  std::string out_dir = scratch.subdir("out");
  std::string stale_beside = make_run_dir_debris(out_dir, ".samsort." + dead + ".Ef34Gh");

  ProcessResult with_t = run_samsort({"-T", place, "-o", scratch.file("a.bam"),
                                      "--debug-max-run-bytes", kSmallRuns, example_bam()});
  ASSERT_TRUE(with_t.exited_ok()) << with_t.describe();
  EXPECT_EQ(other_lines(with_t.stderr_text),
            std::vector<std::string>{"samsort: removed stale temporary directory " + stale +
                                     " of dead process " + dead.substr(dead.rfind('.') + 1)});
  EXPECT_FALSE(path_exists(stale));
  EXPECT_TRUE(path_exists(live + "/runs"));
  EXPECT_TRUE(path_exists(foreign + "/runs"));

  ProcessResult beside = run_samsort({"-o", out_dir + "/b.bam", example_bam()});
  ASSERT_TRUE(beside.exited_ok()) << beside.describe();
  EXPECT_EQ(other_lines(beside.stderr_text).size(), 1u) << beside.stderr_text;
  EXPECT_FALSE(path_exists(stale_beside));
  EXPECT_EQ(list_directory(out_dir), std::vector<std::string>{"b.bam"});
}

TEST(MissingTmpdir, SortThatFitsInMemoryDoesNotNeedIt) {
  ScratchDir scratch;
  ProcessOptions options;
  options.environment = {{"TMPDIR", scratch.file("missing")}};
  options.stdout_path = scratch.file("stdout.bam");
  ProcessResult result = run_samsort({example_bam()}, options);
  ASSERT_TRUE(result.exited_ok()) << result.describe();
  EXPECT_TRUE(other_lines(result.stderr_text).empty()) << result.stderr_text;
  EXPECT_TRUE(same_records_in_order(samtools_reference(example_bam()), options.stdout_path));
}

TEST(MissingTmpdir, SortThatSpillsSaysWhere) {
  ScratchDir scratch;
  ProcessOptions options;
  options.environment = {{"TMPDIR", scratch.file("missing")}};
  options.stdout_path = scratch.file("stdout.bam");
  ProcessResult result = run_samsort({"--debug-max-run-bytes", kSmallRuns, example_bam()}, options);
  EXPECT_EQ(result.exit_code, kRuntimeError) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text));
  EXPECT_TRUE(contains(result.stderr_text,
                       scratch.file("missing") + ": cannot create the temporary directory"))
      << result.stderr_text;
  EXPECT_EQ(list_directory(scratch.path()), std::vector<std::string>{"stdout.bam"});
}

TEST(MissingTmpdir, UnusableExplicitTFailsBeforeReading) {
  ScratchDir scratch;
  // The input is handed over as stdin: its file offset shows whether anything was read.
  int input_fd = open(example_bam().c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(input_fd, 0);
  ProcessOptions options;
  options.stdin_fd = input_fd;
  std::string output = scratch.file("out.bam");
  ProcessResult result =
      run_samsort({"-T", scratch.file("missing/dir/prefix"), "-o", output, "-"}, options);
  off_t offset = lseek(input_fd, 0, SEEK_CUR);
  close(input_fd);
  EXPECT_EQ(result.exit_code, kRuntimeError) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text));
  EXPECT_TRUE(contains(result.stderr_text, scratch.file("missing/dir"))) << result.stderr_text;
  EXPECT_EQ(offset, 0) << "the input was read before the temporary directory was made";
  EXPECT_TRUE(list_directory(scratch.path()).empty()) << join_lines(list_directory(scratch.path()));
}

class AddressSpaceLimit : public ::testing::TestWithParam<const char*> {};

// Under ulimit -v the default budget (768 MiB x 4 threads) is lowered to fit, with one warning.
TEST_P(AddressSpaceLimit, DefaultBudgetIsLoweredWithAWarning) {
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  ProcessResult result =
      run_shell("ulimit -v " + std::to_string(kAddressSpaceKib) + " && exec " +
                shell_quote(kSamsortBin) + " sort -@ 4 --allocator " + GetParam() + " -o " +
                shell_quote(output) + " " + shell_quote(example_bam()));
  ASSERT_TRUE(result.exited_ok()) << result.describe();
  std::vector<std::string> lines = other_lines(result.stderr_text);
  ASSERT_EQ(lines.size(), 1u) << result.stderr_text;
  EXPECT_TRUE(contains(lines[0], "samsort: warning: the default budget of 3072 MiB")) << lines[0];
  EXPECT_TRUE(contains(lines[0], "memory limit of 2048 MiB (ulimit -v)")) << lines[0];
  long budget = summary_budget_mib(result.stderr_text);
  EXPECT_GT(budget, 0) << result.stderr_text;
  EXPECT_LT(budget, 2048) << result.stderr_text;
  EXPECT_TRUE(contains(lines[0], "using " + std::to_string(budget) + " MiB")) << lines[0];
  EXPECT_TRUE(same_records_in_order(samtools_reference(example_bam()), output));
}

// --max-memory auto takes the same fitted budget from the limit, without a warning.
TEST_P(AddressSpaceLimit, AutoBudgetComesFromTheLimit) {
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  std::string command = shell_quote(kSamsortBin) + " sort -@ 4 --max-memory auto --allocator " +
                        GetParam() + " -o " + shell_quote(output) + " " +
                        shell_quote(example_bam());
  ProcessResult limited =
      run_shell("ulimit -v " + std::to_string(kAddressSpaceKib) + " && exec " + command);
  ASSERT_TRUE(limited.exited_ok()) << limited.describe();
  EXPECT_TRUE(other_lines(limited.stderr_text).empty()) << limited.stderr_text;
  long budget = summary_budget_mib(limited.stderr_text);
  EXPECT_GT(budget, 0) << limited.stderr_text;
  EXPECT_LT(budget, 2048) << limited.stderr_text;
  EXPECT_TRUE(same_records_in_order(samtools_reference(example_bam()), output));
}

INSTANTIATE_TEST_SUITE_P(Allocators, AddressSpaceLimit, ::testing::Values("mimalloc", "system"));

// The usage errors: exit 2, one line, no output and nothing else in its directory.
void expect_usage_error(const std::vector<std::string>& args, const std::string& expected) {
  ScratchDir scratch;
  std::vector<std::string> full = args;
  full.insert(full.end(), {"-o", scratch.file("out.bam"), example_bam()});
  ProcessResult result = run_samsort(full);
  EXPECT_EQ(result.exit_code, kUsageError) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text));
  EXPECT_TRUE(contains(result.stderr_text, expected)) << result.stderr_text;
  EXPECT_TRUE(list_directory(scratch.path()).empty()) << join_lines(list_directory(scratch.path()));
}

TEST(UsageMessages, EmptySizesAreUsageErrors) {
  expect_usage_error({"-m", ""}, "invalid size for -m: ''");
  expect_usage_error({"--max-memory", ""}, "invalid size for --max-memory: ''");
  expect_usage_error({"--max-memory", "automatic"}, "invalid size for --max-memory");
}

TEST(UsageMessages, UnknownHtslibFormatOptionsAreUsageErrors) {
  // samtools refuses an unknown option name whatever the format, BAM input included.
  expect_usage_error({"--input-fmt-option", "bogus=1"}, "--input-fmt-option 'bogus=1'");
  expect_usage_error({"-O", "sam", "--output-fmt-option", "bogus=1"},
                     "--output-fmt-option 'bogus=1'");
  expect_usage_error({"-O", "cram,bogus=1"}, "--output-fmt-option 'bogus=1'");
}

// A CRAM written against a FASTA that is gone (header UR/M5 unresolvable, REF_PATH pointing
// nowhere): the error names the missing reference and the ways to give it.
TEST(CramWithoutReference, SaysHowToGiveIt) {
  ScratchDir scratch;
  std::string fasta = scratch.file("ref.fa");
  std::string bases;
  for (int idx = 0; idx < 1200; ++idx) bases += "ACGTTGCAAGGCTTAC"[(idx * 7 + idx / 5) % 16];
  {
    std::ofstream out(fasta);
    out << ">chr1\n";
    for (std::size_t at = 0; at < bases.size(); at += 60) out << bases.substr(at, 60) << "\n";
  }
  std::string sam = scratch.file("in.sam");
  {
    std::ofstream out(sam);
    out << "@SQ\tSN:chr1\tLN:" << bases.size() << "\n";
    for (int idx = 0; idx < 20; ++idx) {
      int pos = 1 + (idx * 53) % 1100;
      out << "r" << idx << "\t0\tchr1\t" << pos << "\t60\t40M\t*\t0\t0\t"
          << bases.substr(pos - 1, 40) << "\t*\n";
    }
  }
  std::string cram = scratch.file("in.cram");
  ProcessResult made = run_process({"samtools", "view", "-C", "-T", fasta, "-o", cram, sam});
  ASSERT_TRUE(made.exited_ok()) << made.describe();
  std::filesystem::remove(fasta);
  std::filesystem::remove(fasta + ".fai");

  std::string out_dir = scratch.subdir("out");
  ProcessOptions options;
  options.environment = {{"REF_PATH", scratch.file("no-cache/%s")},
                         {"REF_CACHE", scratch.file("no-cache/%s")}};
  ProcessResult result = run_samsort({"-o", out_dir + "/out.bam", cram}, options);
  EXPECT_EQ(result.exit_code, kRuntimeError) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text));
  EXPECT_TRUE(contains(result.stderr_text, "reference sequence was not found"))
      << result.stderr_text;
  EXPECT_TRUE(contains(result.stderr_text, "--reference")) << result.stderr_text;
  EXPECT_TRUE(contains(result.stderr_text, "REF_PATH")) << result.stderr_text;
  EXPECT_TRUE(list_directory(out_dir).empty()) << join_lines(list_directory(out_dir));

  // A --reference that is not a FASTA: one line too, not htslib's "[E::...]" lines as well.
  ProcessResult not_fasta =
      run_samsort({"--reference", sam, "-o", out_dir + "/out.bam", cram}, options);
  EXPECT_EQ(not_fasta.exit_code, kRuntimeError) << not_fasta.describe();
  EXPECT_TRUE(is_one_error_line(not_fasta.stderr_text));
  EXPECT_TRUE(list_directory(out_dir).empty()) << join_lines(list_directory(out_dir));
}

// A -T on a file system too small for the runs: refused before any reading, in one line that
// gives both figures; nothing is left behind. Needs a tmpfs mount (root); skipped otherwise.
TEST(TempSpace, TooSmallTemporaryDiskIsRefusedBeforeReading) {
  ScratchDir scratch;
  std::string small = scratch.subdir("small");
  std::string mount_command = "mount -t tmpfs -o size=2m tmpfs " + small + " 2>/dev/null";
  if (std::system(mount_command.c_str()) != 0) GTEST_SKIP() << "cannot mount a tmpfs here";
  std::string input = generated_bam(200'000, 11);
  std::string output = scratch.file("out.bam");
  ProcessResult result =
      run_samsort({"--debug-max-run-bytes", "8M", "-T", small, "-o", output, input});
  ProcessResult stored = run_samsort({"--debug-max-run-bytes", "8M", "--temp-compression", "none",
                                      "-T", small, "-o", output, input});
  std::vector<std::string> left = list_directory(small);
  std::system(("umount " + small).c_str());
  EXPECT_EQ(result.exit_code, kRuntimeError) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text));
  EXPECT_TRUE(contains(result.stderr_text, "of temporary runs, but only")) << result.stderr_text;
  EXPECT_TRUE(contains(result.stderr_text, small)) << result.stderr_text;
  EXPECT_EQ(stored.exit_code, kRuntimeError) << stored.describe();
  EXPECT_FALSE(path_exists(output));
  EXPECT_TRUE(left.empty()) << join_lines(left);
}

}  // namespace
}  // namespace samsort::e2e
