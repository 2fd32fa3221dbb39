// TempDir placement (-T directory, -T prefix, beside the output, failure as IoError), the owner
// tag in its name, removal with its contents, removal of dead processes' directories (and
// nothing else), and directory_of.
#include "samsort/merge/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "samsort/core/errors.hpp"
#include "samsort/core/owner_tag.hpp"
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
    EXPECT_TRUE(starts_with(path, scratch.path() + "/samsort." + owner_tag() + ".")) << path;
    EXPECT_EQ(path.size(), (scratch.path() + "/samsort." + owner_tag() + ".XXXXXX").size());
    EXPECT_TRUE(is_directory(path));
    std::ofstream(path + "/leftover") << "x";
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::is_empty(scratch.path()));
}

TEST(TempDirTest, NonDirectoryOptionIsAPrefix) {
  test::ScratchDir scratch;
  TempDir dir(scratch.file("prefix"), "-");
  EXPECT_TRUE(starts_with(dir.path(), scratch.path() + "/prefix.samsort." + owner_tag() + "."))
      << dir.path();
  EXPECT_TRUE(is_directory(dir.path()));
}

TEST(TempDirTest, BesideTheOutputWithoutT) {
  test::ScratchDir scratch;
  TempDir dir("", scratch.file("out.bam"));
  EXPECT_TRUE(starts_with(dir.path(), scratch.path() + "/.samsort." + owner_tag() + "."))
      << dir.path();
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

TEST(TempDirPlaceTest, SamtoolsMeaningsOfT) {
  test::ScratchDir scratch;
  TempDirPlace in_dir = temp_dir_place(scratch.path(), "out.bam");
  EXPECT_EQ(in_dir.parent, scratch.path());
  EXPECT_EQ(in_dir.name_prefix, "samsort.");
  TempDirPlace prefix = temp_dir_place(scratch.file("run"), "out.bam");
  EXPECT_EQ(prefix.parent, scratch.path());
  EXPECT_EQ(prefix.name_prefix, "run.samsort.");
  TempDirPlace bare_prefix = temp_dir_place("run", "-");
  EXPECT_EQ(bare_prefix.parent, ".");
  EXPECT_EQ(bare_prefix.name_prefix, "run.samsort.");
  TempDirPlace beside = temp_dir_place("", "sub/out.bam");
  EXPECT_EQ(beside.parent, "sub");
  EXPECT_EQ(beside.name_prefix, ".samsort.");
}

// A pid that certainly belonged to a process that is gone now: a reaped child's.
long dead_pid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  int status = 0;
  waitpid(pid, &status, 0);
  return pid;
}

std::string host_part() {
  const std::string& tag = owner_tag();
  return tag.substr(0, tag.rfind('.'));
}

// A directory `name` in `parent` with one file in it (what a killed sort might leave).
std::string make_debris(const std::string& parent, const std::string& name) {
  std::string path = parent + "/" + name;
  std::filesystem::create_directory(path);
  std::ofstream(path + "/runs") << "x";
  return path;
}

TEST(StaleTempDirTest, RemovesDeadProcessesDirectoriesOnly) {
  test::ScratchDir scratch;
  std::string dead = host_part() + "." + std::to_string(dead_pid());
  std::string live = host_part() + "." + std::to_string(getppid());
  std::string stale = make_debris(scratch.path(), "samsort." + dead + ".a1B2c3");
  std::string stale_too = make_debris(scratch.path(), "samsort." + dead + ".zzzzzz");
  std::vector<std::string> kept = {
      make_debris(scratch.path(), "samsort." + live + ".a1B2c3"),         // a live process
      make_debris(scratch.path(), "samsort." + owner_tag() + ".a1B2c3"),  // this process
      make_debris(scratch.path(), "samsort.other-host.1.a1B2c3"),         // another host
      make_debris(scratch.path(), "samsort." + dead + ".toolong"),        // not mkdtemp's
      make_debris(scratch.path(), "samsort." + dead),                     // no random part
      make_debris(scratch.path(), "other." + dead + ".a1B2c3"),           // not samsort's
      make_debris(scratch.path(), ".samsort." + dead + ".a1B2c3"),        // another place's
  };
  std::ofstream(scratch.file("samsort." + dead + ".file00")) << "a plain file";
  kept.push_back(scratch.file("samsort." + dead + ".file00"));
  std::filesystem::create_directory_symlink(kept.front(),
                                            scratch.file("samsort." + dead + ".link00"));
  kept.push_back(scratch.file("samsort." + dead + ".link00"));

  testing::internal::CaptureStderr();
  std::size_t removed = remove_stale_temp_dirs(scratch.path(), "-");
  std::string messages = testing::internal::GetCapturedStderr();
  EXPECT_EQ(removed, 2u);
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_FALSE(std::filesystem::exists(stale_too));
  for (const std::string& path : kept) {
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::symlink_status(path))) << path;
  }
  EXPECT_TRUE(std::filesystem::exists(kept.front() + "/runs"));
  EXPECT_TRUE(test::contains(messages, "samsort: removed stale temporary directory " + stale))
      << messages;
  EXPECT_EQ(std::count(messages.begin(), messages.end(), '\n'), 2) << messages;
}

TEST(StaleTempDirTest, LooksWhereTheRunDirectoryWouldGo) {
  test::ScratchDir scratch;
  std::string dead = host_part() + "." + std::to_string(dead_pid());
  std::string prefixed = make_debris(scratch.path(), "job.samsort." + dead + ".a1B2c3");
  std::string beside = make_debris(scratch.path(), ".samsort." + dead + ".a1B2c3");
  testing::internal::CaptureStderr();
  EXPECT_EQ(remove_stale_temp_dirs(scratch.file("job"), "-"), 1u);
  EXPECT_FALSE(std::filesystem::exists(prefixed));
  EXPECT_TRUE(std::filesystem::exists(beside));
  EXPECT_EQ(remove_stale_temp_dirs("", scratch.file("out.bam")), 1u);
  EXPECT_FALSE(std::filesystem::exists(beside));
  // A place that does not exist is nothing to clean.
  EXPECT_EQ(remove_stale_temp_dirs(scratch.file("missing/job"), "-"), 0u);
  testing::internal::GetCapturedStderr();
}

}  // namespace
}  // namespace samsort
