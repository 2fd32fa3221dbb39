// Write errors: the file size limit is reported with the bytes written so far; a full device
// (/dev/full) and other errors keep the plain "write failed" form.
#include "samsort/io/file_io.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <string>
#include <vector>

#include "samsort/core/errors.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

// A full device has no directory to clean up: the plain form with the errno text. (A full
// disk under a regular file, named with its directory, is tested end to end in fault_test.)
TEST(WriteErrors, FullDeviceSaysWriteFailed) {
  FileDescriptor full(open("/dev/full", O_WRONLY | O_CLOEXEC));
  if (!full.valid()) GTEST_SKIP() << "no /dev/full";
  std::vector<char> data(4096, 'x');
  try {
    write_fully(full.get(), data.data(), data.size(), "/dev/full");
    FAIL() << "no error";
  } catch (const IoError& error) {
    EXPECT_EQ(error.errno_value(), ENOSPC);
    EXPECT_EQ(std::string(error.what()), "/dev/full: write failed: No space left on device");
  }
}

// ulimit -f with SIGXFSZ ignored (as main does): EFBIG, reported with the bytes written. In a
// forked child, whose limit and signal disposition the test may change.
TEST(WriteErrors, FileSizeLimitNamesTheLimitAndTheBytes) {
  test::ScratchDir scratch;
  std::string path = scratch.file("limited");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    signal(SIGXFSZ, SIG_IGN);
    rlimit limit{8192, 8192};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(10);
    FileDescriptor file(open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    std::vector<char> data(20000, 'x');
    try {
      write_fully(file.get(), data.data(), data.size(), path);
    } catch (const IoError& error) {
      std::string message = error.what();
      bool named =
          message.find("file size limit (ulimit -f) reached after 8192 bytes") != std::string::npos;
      _exit(error.errno_value() == EFBIG && named ? 0 : 11);
    }
    _exit(12);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(WriteErrors, OtherErrorsSayWriteFailed) {
  test::ScratchDir scratch;
  std::string path = scratch.file("read-only");
  test::write_file_bytes(path, std::vector<std::uint8_t>(10, 1));
  FileDescriptor read_only(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(read_only.valid());
  char byte = 0;
  try {
    write_fully(read_only.get(), &byte, 1, path);
    FAIL() << "no error";
  } catch (const IoError& error) {
    EXPECT_TRUE(test::contains(error.what(), path + ": write failed: ")) << error.what();
    EXPECT_EQ(error.errno_value(), EBADF);
  }
}

}  // namespace
}  // namespace samsort
