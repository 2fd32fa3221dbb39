// Allocation failures under an address-space limit (RLIMIT_AS, `ulimit -v`), with both
// allocators: a limit too small to start, one that lets the program start but not map its
// arena, and one imposed in the middle of a spilling sort (prlimit on the running process).
// Each must end with one "samsort: error: out of memory: ..." line, exit status 1 (not
// SIGABRT), and neither the output nor a temporary file left behind.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "child.hpp"
#include "e2e_support.hpp"

namespace samsort::e2e {
namespace {

constexpr double kTimeoutSeconds = 120;
constexpr int64_t kRecords = 200'000;
constexpr uint64_t kSeed = 11;
// Address-space limits in KiB (ulimit -v units): far below what the program, its libraries
// and the allocator need to start; enough to start and run the pipeline but not to map a
// 512 MiB arena.
constexpr long kTooSmallToStartKib = 20 * 1024;
constexpr long kNoRoomForArenaKib = 400 * 1024;
constexpr const char* kArenaBudget = "512M";
// Mid-sort: compressed bytes piped before the limit is set (several 256K runs spilled).
constexpr std::size_t kPipedBytes = 2 << 20;
constexpr rlim_t kLimitBelowUseBytes = 64 << 20;
const char* const kAllocators[] = {"mimalloc", "system"};

std::string input_bam() { return generated_bam(kRecords, kSeed); }

// Every stderr line is samsort's own (warnings allowed: the budget may be lowered to fit the
// limit), and exactly one is the out-of-memory error.
void expect_out_of_memory_line(const std::string& stderr_text) {
  std::istringstream lines(stderr_text);
  std::string line;
  int errors = 0;
  while (std::getline(lines, line)) {
    EXPECT_TRUE(line.rfind("samsort: warning: ", 0) == 0 || line.rfind(kErrorPrefix, 0) == 0)
        << "foreign stderr line: " << line;
    if (line.rfind(kErrorPrefix, 0) == 0) {
      ++errors;
      EXPECT_TRUE(contains(line, "samsort: error: out of memory: ")) << line;
      EXPECT_TRUE(contains(line, "address-space limit (ulimit -v)")) << line;
    }
  }
  EXPECT_EQ(errors, 1) << stderr_text;
}

void expect_failed_cleanly(const ChildResult& result, const SortDirs& dirs) {
  ASSERT_FALSE(result.timed_out) << result.describe();
  EXPECT_EQ(result.term_signal, 0) << result.describe();
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  expect_out_of_memory_line(result.stderr_text);
  EXPECT_TRUE(list_directory(dirs.out_dir).empty()) << join_lines(list_directory(dirs.out_dir));
  EXPECT_TRUE(list_directory(dirs.spill_dir).empty()) << join_lines(list_directory(dirs.spill_dir));
}

// samsort sort under `ulimit -v limit_kib` (set by the shell that execs it).
ChildResult sort_under_limit(long limit_kib, const std::string& allocator, const SortDirs& dirs,
                             const std::vector<std::string>& extra) {
  std::string command = "ulimit -v " + std::to_string(limit_kib) + " && exec " +
                        shell_quote(kSamsortBin) + " sort --allocator " + allocator + " -T " +
                        shell_quote(dirs.spill_dir) + " -o " + shell_quote(dirs.output);
  for (const std::string& arg : extra) command.append(" ").append(shell_quote(arg));
  return run_child({"/bin/sh", "-c", command}, ChildOptions{}, kTimeoutSeconds);
}

TEST(AllocationFailure, LimitTooSmallToStart) {
  for (const char* allocator : kAllocators) {
    SCOPED_TRACE(allocator);
    SortDirs dirs;
    expect_failed_cleanly(sort_under_limit(kTooSmallToStartKib, allocator, dirs, {input_bam()}),
                          dirs);
  }
}

TEST(AllocationFailure, LimitWithoutRoomForTheArenaNamesIt) {
  for (const char* allocator : kAllocators) {
    SCOPED_TRACE(allocator);
    SortDirs dirs;
    ChildResult result = sort_under_limit(kNoRoomForArenaKib, allocator, dirs,
                                          {"--max-memory", kArenaBudget, input_bam()});
    expect_failed_cleanly(result, dirs);
    EXPECT_TRUE(contains(result.stderr_text, "for the record arena")) << result.stderr_text;
  }
}

// The process's mapped address space now (VmSize), in bytes.
rlim_t address_space_in_use(pid_t pid) {
  std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
  unsigned long long pages = 0;
  statm >> pages;
  return static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE));
}

// Pipes part of the input, waits until runs were spilled and the pipe is drained, then limits
// the running sort's address space below what it has mapped: whatever it maps next (the
// merge's output ring, a thread's stack, the allocator's next segment) is refused.
TEST(AllocationFailure, LimitImposedWhileSpilling) {
  signal(SIGPIPE, SIG_IGN);  // a sort that dies early must fail the test, not kill it
  for (const char* allocator : kAllocators) {
    SCOPED_TRACE(allocator);
    SortDirs dirs;
    InputPipe input(input_bam());
    ChildOptions options;
    options.stdin_fd = input.read_fd();
    Child child({kSamsortBin, "sort", "--allocator", allocator, "-@", "2", "-T", dirs.spill_dir,
                 "--debug-max-run-bytes", "256K", "-o", dirs.output, "-"},
                options);
    input.close_read_end();
    ASSERT_TRUE(input.feed(kPipedBytes));
    bool spilling =
        wait_until([&] { return input.pending() == 0 && !list_directory(dirs.spill_dir).empty(); },
                   kTimeoutSeconds);
    ASSERT_TRUE(spilling) << "the sort never drained the pipe after spilling";
    ASSERT_TRUE(child.running());
    rlimit limit{};
    rlim_t in_use = address_space_in_use(child.pid());
    ASSERT_GT(in_use, kLimitBelowUseBytes);
    // Below what is mapped now: mappings already made stay, nothing new fits (even if a
    // thread stack or buffer was unmapped in between).
    limit.rlim_cur = in_use - kLimitBelowUseBytes;
    limit.rlim_max = RLIM_INFINITY;
    ASSERT_EQ(prlimit(child.pid(), RLIMIT_AS, &limit, nullptr), 0);
    // The rest of the input; a sort that already failed closes the pipe (EPIPE ends it).
    input.feed_rest();
    input.close_write_end();
    expect_failed_cleanly(child.wait(kTimeoutSeconds), dirs);
  }
}

}  // namespace
}  // namespace samsort::e2e
