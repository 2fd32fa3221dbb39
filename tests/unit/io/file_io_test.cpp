// Write errors: a full device (/dev/full gives ENOSPC) is reported with the directory and the
// bytes written so far; other errors keep the plain "write failed" form.
#include "samsort/io/file_io.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "samsort/core/errors.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

TEST(WriteErrors, DiskFullNamesTheDirectory) {
  FileDescriptor full(open("/dev/full", O_WRONLY | O_CLOEXEC));
  if (!full.valid()) GTEST_SKIP() << "no /dev/full";
  std::vector<char> data(4096, 'x');
  try {
    write_fully(full.get(), data.data(), data.size(), "/dev/full");
    FAIL() << "no error";
  } catch (const IoError& error) {
    std::string message = error.what();
    EXPECT_EQ(error.errno_value(), ENOSPC);
    EXPECT_TRUE(test::contains(message, "/dev/full: no space left in /dev")) << message;
    EXPECT_TRUE(test::contains(message, "No space left on device")) << message;
  }
  try {
    pwrite_fully(full.get(), data.data(), data.size(), 12345, "/dev/full");
    FAIL() << "no error";
  } catch (const IoError& error) {
    std::string message = error.what();
    EXPECT_TRUE(test::contains(message, "after 12345 bytes")) << message;
  }
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
