// TempDir placement (-T directory, -T prefix, beside the output, failure as IoError), removal
// with its contents, and directory_of.
#include "samsort/merge/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "samsort/core/errors.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

bool is_directory(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

TEST(DirectoryOfTest, SplitsAtTheLastSlash) {
  EXPECT_EQ(directory_of("a/b/c.bam"), "a/b");
  EXPECT_EQ(directory_of("c.bam"), ".");
  EXPECT_EQ(directory_of("/c.bam"), "/");
  EXPECT_EQ(directory_of("/x/y"), "/x");
  EXPECT_EQ(directory_of(""), ".");
}

TEST(TempDirTest, InsideAnExistingDirectoryAndRemovedWithItsContents) {
  test::ScratchDir scratch;
  std::string path;
  {
    TempDir dir(scratch.path(), "-");
    path = dir.path();
    EXPECT_TRUE(starts_with(path, scratch.path() + "/samsort.")) << path;
    EXPECT_TRUE(is_directory(path));
    std::ofstream(path + "/leftover") << "x";
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::is_empty(scratch.path()));
}

TEST(TempDirTest, NonDirectoryOptionIsAPrefix) {
  test::ScratchDir scratch;
  TempDir dir(scratch.file("prefix"), "-");
  EXPECT_TRUE(starts_with(dir.path(), scratch.path() + "/prefix.samsort.")) << dir.path();
  EXPECT_TRUE(is_directory(dir.path()));
}

TEST(TempDirTest, BesideTheOutputWithoutT) {
  test::ScratchDir scratch;
  TempDir dir("", scratch.file("out.bam"));
  EXPECT_TRUE(starts_with(dir.path(), scratch.path() + "/.samsort.")) << dir.path();
  EXPECT_TRUE(is_directory(dir.path()));
}

TEST(TempDirTest, TwoTempDirsAreDistinct) {
  test::ScratchDir scratch;
  TempDir first(scratch.path(), "-");
  TempDir second(scratch.path(), "-");
  EXPECT_NE(first.path(), second.path());
}

TEST(TempDirTest, UncreatableDirectoryIsAnIoError) {
  test::ScratchDir scratch;
  auto message =
      test::thrown_message<IoError>([&] { TempDir dir(scratch.file("missing/sub/prefix"), "-"); });
  ASSERT_TRUE(message.has_value());
  EXPECT_TRUE(test::contains(*message, scratch.file("missing/sub"))) << *message;
}

}  // namespace
}  // namespace samsort
