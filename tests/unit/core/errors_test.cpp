// Typed errors: message formats (path, errno text, compressed offset, 1-based record number)
// and exit codes (usage 2, runtime 1).
#include "samsort/core/errors.hpp"

#include <gtest/gtest.h>

#include <cerrno>
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
  UsageError usage("u");
  const Error& as_base = usage;
  EXPECT_EQ(as_base.exit_code(), 2);
}

}  // namespace
}  // namespace samsort
