// Faults during a sort: SIGTERM/SIGINT/SIGHUP while reading, spilling, merging and in a merge
// pass; a full disk (or quota) while spilling and while writing the output (LD_PRELOAD shim
// tests/tools/fail_write_shim.cpp); few file descriptors; an unusable -T. Each checks the exit
// status, the message, and that neither the output nor a temporary file is left.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "child.hpp"
#include "e2e_support.hpp"

namespace samsort::e2e {
namespace {

constexpr int64_t kRecords = 200'000;
constexpr uint64_t kSeed = 11;
constexpr double kPhaseTimeoutSeconds = 120;
constexpr double kExitTimeoutSeconds = 60;
// Reading phase: compressed bytes fed through the pipe before the signal (several spills'
// worth at 256K runs).
constexpr std::size_t kPipedBytes = 2 << 20;
// Per matching write while the test waits for a phase, so the phase lasts long enough to be
// interrupted in the middle.
constexpr const char* kSlowWriteMicros = "20000";
// These sorts store their runs (--temp-compression none: about the uncompressed size), so the
// bytes written to the spill file tell the phase: past 1.3 times that, an intermediate merge
// pass is writing.
constexpr double kMergePassMarkFactor = 1.3;
constexpr const char* kFailAfterBytes = "2000000";
constexpr long kFewOpenFiles = 32;
constexpr uint64_t kManyRuns = 200;

std::string input_bam() { return generated_bam(kRecords, kSeed); }

// The sort's directories (e2e_support's SortDirs), a phase mark for the write shim, and the
// command line.
struct FaultDirs : SortDirs {
  std::string mark = scratch.file("phase-mark");

  // samsort sort with -T spill/, stored runs and -o out/out.bam, then `extra`; one thread
  // unless given.
  std::vector<std::string> argv(const std::vector<std::string>& extra) const {
    bool threads_given = std::find(extra.begin(), extra.end(), "-@") != extra.end();
    std::vector<std::string> words{kSamsortBin, "sort", "-l",      "1",  "--temp-compression",
                                   "none",      "-T",   spill_dir, "-o", output};
    if (!threads_given) words.insert(words.end(), {"-@", "1"});
    words.insert(words.end(), extra.begin(), extra.end());
    return words;
  }
  bool temp_output_present() const {
    std::vector<std::string> names = list_directory(out_dir);
    return std::any_of(names.begin(), names.end(),
                       [](const std::string& name) { return contains(name, ".samsort-tmp."); });
  }
  bool temp_dir_present() const { return !list_directory(spill_dir).empty(); }
};

// Checks that nothing the sort made is left: no output, no temporary output, no temp dir.
void expect_no_debris(const FaultDirs& dirs) {
  EXPECT_TRUE(list_directory(dirs.out_dir).empty()) << join_lines(list_directory(dirs.out_dir));
  EXPECT_TRUE(list_directory(dirs.spill_dir).empty()) << join_lines(list_directory(dirs.spill_dir));
}

// The shim preloaded and aimed at files whose path contains `match`. ASan must not insist on
// coming first in the library list (sanitizer builds).
ChildOptions shim_options(const std::string& match,
                          std::vector<std::pair<std::string, std::string>> settings) {
  ChildOptions options;
  options.environment = {{"LD_PRELOAD", FAIL_WRITE_SHIM_LIB},
                         {"ASAN_OPTIONS", "verify_asan_link_order=0"},
                         {"SAMSORT_SHIM_MATCH", match}};
  options.environment.insert(options.environment.end(), settings.begin(), settings.end());
  return options;
}

// Sends `signal_number` and checks the exit status 128 + signal and that nothing is left.
void interrupt_and_check(Child& child, const FaultDirs& dirs, int signal_number) {
  child.send(signal_number);
  ChildResult result = child.wait(kExitTimeoutSeconds);
  ASSERT_FALSE(result.timed_out) << result.describe();
  EXPECT_EQ(result.term_signal, 0) << result.describe();
  EXPECT_EQ(result.exit_code, 128 + signal_number) << result.describe();
  expect_no_debris(dirs);
}

// Feeds the input through a pipe, stops after kPipedBytes with the pipe still open (the sort
// then waits in read), and signals once spilled runs exist and the pipe is drained.
void signal_while_reading(int signal_number) {
  signal(SIGPIPE, SIG_IGN);  // a sort that dies early must fail the test, not kill it
  FaultDirs dirs;
  std::string input = input_bam();
  InputPipe pipe(input);
  ChildOptions options;
  options.stdin_fd = pipe.read_fd();
  Child child(dirs.argv({"--debug-max-run-bytes", "256K", "-"}), options);
  pipe.close_read_end();
  ASSERT_TRUE(pipe.feed(kPipedBytes));
  bool reading = wait_until(
      [&] { return pipe.pending() == 0 && dirs.temp_dir_present() && dirs.temp_output_present(); },
      kPhaseTimeoutSeconds);
  ASSERT_TRUE(reading) << "the sort never drained the pipe after spilling";
  ASSERT_TRUE(child.running());
  interrupt_and_check(child, dirs, signal_number);
  pipe.close_write_end();
}

// Slows the writes to files matching `match`, waits until `mark_after` bytes went there, and
// signals in the middle of that phase.
void signal_during_writes(int signal_number, const std::vector<std::string>& extra,
                          const std::string& match, long long mark_after) {
  FaultDirs dirs;
  std::vector<std::string> args = extra;
  args.push_back(input_bam());
  ChildOptions options =
      shim_options(match, {{"SAMSORT_SHIM_DELAY_US", kSlowWriteMicros},
                           {"SAMSORT_SHIM_MARK", dirs.mark},
                           {"SAMSORT_SHIM_MARK_AFTER", std::to_string(mark_after)}});
  Child child(dirs.argv(args), options);
  bool reached =
      wait_until([&] { return path_exists(dirs.mark) || !child.running(); }, kPhaseTimeoutSeconds);
  ASSERT_TRUE(reached && child.running())
      << "phase never reached: " << child.wait(kExitTimeoutSeconds).describe();
  ASSERT_TRUE(dirs.temp_dir_present());
  ASSERT_TRUE(dirs.temp_output_present());
  interrupt_and_check(child, dirs, signal_number);
}

void signal_while_spilling(int signal_number) {
  // The private temp directory inside -T: "spill/samsort.XXXXXX".
  signal_during_writes(signal_number, {"--debug-max-run-bytes", "4M"}, "spill/samsort.", 0);
}

void signal_while_merging(int signal_number) {
  signal_during_writes(signal_number, {"--debug-max-run-bytes", "4M"}, "out/.out.bam.samsort-tmp.",
                       0);
}

void signal_in_merge_pass(int signal_number) {
  auto spilled = static_cast<long long>(static_cast<double>(uncompressed_bytes(input_bam())) *
                                        kMergePassMarkFactor);
  // Slow writes only after the mark would stretch the initial spills too; a short delay
  // keeps the pass going long enough.
  FaultDirs dirs;
  ChildOptions options =
      shim_options("spill/samsort.", {{"SAMSORT_SHIM_DELAY_US", "2000"},
                                      {"SAMSORT_SHIM_MARK", dirs.mark},
                                      {"SAMSORT_SHIM_MARK_AFTER", std::to_string(spilled)}});
  Child child(dirs.argv({"--debug-max-run-bytes", "1M", "--debug-max-fan-in", "4", input_bam()}),
              options);
  bool reached =
      wait_until([&] { return path_exists(dirs.mark) || !child.running(); }, kPhaseTimeoutSeconds);
  ASSERT_TRUE(reached && child.running())
      << "merge pass never reached: " << child.wait(kExitTimeoutSeconds).describe();
  ASSERT_TRUE(dirs.temp_dir_present());
  interrupt_and_check(child, dirs, signal_number);
}

TEST(Signals, TermWhileReading) { signal_while_reading(SIGTERM); }
TEST(Signals, IntWhileReading) { signal_while_reading(SIGINT); }
TEST(Signals, HupWhileReading) { signal_while_reading(SIGHUP); }
TEST(Signals, TermWhileSpilling) { signal_while_spilling(SIGTERM); }
TEST(Signals, IntWhileSpilling) { signal_while_spilling(SIGINT); }
TEST(Signals, TermWhileMerging) { signal_while_merging(SIGTERM); }
TEST(Signals, IntWhileMerging) { signal_while_merging(SIGINT); }
TEST(Signals, TermInMergePass) { signal_in_merge_pass(SIGTERM); }
TEST(Signals, IntInMergePass) { signal_in_merge_pass(SIGINT); }

// A reader that goes away: SIGPIPE on the output pipe is cleaned up like the others.
TEST(Signals, PipeWhenStdoutReaderExits) {
  FaultDirs dirs;
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  close(pipe_fds[0]);  // nobody will read: the first write fails
  std::vector<std::string> argv{
      kSamsortBin, "sort", "-@", "1",        "-T", dirs.spill_dir, "--debug-max-run-bytes",
      "1M",        "-o",   "-",  input_bam()};
  ChildOptions options;
  options.stdout_fd = pipe_fds[1];
  Child child(argv, options);
  close(pipe_fds[1]);
  ChildResult result = child.wait(kPhaseTimeoutSeconds);
  // Either the handler ran (exit 141) or the write error was reported (exit 1): never a
  // default SIGPIPE death that skips cleanup.
  ASSERT_EQ(result.term_signal, 0) << result.describe();
  EXPECT_TRUE(result.exit_code == 128 + SIGPIPE || result.exit_code == 1) << result.describe();
  expect_no_debris(dirs);
}

// Disk full (or over quota) after kFailAfterBytes written to files matching `match`.
ChildResult sort_with_failing_writes(const FaultDirs& dirs, const std::string& match,
                                     const std::string& errno_name,
                                     const std::vector<std::string>& extra) {
  std::vector<std::string> args = extra;
  args.push_back(input_bam());
  ChildOptions options = shim_options(
      match, {{"SAMSORT_SHIM_FAIL_AFTER", kFailAfterBytes}, {"SAMSORT_SHIM_ERRNO", errno_name}});
  return run_child(dirs.argv(args), options, kPhaseTimeoutSeconds);
}

void expect_disk_full_error(const ChildResult& result, const std::string& directory,
                            const std::string& errno_text) {
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text));
  EXPECT_TRUE(contains(result.stderr_text, directory)) << result.stderr_text;
  EXPECT_TRUE(contains(result.stderr_text, errno_text)) << result.stderr_text;
  EXPECT_TRUE(contains(result.stderr_text, "bytes")) << result.stderr_text;
}

TEST(DiskFull, WhileSpilling) {
  FaultDirs dirs;
  ChildResult result =
      sort_with_failing_writes(dirs, "spill/samsort.", "ENOSPC", {"--debug-max-run-bytes", "1M"});
  expect_disk_full_error(result, dirs.spill_dir, "No space left on device");
  expect_no_debris(dirs);
}

TEST(DiskFull, QuotaWhileSpilling) {
  FaultDirs dirs;
  ChildResult result =
      sort_with_failing_writes(dirs, "spill/samsort.", "EDQUOT", {"--debug-max-run-bytes", "1M"});
  expect_disk_full_error(result, dirs.spill_dir, "Disk quota exceeded");
  expect_no_debris(dirs);
}

TEST(DiskFull, WhileWritingOutputFromMemory) {
  FaultDirs dirs;
  ChildResult result = sort_with_failing_writes(dirs, "out/.out.bam.samsort-tmp.", "ENOSPC", {});
  expect_disk_full_error(result, dirs.out_dir, "No space left on device");
  expect_no_debris(dirs);
}

TEST(DiskFull, WhileWritingMergedOutput) {
  FaultDirs dirs;
  ChildResult result = sort_with_failing_writes(dirs, "out/.out.bam.samsort-tmp.", "ENOSPC",
                                                {"--debug-max-run-bytes", "1M"});
  expect_disk_full_error(result, dirs.out_dir, "No space left on device");
  expect_no_debris(dirs);
}

// Several -T: when the first fills up, the run being written goes again to the next one and
// the sort completes with every record; nothing is left in either place.
void expect_carries_on_in_next_temp_dir(const std::vector<std::string>& extra,
                                        long long fail_after) {
  FaultDirs dirs;  // spill/ is the first -T
  std::string second = dirs.scratch.subdir("spill2");
  std::vector<std::string> args = {"-T", second};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(input_bam());
  // The mark appears when a write is attempted past the limit: the first location did fill.
  ChildOptions options =
      shim_options("spill/samsort.", {{"SAMSORT_SHIM_FAIL_AFTER", std::to_string(fail_after)},
                                      {"SAMSORT_SHIM_MARK", dirs.mark},
                                      {"SAMSORT_SHIM_MARK_AFTER", std::to_string(fail_after)}});
  ChildResult result = run_child(dirs.argv(args), options, kPhaseTimeoutSeconds);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(path_exists(dirs.mark)) << "the first temporary location never filled up";
  SortSummary summary = parse_summary(result.stderr_text);
  ASSERT_TRUE(summary.found) << result.stderr_text;
  EXPECT_GE(summary.runs, 2u);
  EXPECT_EQ(count_records(dirs.output), kRecords);
  EXPECT_EQ(list_directory(dirs.out_dir), std::vector<std::string>{"out.bam"});
  EXPECT_TRUE(list_directory(dirs.spill_dir).empty()) << join_lines(list_directory(dirs.spill_dir));
  EXPECT_TRUE(list_directory(second).empty()) << join_lines(list_directory(second));
}

TEST(DiskFull, SpillCarriesOnInTheNextTempDirectory) {
  expect_carries_on_in_next_temp_dir({"--debug-max-run-bytes", "1M"}, 2'000'000);
}

TEST(DiskFull, MergePassCarriesOnInTheNextTempDirectory) {
  // The first location holds every initial run (about the uncompressed size) but fills up
  // during the first merge pass.
  auto room = static_cast<long long>(static_cast<double>(uncompressed_bytes(input_bam())) *
                                     kMergePassMarkFactor);
  expect_carries_on_in_next_temp_dir({"--debug-max-run-bytes", "1M", "--debug-max-fan-in", "4"},
                                     room);
}

// `ulimit -n 32` and hundreds of runs: the sort still completes with every record.
TEST(FileDescriptors, HundredsOfRunsUnderUlimit32) {
  FaultDirs dirs;
  ChildOptions options;
  options.open_files_limit = kFewOpenFiles;
  ChildResult result =
      run_child(dirs.argv({"-@", "2", "--debug-max-run-bytes", "256K", input_bam()}), options,
                kPhaseTimeoutSeconds);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  SortSummary summary = parse_summary(result.stderr_text);
  ASSERT_TRUE(summary.found) << result.stderr_text;
  EXPECT_GE(summary.runs, kManyRuns);
  EXPECT_EQ(count_records(dirs.output), kRecords);
  EXPECT_EQ(list_directory(dirs.out_dir), std::vector<std::string>{"out.bam"});
  EXPECT_TRUE(list_directory(dirs.spill_dir).empty());
}

// An unusable -T fails before any input is read (stdin's shared offset shows reads), even for
// a sort that would spill only later.
void expect_unusable_temp_dir_fails_early(const std::string& temp_option,
                                          const std::string& named) {
  FaultDirs dirs;
  int input_fd = open(input_bam().c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(input_fd, 0);
  ChildOptions options;
  options.stdin_fd = input_fd;
  ChildResult result = run_child({kSamsortBin, "sort", "-T", temp_option, "--debug-max-run-bytes",
                                  "256K", "-o", dirs.output, "-"},
                                 options, kPhaseTimeoutSeconds);
  off_t consumed = lseek(input_fd, 0, SEEK_CUR);
  close(input_fd);
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text));
  EXPECT_TRUE(contains(result.stderr_text, named)) << result.stderr_text;
  EXPECT_EQ(consumed, 0) << "input was read before -T was found unusable";
  expect_no_debris(dirs);
}

TEST(TempDirectory, UnderProcFailsBeforeReading) {
  expect_unusable_temp_dir_fails_early("/proc", "/proc");
}

TEST(TempDirectory, FileUsedAsDirectoryFailsBeforeReading) {
  ScratchDir scratch;
  std::string file = scratch.file("plain-file");
  std::ofstream(file) << "not a directory\n";
  expect_unusable_temp_dir_fails_early(file + "/sub", file);
}

}  // namespace
}  // namespace samsort::e2e
