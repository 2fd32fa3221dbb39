// Typed errors: message formats (path, errno text, compressed offset, 1-based record number)
// and exit codes (usage 2, runtime 1, signal 128 + N).
#include "samsort/core/errors.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <string>

namespace samsort {
namespace {

TEST(ErrorsTest, FormatErrorNamesPathOffsetAndRecord) {
  FormatError plain("in.bam", "bad block", 1234);
  EXPECT_EQ(std::string(plain.what()), "in.bam: bad block, at compressed offset 1234");
  FormatError with_record("in.bam", "bad record", 99, 0);
  EXPECT_EQ(std::string(with_record.what()),
            "in.bam: bad record, at compressed offset 99 / record 1");
  EXPECT_EQ(plain.exit_code(), 1);
}

TEST(ErrorsTest, IoErrorCarriesErrno) {
  IoError error("/x/y", "cannot open input", ENOENT);
  EXPECT_EQ(error.errno_value(), ENOENT);
  EXPECT_EQ(std::string(error.what()), "/x/y: cannot open input: No such file or directory");
  EXPECT_EQ(error.exit_code(), 1);
}

TEST(ErrorsTest, ExitCodes) {
  EXPECT_EQ(UsageError("u").exit_code(), 2);
  EXPECT_EQ(ResourceError("r").exit_code(), 1);
  EXPECT_EQ(Error("e").exit_code(), 1);
  InterruptedError interrupted(SIGINT);
  EXPECT_EQ(interrupted.exit_code(), 130);
  EXPECT_EQ(InterruptedError(SIGTERM).exit_code(), 143);
  const Error& as_base = interrupted;
  EXPECT_EQ(as_base.exit_code(), 130);
}

}  // namespace
}  // namespace samsort
