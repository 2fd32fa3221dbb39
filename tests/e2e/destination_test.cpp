// Output destinations (issue 12): devices, /dev/stdout, FIFOs and symbolic links are written
// through, not replaced; unusable destinations fail before any input is read; a read-only
// directory gets an in-place write; closed standard streams, `ulimit -f`, the --stats file and
// stale temporaries of dead processes. Every error case checks the exit code, one error line
// and that no output or temporary file is left.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "child.hpp"
#include "e2e_support.hpp"
#include "samsort/core/owner_tag.hpp"

namespace samsort::e2e {
namespace {

constexpr int64_t kRecords = 20'000;
constexpr uint64_t kSeed = 12;
// A destination error must come before the input is read: the input is a pipe that never
// delivers a byte, so a run that starts reading it hangs until this timeout.
constexpr double kEarlyFailureSeconds = 30;

std::string input_bam() { return generated_bam(kRecords, kSeed); }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// A BAM file ends with the 28-byte BGZF EOF block; text written after it (a warning, the
// summary line) shows up here even where samtools view would stop early.
bool ends_with_eof_block(const std::string& path) {
  static const std::string kEofBlock(
      "\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff\x06\x00\x42\x43\x02\x00\x1b\x00\x03\x00"
      "\x00\x00\x00\x00\x00\x00\x00\x00",
      28);
  std::string bytes = read_file(path);
  return bytes.size() >= kEofBlock.size() &&
         bytes.compare(bytes.size() - kEofBlock.size(), kEofBlock.size(), kEofBlock) == 0;
}

bool is_symlink(const std::string& path) {
  struct stat info {};
  return lstat(path.c_str(), &info) == 0 && S_ISLNK(info.st_mode);
}

bool is_char_device(const std::string& path) {
  struct stat info {};
  return lstat(path.c_str(), &info) == 0 && S_ISCHR(info.st_mode);
}

// A character device node like /dev/null (1,3) or /dev/full (1,7) in a private directory, so
// that a regression replaces the scratch node and never the machine's own.
::testing::AssertionResult make_char_device(const std::string& path, unsigned minor) {
  if (mknod(path.c_str(), S_IFCHR | 0666, makedev(1, minor)) != 0) {
    return ::testing::AssertionFailure() << "mknod " << path << ": " << std::strerror(errno);
  }
  return ::testing::AssertionSuccess();
}

#define MAKE_DEVICE_OR_SKIP(path, minor)                                                      \
  do {                                                                                        \
    ::testing::AssertionResult made = make_char_device(path, minor);                          \
    if (!made) GTEST_SKIP() << "needs root and mknod (not allowed here): " << made.message(); \
  } while (0)

// Runs samsort with `args` while its stdin is a pipe that stays open and empty, and expects an
// early, clean failure: exit `exit_code`, one error line containing `message_part`.
void expect_early_failure(const std::vector<std::string>& args, int exit_code,
                          const std::string& message_part) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  std::vector<std::string> argv{kSamsortBin, "sort"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("-");
  ChildOptions options;
  options.stdin_fd = fds[0];
  ChildResult result = run_child(argv, options, kEarlyFailureSeconds);
  close(fds[0]);
  close(fds[1]);
  ASSERT_FALSE(result.timed_out) << "samsort read the input before checking the destination";
  EXPECT_EQ(result.exit_code, exit_code) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text));
  EXPECT_TRUE(contains(result.stderr_text, message_part)) << result.stderr_text;
}

// The records a plain sort into a file writes, to compare other destinations with.
std::string plain_sort(const ScratchDir& scratch) {
  std::string out = scratch.file("plain.bam");
  ProcessResult result = run_samsort({"-o", out, input_bam()});
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  return out;
}

// --- devices -------------------------------------------------------------------------------

TEST(Destination, NullDeviceStaysADevice) {
  ScratchDir scratch;
  std::string node = scratch.file("null");
  MAKE_DEVICE_OR_SKIP(node, 3);
  ProcessResult result = run_samsort({"-o", node, input_bam()});
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(is_char_device(node)) << "the device node was replaced";
  EXPECT_EQ(list_directory(scratch.path()), std::vector<std::string>{"null"});
}

TEST(Destination, NullDeviceAsSamOutputAndIndexTarget) {
  ScratchDir scratch;
  std::string node = scratch.file("null");
  MAKE_DEVICE_OR_SKIP(node, 3);
  ProcessResult result = run_samsort({"-O", "sam", "-o", node, input_bam()});
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  std::string out = scratch.file("out.bam");
  result = run_samsort({"--write-index", "-o", out + "##idx##" + node, input_bam()});
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(is_char_device(node));
  EXPECT_EQ(count_records(out), kRecords);
  EXPECT_EQ(list_directory(scratch.path()), (std::vector<std::string>{"null", "out.bam"}));
}

TEST(Destination, FullDeviceIsAnError) {
  ScratchDir scratch;
  std::string node = scratch.file("full");
  MAKE_DEVICE_OR_SKIP(node, 7);
  for (const char* format : {"bam", "sam"}) {
    ProcessResult result = run_samsort({"-O", format, "-o", node, input_bam()});
    EXPECT_EQ(result.exit_code, 1) << format << ": " << result.describe();
    EXPECT_TRUE(is_one_error_line(result.stderr_text)) << format;
    EXPECT_TRUE(contains(result.stderr_text, "No space left on device")) << result.stderr_text;
    EXPECT_TRUE(is_char_device(node));
    EXPECT_EQ(list_directory(scratch.path()), std::vector<std::string>{"full"});
  }
}

// --- standard output by name -----------------------------------------------------------------

TEST(Destination, DevStdoutIntoAPipeDeliversEveryRecord) {
  ScratchDir scratch;
  std::string rc_file = scratch.file("rc");
  std::string stderr_file = scratch.file("stderr");
  // `samtools view -c` counts what arrives through the pipe; samsort's status goes to a file.
  ProcessResult result = run_shell(
      "{ " + shell_quote(kSamsortBin) + " sort -o /dev/stdout " + shell_quote(input_bam()) + " 2>" +
      shell_quote(stderr_file) + "; echo $? >" + shell_quote(rc_file) + "; } | samtools view -c -");
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_EQ(read_file(rc_file), "0\n") << read_file(stderr_file);
  EXPECT_EQ(result.stdout_text, std::to_string(kRecords) + "\n");
  EXPECT_EQ(list_directory(scratch.path()), (std::vector<std::string>{"rc", "stderr"}));
}

TEST(Destination, DevStdoutRedirectedToAFileWritesThatFile) {
  ScratchDir scratch;
  std::string reference = plain_sort(scratch);
  std::string out = scratch.file("redirected.bam");
  ProcessOptions options;
  options.stdout_path = out;
  for (const char* alias : {"/dev/stdout", "/proc/self/fd/1", "/dev/fd/1"}) {
    ProcessResult result = run_samsort({"-o", alias, input_bam()}, options);
    ASSERT_EQ(result.exit_code, 0) << alias << ": " << result.describe();
    EXPECT_TRUE(same_records_in_order(reference, out)) << alias;
    EXPECT_EQ(list_directory(scratch.path()),
              (std::vector<std::string>{"plain.bam", "redirected.bam"}));
  }
}

TEST(Destination, ReaderClosingThePipeEndsTheRunWithSigpipe) {
  ScratchDir scratch;
  std::string rc_file = scratch.file("rc");
  std::string out_dir = scratch.subdir("tmp");
  ProcessOptions options;
  options.environment = {{"TMPDIR", out_dir}};
  ProcessResult result = run_shell("{ " + shell_quote(kSamsortBin) + " sort -l 0 -o /dev/stdout " +
                                       shell_quote(input_bam()) + " 2>/dev/null; echo $? >" +
                                       shell_quote(rc_file) + "; } | head -c 100 >/dev/null",
                                   options);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_EQ(read_file(rc_file), "141\n");  // 128 + SIGPIPE, as with -o -
  EXPECT_TRUE(list_directory(out_dir).empty()) << join_lines(list_directory(out_dir));
}

// --- FIFO ------------------------------------------------------------------------------------

TEST(Destination, FifoReaderGetsTheWholeOutput) {
  ScratchDir scratch;
  std::string reference = plain_sort(scratch);
  std::string fifo = scratch.file("fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  std::string received = scratch.file("received.bam");
  std::thread reader([&] { write_file(received, read_file(fifo)); });
  ProcessResult result = run_samsort({"-o", fifo, input_bam()});
  reader.join();
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(same_records_in_order(reference, received));
  struct stat info {};
  ASSERT_EQ(lstat(fifo.c_str(), &info), 0);
  EXPECT_TRUE(S_ISFIFO(info.st_mode)) << "the FIFO was replaced";
  EXPECT_EQ(list_directory(scratch.path()),
            (std::vector<std::string>{"fifo", "plain.bam", "received.bam"}));
}

// --- symbolic links --------------------------------------------------------------------------

TEST(Destination, SymlinkStaysALinkAndItsTargetGetsTheData) {
  ScratchDir scratch;
  std::string reference = plain_sort(scratch);
  std::string data_dir = scratch.subdir("data");
  std::string link_dir = scratch.subdir("links");
  write_file(data_dir + "/target.bam", "old contents");
  ASSERT_EQ(symlink((data_dir + "/target.bam").c_str(), (link_dir + "/link.bam").c_str()), 0);
  ProcessResult result = run_samsort({"-o", link_dir + "/link.bam", input_bam()});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(is_symlink(link_dir + "/link.bam"));
  EXPECT_TRUE(same_records_in_order(reference, data_dir + "/target.bam"));
  EXPECT_EQ(list_directory(data_dir), std::vector<std::string>{"target.bam"});
  EXPECT_EQ(list_directory(link_dir), std::vector<std::string>{"link.bam"});
}

TEST(Destination, ChainOfRelativeLinksIsFollowedToTheEnd) {
  ScratchDir scratch;
  std::string reference = plain_sort(scratch);
  std::string data_dir = scratch.subdir("data");
  // first.bam -> data/second.bam -> final.bam (relative to data/)
  ASSERT_EQ(symlink("final.bam", (data_dir + "/second.bam").c_str()), 0);
  ASSERT_EQ(symlink("data/second.bam", scratch.file("first.bam").c_str()), 0);
  write_file(data_dir + "/final.bam", "old");
  ProcessResult result = run_samsort({"-o", scratch.file("first.bam"), input_bam()});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(is_symlink(scratch.file("first.bam")));
  EXPECT_TRUE(is_symlink(data_dir + "/second.bam"));
  EXPECT_TRUE(same_records_in_order(reference, data_dir + "/final.bam"));
  EXPECT_EQ(list_directory(data_dir), (std::vector<std::string>{"final.bam", "second.bam"}));
}

TEST(Destination, DanglingLinkCreatesItsTarget) {
  ScratchDir scratch;
  std::string reference = plain_sort(scratch);
  std::string data_dir = scratch.subdir("data");
  ASSERT_EQ(symlink((data_dir + "/new.bam").c_str(), scratch.file("link.bam").c_str()), 0);
  ProcessResult result = run_samsort({"-o", scratch.file("link.bam"), input_bam()});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(is_symlink(scratch.file("link.bam")));
  EXPECT_TRUE(same_records_in_order(reference, data_dir + "/new.bam"));
  EXPECT_EQ(list_directory(data_dir), std::vector<std::string>{"new.bam"});
}

TEST(Destination, IndexThroughALinkKeepsTheLink) {
  ScratchDir scratch;
  std::string data_dir = scratch.subdir("data");
  ASSERT_EQ(symlink((data_dir + "/real.csi").c_str(), scratch.file("out.bam.csi").c_str()), 0);
  ProcessResult result = run_samsort({"--write-index", "-o", scratch.file("out.bam"), input_bam()});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(is_symlink(scratch.file("out.bam.csi")));
  EXPECT_GT(file_size(data_dir + "/real.csi"), 0u);
  EXPECT_EQ(count_records(scratch.file("out.bam")), kRecords);
  EXPECT_EQ(list_directory(data_dir), std::vector<std::string>{"real.csi"});
}

TEST(Destination, LinkLoopIsRefusedEarly) {
  ScratchDir scratch;
  ASSERT_EQ(symlink("b.bam", scratch.file("a.bam").c_str()), 0);
  ASSERT_EQ(symlink("a.bam", scratch.file("b.bam").c_str()), 0);
  expect_early_failure({"-o", scratch.file("a.bam")}, 1, "symbolic links");
  EXPECT_EQ(list_directory(scratch.path()), (std::vector<std::string>{"a.bam", "b.bam"}));
}

// --- destinations that cannot work -----------------------------------------------------------

TEST(Destination, DirectoryIsRefusedBeforeReading) {
  ScratchDir scratch;
  std::string dir = scratch.subdir("out");
  expect_early_failure({"-o", dir}, 1, "directory");
  expect_early_failure({"-o", dir + "/"}, 1, "directory");
  EXPECT_TRUE(list_directory(dir).empty()) << join_lines(list_directory(dir));
}

TEST(Destination, EmptyPathIsAUsageError) {
  ScratchDir scratch;
  expect_early_failure({"-o", ""}, 2, "empty");
  expect_early_failure({"-o", scratch.file("out.bam"), "--stats", ""}, 2, "empty");
  EXPECT_TRUE(list_directory(scratch.path()).empty());
}

TEST(Destination, MissingDirectoryIsRefusedBeforeReading) {
  ScratchDir scratch;
  expect_early_failure({"-o", scratch.file("missing/out.bam")}, 1, "does not exist");
  // Through a dangling link into a missing directory, and for the index.
  ASSERT_EQ(symlink("missing/x.bam", scratch.file("link.bam").c_str()), 0);
  expect_early_failure({"-o", scratch.file("link.bam")}, 1, "does not exist");
  expect_early_failure(
      {"--write-index", "-o", scratch.file("out.bam") + "##idx##" + scratch.file("no/out.csi")}, 1,
      "does not exist");
  EXPECT_EQ(list_directory(scratch.path()), std::vector<std::string>{"link.bam"});
}

TEST(Destination, PathThroughAFileIsRefusedBeforeReading) {
  ScratchDir scratch;
  write_file(scratch.file("plain"), "x");
  expect_early_failure({"-o", scratch.file("plain/out.bam")}, 1, "Not a directory");
  EXPECT_EQ(list_directory(scratch.path()), std::vector<std::string>{"plain"});
}

// --- in place --------------------------------------------------------------------------------

TEST(Destination, ReadOnlyDirectoryWithWritableFileIsWrittenInPlace) {
  ScratchDir scratch;
  std::string reference = plain_sort(scratch);
  std::string input = scratch.file("input.bam");
  write_file(input, read_file(input_bam()));
  std::string dir = scratch.subdir("ro");
  std::string out = dir + "/out.bam";
  write_file(out, std::string(5'000'000, 'x'));  // longer than the sorted output
  std::vector<std::string> argv{kSamsortBin, "sort", "-o", out, input};
  if (geteuid() == 0) {
    // Root writes anywhere: run as nobody, who owns the file but not the directory.
    ASSERT_EQ(chmod(scratch.path().c_str(), 0755), 0);
    ASSERT_EQ(chmod(input.c_str(), 0644), 0);
    ASSERT_EQ(chown(out.c_str(), 65534, 65534), 0);
    argv.insert(argv.begin(), {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"});
  }
  ASSERT_EQ(chmod(dir.c_str(), 0555), 0);
  ProcessOptions options;
  options.environment = {{"TMPDIR", "/tmp"}};
  ProcessResult result = run_process(argv, options);
  chmod(dir.c_str(), 0755);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(contains(result.stderr_text, "written in place, not atomic")) << result.stderr_text;
  EXPECT_TRUE(same_records_in_order(reference, out));
  EXPECT_TRUE(ends_with_eof_block(out)) << "the old tail was not cut off";
  EXPECT_EQ(list_directory(dir), std::vector<std::string>{"out.bam"});
}

// --- standard streams and limits -------------------------------------------------------------

TEST(Destination, ClosedStandardStreamsDoNotBecomeTheOutput) {
  ScratchDir scratch;
  std::string reference = plain_sort(scratch);
  std::string out = scratch.file("out.bam");
  // stderr closed (the summary line and a warning would go there), then all three.
  for (const char* redirections : {"2>&-", "<&- >&- 2>&-"}) {
    ProcessResult result = run_shell(shell_quote(kSamsortBin) + " sort -o " + shell_quote(out) +
                                     " " + shell_quote(input_bam()) + " " + redirections);
    ASSERT_EQ(result.exit_code, 0) << redirections << ": " << result.describe();
    EXPECT_TRUE(same_records_in_order(reference, out)) << redirections;
    EXPECT_TRUE(ends_with_eof_block(out)) << redirections << ": something was appended";
  }
  ProcessResult warned = run_shell(shell_quote(kSamsortBin) + " sort -n --write-index -o " +
                                   shell_quote(out) + " " + shell_quote(input_bam()) + " 2>&-");
  ASSERT_EQ(warned.exit_code, 0) << warned.describe();
  EXPECT_EQ(count_records(out), kRecords);
  EXPECT_TRUE(ends_with_eof_block(out)) << "the warning went into the output";
  EXPECT_EQ(list_directory(scratch.path()), (std::vector<std::string>{"out.bam", "plain.bam"}));
}

TEST(Destination, FileSizeLimitIsOneErrorLine) {
  ScratchDir scratch;
  std::string out_dir = scratch.subdir("out");
  for (const char* format : {"bam", "sam"}) {
    // 64 blocks of 512 bytes: far less than the output.
    ProcessResult result =
        run_shell("ulimit -f 64 && exec " + shell_quote(kSamsortBin) + " sort -O " + format +
                  " -o " + shell_quote(out_dir + "/out") + " " + shell_quote(input_bam()));
    EXPECT_EQ(result.term_signal, 0) << format << ": killed by SIGXFSZ";
    EXPECT_EQ(result.exit_code, 1) << format << ": " << result.describe();
    EXPECT_TRUE(is_one_error_line(result.stderr_text)) << format;
    EXPECT_TRUE(contains(result.stderr_text, "File too large")) << result.stderr_text;
    EXPECT_TRUE(list_directory(out_dir).empty()) << join_lines(list_directory(out_dir));
  }
}

// --- the --stats file ------------------------------------------------------------------------

TEST(Destination, UnusableStatsPathFailsBeforeReadingAndLeavesNoOutput) {
  ScratchDir scratch;
  std::string out = scratch.file("out.bam");
  std::string dir = scratch.subdir("dir");
  expect_early_failure({"-o", out, "--stats", scratch.file("missing/stats.json")}, 1,
                       "does not exist");
  expect_early_failure({"-o", out, "--stats", dir}, 1, "directory");
  expect_early_failure({"--stats", "-"}, 2, "standard output");
  EXPECT_EQ(list_directory(scratch.path()), std::vector<std::string>{"dir"});
  EXPECT_TRUE(list_directory(dir).empty());
}

TEST(Destination, StatsAndOutputAreCommittedTogether) {
  ScratchDir scratch;
  std::string out = scratch.file("out.bam");
  std::string stats = scratch.file("stats.json");
  ProcessResult result = run_samsort({"-o", out, "--stats", stats, input_bam()});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(contains(read_file(stats), "\"records_out\": " + std::to_string(kRecords)));
  EXPECT_EQ(count_records(out), kRecords);
  EXPECT_EQ(list_directory(scratch.path()), (std::vector<std::string>{"out.bam", "stats.json"}));
  // Stats to stdout when the output is a file.
  result = run_samsort({"-o", out, "--stats", "-", input_bam()});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(contains(result.stdout_text, "\"records_in\": " + std::to_string(kRecords)));
}

TEST(Destination, StatsWriteFailureLeavesNoOutput) {
  ScratchDir scratch;
  std::string node = scratch.file("full");
  MAKE_DEVICE_OR_SKIP(node, 7);
  std::string out_dir = scratch.subdir("out");
  ProcessResult result = run_samsort({"-o", out_dir + "/out.bam", "--stats", node, input_bam()});
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text));
  EXPECT_TRUE(list_directory(out_dir).empty()) << join_lines(list_directory(out_dir));
}

// --- stale temporaries -----------------------------------------------------------------------

pid_t dead_pid() {
  pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  return child;
}

TEST(Destination, StaleTemporaryOfADeadProcessIsRemovedOthersKept) {
  ScratchDir scratch;
  std::string host = owner_tag().substr(0, owner_tag().rfind('.'));
  pid_t dead = dead_pid();
  std::string stale = ".out.bam.samsort-tmp." + host + "." + std::to_string(dead) + ".Ab12Cd";
  std::string live = ".out.bam.samsort-tmp." + host + "." + std::to_string(getpid()) + ".Ef34Gh";
  std::string foreign = ".out.bam.samsort-tmp.elsewhere." + std::to_string(dead) + ".Ij56Kl";
  std::string other_output =
      ".other.bam.samsort-tmp." + host + "." + std::to_string(dead) + ".x1y2z3";
  for (const std::string& name : {stale, live, foreign, other_output}) {
    write_file(scratch.file(name), "partial");
  }
  ProcessResult result = run_samsort({"-o", scratch.file("out.bam"), input_bam()});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(contains(result.stderr_text, "samsort: removed stale temporary file " +
                                               scratch.file(stale) + " of dead process " +
                                               std::to_string(dead) + "\n"))
      << result.stderr_text;
  std::vector<std::string> expected{other_output, live, foreign, "out.bam"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(list_directory(scratch.path()), expected);
}

}  // namespace
}  // namespace samsort::e2e
