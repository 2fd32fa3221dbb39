// Signal cleanup: in a forked child that installed the handlers, SIGTERM/SIGINT/SIGHUP (taken
// by the sigwait thread) and SIGPIPE (async handler) remove the registered temporary file and
// directory, with stray files in it, and exit 128 + signal. The registry refuses overflow.
#include "samsort/core/signals.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "samsort/core/errors.hpp"
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

TEST(SignalRegistry, OverflowIsAResourceError) {
  std::vector<int> handles;
  bool overflowed = false;
  for (int idx = 0; idx < 64 && !overflowed; ++idx) {
    try {
      handles.push_back(signals::register_path("/nonexistent/samsort-test-" + std::to_string(idx),
                                               signals::PathKind::kFile));
    } catch (const ResourceError&) {
      overflowed = true;
    }
  }
  for (int handle : handles) signals::unregister_path(handle);
  EXPECT_TRUE(overflowed);
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
