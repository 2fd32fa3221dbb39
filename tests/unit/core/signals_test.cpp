// Signal cleanup: in a forked child that installed the handlers, SIGTERM/SIGINT/SIGHUP (taken
// by the sigwait thread) and SIGPIPE (async handler) remove the registered temporary file and
// directory, with stray files in it, and exit 128 + signal. The registry grows past its first
// block.
#include "samsort/core/signals.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "test_support.hpp"

namespace samsort {
namespace {

constexpr int kStrayFiles = 3;
constexpr int kChildSetupFailed = 99;
// A child that deadlocks is killed by SIGALRM after this long.
constexpr unsigned kChildAlarmSeconds = 10;
// How long the guarded child waits after sending itself SIGTERM before looking at its file.
constexpr useconds_t kGuardHoldMicros = 200'000;

bool exists(const std::string& path) {
  struct stat info {};
  return lstat(path.c_str(), &info) == 0;
}

void touch(const std::string& path) {
  int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  if (fd >= 0) close(fd);
}

// Forks a child that installs the handlers, registers `file` and `dir` (with stray files in
// it), then sends itself `signal_number` and waits; returns the child's wait status.
int status_after_signal(const std::string& file, const std::string& dir, int signal_number) {
  pid_t pid = fork();
  if (pid == 0) {
    signals::install_cleanup_handlers();
    touch(file);
    if (mkdir(dir.c_str(), 0700) != 0) _exit(kChildSetupFailed);
    for (int idx = 0; idx < kStrayFiles; ++idx) touch(dir + "/stray" + std::to_string(idx));
    signals::register_path(file, signals::PathKind::kFile);
    signals::register_path(dir, signals::PathKind::kDirectory);
    if (signal_number == SIGPIPE) {
      int pipe_fds[2];
      if (pipe(pipe_fds) != 0) _exit(kChildSetupFailed);
      close(pipe_fds[0]);
      char byte = 0;
      static_cast<void>(write(pipe_fds[1], &byte, 1));  // raises SIGPIPE in this thread
    } else {
      kill(getpid(), signal_number);
    }
    for (;;) pause();
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

class SignalCleanupTest : public ::testing::TestWithParam<int> {};

TEST_P(SignalCleanupTest, RemovesRegisteredPathsAndExits128PlusSignal) {
  test::ScratchDir scratch;
  std::string file = scratch.file("output.tmp");
  std::string dir = scratch.file("private-dir");
  int status = status_after_signal(file, dir, GetParam());
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 128 + GetParam());
  EXPECT_FALSE(exists(file));
  EXPECT_FALSE(exists(dir));
}

INSTANTIATE_TEST_SUITE_P(Signals, SignalCleanupTest,
                         ::testing::Values(SIGTERM, SIGINT, SIGHUP, SIGPIPE));

TEST(SignalRegistry, UnregisteredPathsAreLeftAlone) {
  test::ScratchDir scratch;
  std::string kept = scratch.file("kept");
  touch(kept);
  int handle = signals::register_path(kept, signals::PathKind::kFile);
  signals::unregister_path(handle);
  signals::remove_registered_paths();
  EXPECT_TRUE(exists(kept));
}

TEST(SignalRegistry, RemoveRegisteredPathsRemovesDirectoryWithEntries) {
  test::ScratchDir scratch;
  std::string dir = scratch.file("private");
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  touch(dir + "/runs.abc123");
  int handle = signals::register_path(dir, signals::PathKind::kDirectory);
  signals::remove_registered_paths();
  signals::unregister_path(handle);
  EXPECT_FALSE(exists(dir));
}

// "stem<idx>" (built by appending: GCC 12 warns falsely, -Wrestrict, on "literal" + string).
std::string numbered(const char* stem, int idx) {
  std::string name(stem);
  name += std::to_string(idx);
  return name;
}

// More paths than one registry block holds (16): every one registered, the unregistered ones
// left alone, the rest removed; freed handles are reused without losing the others.
TEST(SignalRegistry, GrowsBeyondOneBlock) {
  constexpr int kPaths = 100;
  test::ScratchDir scratch;
  std::vector<std::string> files;
  std::vector<int> handles;
  for (int idx = 0; idx < kPaths; ++idx) {
    files.push_back(scratch.file(numbered("t", idx)));
    touch(files.back());
    handles.push_back(signals::register_path(files.back(), signals::PathKind::kFile));
  }
  // Free every third handle, then register one more path: it takes a freed slot.
  for (int idx = 0; idx < kPaths; idx += 3) signals::unregister_path(handles[idx]);
  std::string extra = scratch.file("extra");
  touch(extra);
  int extra_handle = signals::register_path(extra, signals::PathKind::kFile);
  EXPECT_EQ(extra_handle, handles[0]);
  signals::remove_registered_paths();
  for (int idx = 0; idx < kPaths; ++idx) {
    EXPECT_EQ(exists(files[idx]), idx % 3 == 0) << files[idx];
    if (idx % 3 != 0) signals::unregister_path(handles[idx]);
  }
  EXPECT_FALSE(exists(extra));
  signals::unregister_path(extra_handle);
}

// A SIGTERM in a child with 100 registered directories (more than the static block) removes
// every one of them: the signal path walks the blocks added later.
TEST(SignalRegistry, SignalRemovesPathsInEveryBlock) {
  constexpr int kDirs = 100;
  test::ScratchDir scratch;
  pid_t pid = fork();
  if (pid == 0) {
    signals::install_cleanup_handlers();
    for (int idx = 0; idx < kDirs; ++idx) {
      std::string dir = scratch.file(numbered("d", idx));
      if (mkdir(dir.c_str(), 0700) != 0) _exit(kChildSetupFailed);
      touch(dir + "/stray");
      signals::register_path(dir, signals::PathKind::kDirectory);
    }
    kill(getpid(), SIGTERM);
    for (;;) pause();
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
  for (int idx = 0; idx < kDirs; ++idx) {
    EXPECT_FALSE(exists(scratch.file(numbered("d", idx)))) << idx;
  }
}

// In a forked child: a signal that arrives while two nested guards are held waits for the outer
// one. The child registers a file under both guards, sends itself SIGTERM, and reports through
// a pipe whether the file is still there after a pause; when the guards go, the signal thread
// removes it and exits 128 + SIGTERM. A guard that did not nest would deadlock (the alarm turns
// that into a failure); one that did not hold off the cleanup would report the file gone.
TEST(SignalRegistry, GuardNestsAndHoldsOffCleanup) {
  test::ScratchDir scratch;
  std::string file = scratch.file("guarded.tmp");
  int report[2];
  ASSERT_EQ(pipe(report), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(report[0]);
    alarm(kChildAlarmSeconds);
    signals::install_cleanup_handlers();
    touch(file);
    {
      signals::CleanupGuard outer;
      {
        signals::CleanupGuard inner;
        signals::register_path(file, signals::PathKind::kFile);
      }
      kill(getpid(), SIGTERM);
      usleep(kGuardHoldMicros);
      char still_there = exists(file) ? 'y' : 'n';
      if (write(report[1], &still_there, 1) != 1) _exit(kChildSetupFailed);
    }
    for (;;) pause();
  }
  close(report[1]);
  char still_there = '?';
  ssize_t got = read(report[0], &still_there, 1);
  close(report[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_EQ(got, 1) << "child reported nothing; status " << status;
  EXPECT_EQ(still_there, 'y') << "the signal's cleanup ran while a guard was held";
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
  EXPECT_FALSE(exists(file));
}

}  // namespace
}  // namespace samsort
