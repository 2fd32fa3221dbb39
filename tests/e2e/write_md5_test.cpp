// --write-md5 (Picard's CREATE_MD5_FILE): OUT.md5 holds the output file's MD5 as Picard writes
// it (32 lower-case hex digits, no newline) for every format, order, thread count and spill
// pattern; it is committed with the output (beside a symbolic link's name, as Picard does) and
// never left behind by a failed sort.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "e2e_support.hpp"

namespace samsort::e2e {
namespace {

std::string md5sum_of(const std::string& path) {
  ProcessResult result = run_process({"md5sum", path});
  EXPECT_TRUE(result.exited_ok()) << result.describe();
  return result.stdout_text.substr(0, 32);
}

bool is_picard_md5_text(const std::string& text) {
  if (text.size() != 32) return false;
  for (char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c)) == 0 || std::isupper(c) != 0) return false;
  }
  return true;
}

struct Md5Case {
  const char* name;
  std::vector<std::string> args;
  const char* extension;
};

TEST(WriteMd5Test, DigestOfTheWrittenFileInEveryFormatAndOrder) {
  std::string input = generated_bam(40'000, 91);
  std::vector<Md5Case> cases = {
      {"bam", {}, ".bam"},
      {"bam spills -@2", {"-@", "2", "--debug-max-run-bytes", "1M"}, ".bam"},
      {"bam -n spills", {"-n", "--debug-max-run-bytes", "1M"}, ".bam"},
      {"bam template -@2", {"--template-coordinate", "-@", "2"}, ".bam"},
      {"bam -u", {"-u"}, ".bam"},
      {"bam with index", {"--write-index"}, ".bam"},
      {"sam", {"-O", "sam"}, ".sam"},
      {"sam.gz -@2 spills", {"-@", "2", "--debug-max-run-bytes", "1M"}, ".sam.gz"},
      {"cram no_ref -@2", {"-O", "cram,no_ref=1", "-@", "2"}, ".cram"},
  };
  for (const Md5Case& md5_case : cases) {
    SCOPED_TRACE(md5_case.name);
    SortDirs dirs;
    std::string output = dirs.out_dir + "/out" + md5_case.extension;
    std::vector<std::string> args = md5_case.args;
    args.insert(args.end(), {"--write-md5", "-T", dirs.spill_dir, "-o", output, input});
    ProcessResult result = run_samsort(args);
    ASSERT_TRUE(result.exited_ok()) << result.describe();
    std::string written = read_text(output + ".md5");
    EXPECT_TRUE(is_picard_md5_text(written)) << "'" << written << "'";
    EXPECT_EQ(written, md5sum_of(output));
    EXPECT_TRUE(list_directory(dirs.spill_dir).empty());
  }
}

TEST(WriteMd5Test, InPlaceOutputHashesOnlyWhatWasWritten) {
  // A read-only directory holding a longer, writable out.sam and out.sam.md5: both are written
  // in place and out.sam is cut to the new output, whose MD5 must not cover the old tail.
  if (geteuid() == 0) GTEST_SKIP() << "root ignores the directory's permissions";
  ScratchDir scratch;
  std::string dir = scratch.subdir("ro");
  std::string output = dir + "/out.sam";
  std::ofstream(output) << std::string(20'000'000, 'x');
  std::ofstream(output + ".md5") << "old";
  ASSERT_EQ(chmod(dir.c_str(), 0555), 0);
  ProcessResult result = run_samsort({"-O", "sam", "--write-md5", "-o", output, example_bam()});
  chmod(dir.c_str(), 0755);
  ASSERT_TRUE(result.exited_ok()) << result.describe();
  EXPECT_LT(file_size(output), 20'000'000u);
  EXPECT_EQ(read_text(output + ".md5"), md5sum_of(output));
}

TEST(WriteMd5Test, BesideASymlinksName) {
  ScratchDir scratch;
  std::string data_dir = scratch.subdir("data");
  std::string link_dir = scratch.subdir("links");
  ASSERT_EQ(symlink((data_dir + "/target.bam").c_str(), (link_dir + "/link.bam").c_str()), 0);
  ProcessResult result = run_samsort({"--write-md5", "-o", link_dir + "/link.bam", example_bam()});
  ASSERT_TRUE(result.exited_ok()) << result.describe();
  EXPECT_EQ(read_text(link_dir + "/link.bam.md5"), md5sum_of(data_dir + "/target.bam"));
  EXPECT_EQ(list_directory(data_dir), std::vector<std::string>{"target.bam"});
}

TEST(WriteMd5Test, RefusedForStandardOutput) {
  ProcessResult result = run_samsort({"--write-md5", example_bam()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(is_one_error_line(result.stderr_text)) << result.stderr_text;
  EXPECT_TRUE(contains(result.stderr_text, "--write-md5 needs an output file"));
}

TEST(WriteMd5Test, NothingLeftWhenTheSortFails) {
  SortDirs dirs;
  std::string truncated = dirs.scratch.file("truncated.bam");
  copy_prefix(example_bam(), truncated, file_size(example_bam()) / 2);
  ProcessResult result = run_samsort({"--write-md5", "-o", dirs.output, truncated});
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_TRUE(list_directory(dirs.out_dir).empty());
}

}  // namespace
}  // namespace samsort::e2e
