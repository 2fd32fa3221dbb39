// ensure_standard_streams_open: closed descriptors 0-2 come back as /dev/null, open ones are
// left alone. Runs in a forked child, whose descriptors the test may close.
#include "samsort/core/std_streams.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace samsort {
namespace {

bool is_dev_null(int fd) {
  struct stat info {};
  struct stat null_info {};
  return fstat(fd, &info) == 0 && stat("/dev/null", &null_info) == 0 &&
         info.st_rdev == null_info.st_rdev && S_ISCHR(info.st_mode);
}

TEST(StdStreamsTest, ClosedDescriptorsBecomeDevNull) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // stdout stays a pipe (must be kept); stdin and stderr are closed.
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(STDIN_FILENO);
    close(STDERR_FILENO);
    if (!ensure_standard_streams_open()) _exit(10);
    if (!is_dev_null(STDIN_FILENO) || !is_dev_null(STDERR_FILENO)) _exit(11);
    struct stat out {};
    if (fstat(STDOUT_FILENO, &out) != 0 || !S_ISFIFO(out.st_mode)) _exit(12);
    // The next file opened gets a descriptor above 2.
    int next = open("/dev/null", O_RDONLY);
    _exit(next > STDERR_FILENO ? 0 : 13);
  }
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace samsort
