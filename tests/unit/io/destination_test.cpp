// Destination classification (stdout, staged files, links followed, devices and FIFOs direct,
// refusals with their errno), the temporary's name, stale-temporary removal, and OutputFile's
// commit and cleanup through a link.
#include "samsort/io/destination.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "samsort/core/errors.hpp"
#include "samsort/core/owner_tag.hpp"
#include "samsort/io/output_file.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int errno_of(const std::string& path) {
  try {
    resolve_destination(path);
  } catch (const IoError& error) {
    return error.errno_value();
  }
  return 0;
}

TEST(DestinationTest, DashIsStandardOutputAndEmptyIsAUsageError) {
  EXPECT_EQ(resolve_destination("-").mode, WriteMode::kStandardOutput);
  EXPECT_THROW(resolve_destination(""), UsageError);
}

TEST(DestinationTest, RegularAndNewFilesAreStaged) {
  test::ScratchDir scratch;
  write_text(scratch.file("old.bam"), "x");
  for (const char* name : {"old.bam", "new.bam"}) {
    Destination destination = resolve_destination(scratch.file(name));
    EXPECT_EQ(destination.mode, WriteMode::kStaged) << name;
    EXPECT_EQ(destination.final_path, scratch.file(name));
  }
}

TEST(DestinationTest, LinkChainsAreFollowedToTheLastTarget) {
  test::ScratchDir scratch;
  std::filesystem::create_directory(scratch.file("d"));
  ASSERT_EQ(symlink("d/middle", scratch.file("first").c_str()), 0);
  ASSERT_EQ(symlink("last", scratch.file("d/middle").c_str()), 0);
  // Dangling (last does not exist yet), then existing.
  EXPECT_EQ(resolve_destination(scratch.file("first")).final_path, scratch.file("d/last"));
  write_text(scratch.file("d/last"), "x");
  EXPECT_EQ(resolve_destination(scratch.file("first")).final_path, scratch.file("d/last"));
}

TEST(DestinationTest, FifoIsWrittenDirectly) {
  test::ScratchDir scratch;
  ASSERT_EQ(mkfifo(scratch.file("fifo").c_str(), 0600), 0);
  Destination destination = resolve_destination(scratch.file("fifo"));
  EXPECT_EQ(destination.mode, WriteMode::kDirect);
  EXPECT_EQ(destination.final_path, scratch.file("fifo"));
}

TEST(DestinationTest, UnusablePathsAreRefusedWithTheirErrno) {
  test::ScratchDir scratch;
  write_text(scratch.file("file"), "x");
  ASSERT_EQ(symlink("loop", scratch.file("loop").c_str()), 0);
  ASSERT_EQ(symlink("missing/x", scratch.file("dangling").c_str()), 0);
  EXPECT_EQ(errno_of(scratch.path()), EISDIR);
  EXPECT_EQ(errno_of(scratch.file("new/")), EISDIR);
  EXPECT_EQ(errno_of(scratch.file("missing/out.bam")), ENOENT);
  EXPECT_EQ(errno_of(scratch.file("dangling")), ENOENT);
  EXPECT_EQ(errno_of(scratch.file("file/out.bam")), ENOTDIR);
  EXPECT_EQ(errno_of(scratch.file("loop")), ELOOP);
}

TEST(DestinationTest, TemporaryNameCarriesTheOwnerTag) {
  EXPECT_EQ(temporary_pattern("dir/out.bam"),
            "dir/.out.bam.samsort-tmp." + owner_tag() + ".XXXXXX");
  EXPECT_EQ(temporary_pattern("out.bam"), "./.out.bam.samsort-tmp." + owner_tag() + ".XXXXXX");
}

TEST(DestinationTest, OnlyTemporariesOfDeadLocalProcessesAreRemoved) {
  test::ScratchDir scratch;
  pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  std::string host = owner_tag().substr(0, owner_tag().rfind('.'));
  std::string dead = ".out.bam.samsort-tmp." + host + "." + std::to_string(child) + ".abcdef";
  std::vector<std::string> kept{
      ".out.bam.samsort-tmp." + owner_tag() + ".abcdef",                        // alive: us
      ".out.bam.samsort-tmp.other-host." + std::to_string(child) + ".abcdef",   // elsewhere
      ".out.bam.samsort-tmp." + host + "." + std::to_string(child) + "abcdef",  // no dot
      ".other.samsort-tmp." + host + "." + std::to_string(child) + ".abcdef",   // other output
      "out.bam"};
  write_text(scratch.file(dead), "partial");
  for (const std::string& name : kept) write_text(scratch.file(name), "x");
  remove_stale_temporaries(scratch.file("out.bam"));
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(names_in(scratch.path()), kept);
}

TEST(OutputFileTest, CommitRenamesOverTheLinkTargetAndKeepsTheLink) {
  test::ScratchDir scratch;
  ASSERT_EQ(symlink("target.bam", scratch.file("link.bam").c_str()), 0);
  {
    OutputFile output(scratch.file("link.bam"));
    EXPECT_FALSE(output.in_place());
    EXPECT_EQ(output.neighbour_path(), scratch.file("target.bam"));
    EXPECT_NE(output.write_path(), scratch.file("target.bam"));
    ASSERT_EQ(write(output.fd(), "data", 4), 4);
    output.commit();
  }
  struct stat info {};
  ASSERT_EQ(lstat(scratch.file("link.bam").c_str(), &info), 0);
  EXPECT_TRUE(S_ISLNK(info.st_mode));
  EXPECT_EQ(read_text(scratch.file("target.bam")), "data");
  EXPECT_EQ(names_in(scratch.path()), (std::vector<std::string>{"link.bam", "target.bam"}));
}

TEST(OutputFileTest, WithoutCommitNothingIsLeft) {
  test::ScratchDir scratch;
  {
    OutputFile output(scratch.file("out.bam"));
    ASSERT_EQ(write(output.fd(), "data", 4), 4);
    EXPECT_EQ(names_in(scratch.path()).size(), 1u);
  }
  EXPECT_TRUE(names_in(scratch.path()).empty());
}

}  // namespace
}  // namespace samsort
