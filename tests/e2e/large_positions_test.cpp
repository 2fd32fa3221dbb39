// Positions beyond 2^31 (references longer than 2 Gbp): samtools' own large-position sort tests
// (testdata/samtools-tests/large_pos), generated data with spills and merge passes against
// samtools, CRAM 4.0 output, and the refusals samtools makes (BAM and CRAM 3 cannot hold them).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "e2e_support.hpp"

namespace samsort::e2e {
namespace {

std::string large_pos_file(const std::string& name) {
  return std::string(kTestDataDir) + "/samtools-tests/large_pos/" + name;
}

// samtools test.pl's "Sort": `samtools sort -O sam --no-PG -m 10M longref_name.sam`.
TEST(LargePositionsTest, SamtoolsLongrefSort) {
  std::string expected = read_text(large_pos_file("longref.sam"));
  for (const char* threads : {"0", "2"}) {
    ProcessResult result = run_samsort(
        {"-O", "sam", "--no-PG", "-m", "10M", "-@", threads, large_pos_file("longref_name.sam")});
    ASSERT_TRUE(result.exited_ok()) << result.describe();
    EXPECT_EQ(result.stdout_text, expected) << "-@ " << threads;
  }
}

// test.pl's "Sort and fixmates": sort -n | fixmate | sort, with a position of 10^17.
TEST(LargePositionsTest, SamtoolsLongrefNameSortFixmateSort) {
  std::string expected = read_text(large_pos_file("longref3.expected.sam"));
  for (const char* threads : {"0", "2"}) {
    std::string command = std::string(kSamsortBin) + " sort -O sam --no-PG -n -m 10M -@ " +
                          threads + " --verbosity 0 " + large_pos_file("longref3.sam") +
                          " | samtools fixmate -O sam --no-PG - - | " + kSamsortBin +
                          " sort -O sam --no-PG -m 10M --verbosity 0 -@ " + threads;
    ProcessResult result = run_shell(command);
    ASSERT_TRUE(result.exited_ok()) << result.describe();
    EXPECT_EQ(result.stdout_text, expected) << "-@ " << threads;
  }
}

// longref_name.sam's records copied 300 times with new names and positions spread over 3 Mbp
// beyond 10 Gbp (a fixed linear congruential sequence): 28,500 records, 9 MB of SAM.
std::string write_many_large_positions(const ScratchDir& scratch) {
  std::istringstream input(read_text(large_pos_file("longref_name.sam")));
  std::vector<std::vector<std::string>> records;
  std::string header;
  for (std::string line; std::getline(input, line);) {
    if (line.starts_with("@")) {
      header += line + "\n";
      continue;
    }
    std::vector<std::string> fields;
    std::istringstream split(line);
    for (std::string field; std::getline(split, field, '\t');) fields.push_back(field);
    records.push_back(fields);
  }
  std::string path = scratch.file("many.sam");
  std::ofstream out(path);
  out << header;
  std::uint64_t state = 7;
  for (int copy = 0; copy < 300; ++copy) {
    for (std::vector<std::string> fields : records) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      fields[0].append("_").append(std::to_string(copy));
      fields[3] = std::to_string(std::stoll(fields[3]) +
                                 static_cast<std::int64_t>((state >> 33) % 3000) * 1000);
      for (std::size_t idx = 0; idx < fields.size(); ++idx) {
        out << (idx == 0 ? "" : "\t") << fields[idx];
      }
      out << "\n";
    }
  }
  return path;
}

// The records of SAM text (header lines dropped), and the first line where two differ.
std::vector<std::string> record_lines_of(const std::string& path) {
  std::istringstream text(read_text(path));
  std::vector<std::string> lines;
  for (std::string line; std::getline(text, line);) {
    if (!line.starts_with("@")) lines.push_back(line);
  }
  return lines;
}

::testing::AssertionResult same_lines(const std::vector<std::string>& expected,
                                      const std::vector<std::string>& actual) {
  for (std::size_t idx = 0; idx < std::min(expected.size(), actual.size()); ++idx) {
    if (expected[idx] != actual[idx]) {
      return ::testing::AssertionFailure()
             << "record " << idx + 1 << " differs:\n  expected " << expected[idx].substr(0, 60)
             << "\n  actual   " << actual[idx].substr(0, 60);
    }
  }
  if (expected.size() != actual.size()) {
    return ::testing::AssertionFailure()
           << expected.size() << " records expected, " << actual.size() << " written";
  }
  return ::testing::AssertionSuccess();
}

// Debian's samtools sorts these too (coordinate and -n; its -n @HD lacks SS, so records only).
TEST(LargePositionsTest, SpillsAndMergePassesMatchSamtools) {
  ScratchDir scratch;
  std::string input = write_many_large_positions(scratch);
  for (std::string order : {"", "-n"}) {
    std::string expected = scratch.file("expected" + order + ".sam");
    ProcessResult reference =
        run_shell("samtools sort " + order + " -O sam --no-PG -o " + expected + " " + input);
    ASSERT_TRUE(reference.exited_ok()) << reference.describe();
    std::string actual = scratch.file("actual" + order + ".sam");
    std::vector<std::string> args = {"-O",
                                     "sam",
                                     "--no-PG",
                                     "-@",
                                     "2",
                                     "--debug-max-run-bytes",
                                     "1",
                                     "--debug-max-fan-in",
                                     "3",
                                     "-T",
                                     scratch.subdir("spill" + order),
                                     "-o",
                                     actual};
    if (!order.empty()) args.push_back(order);
    args.push_back(input);
    ProcessResult result = run_samsort(args);
    ASSERT_TRUE(result.exited_ok()) << result.describe();
    SortSummary summary = parse_summary(result.stderr_text);
    EXPECT_GT(summary.runs, 3u);
    EXPECT_GT(summary.merge_passes, 0u);
    EXPECT_EQ(record_lines_of(actual).size(), 28'500u);
    EXPECT_TRUE(same_lines(record_lines_of(expected), record_lines_of(actual))) << order;
  }
}

// Every order on positions up to 10^17, against samtools HEAD's output digests
// (head_digests.tsv, made by tests/tools/make_large_pos_digests.sh), with spills at -@2.
TEST(LargePositionsTest, EveryOrderMatchesSamtoolsHead) {
  std::istringstream table(read_text(large_pos_file("head_digests.tsv")));
  int cases = 0;
  for (std::string line; std::getline(table, line);) {
    if (line.empty() || line.starts_with("#")) continue;
    std::string args = line.substr(0, line.find('\t'));
    std::string digest = line.substr(line.find('\t') + 1);
    for (const char* extra : {"", " -@ 2 --debug-max-run-bytes 1"}) {
      ProcessResult result = run_shell(
          std::string(kSamsortBin) + " sort " + args + extra + " -O sam --no-PG --verbosity 0 " +
          large_pos_file("longref3.expected.sam") + " | md5sum | cut -d' ' -f1");
      ASSERT_TRUE(result.exited_ok()) << result.describe();
      EXPECT_EQ(result.stdout_text, digest + "\n") << "sort " << args << extra;
    }
    ++cases;
  }
  EXPECT_EQ(cases, 6);
}

// CRAM 4.0 holds 64-bit positions: decoded, it is the SAM output.
TEST(LargePositionsTest, Cram4OutputHoldsThem) {
  ScratchDir scratch;
  std::string cram = scratch.file("out.cram");
  ProcessResult result = run_samsort({"-O", "cram,version=4.0,no_ref=1", "--no-PG", "-o", cram,
                                      large_pos_file("longref_name.sam")});
  ASSERT_TRUE(result.exited_ok()) << result.describe();
  ProcessResult decoded = run_process({"samtools", "view", "-h", "--no-PG", cram});
  ASSERT_TRUE(decoded.exited_ok()) << decoded.describe();
  EXPECT_EQ(decoded.stdout_text, read_text(large_pos_file("longref.sam")));
}

// samtools: "output format is not compatible with very large references" for BAM and CRAM 3.
TEST(LargePositionsTest, BamAndCram3OutputRefusedBeforeReading) {
  for (const char* format : {"bam", "cram", "cram,version=3.1"}) {
    SortDirs dirs;
    ProcessResult result = run_samsort({"-O", format, "-o", dirs.output, "-T", dirs.spill_dir,
                                        large_pos_file("longref_name.sam")});
    EXPECT_EQ(result.exit_code, 1) << format;
    EXPECT_TRUE(is_one_error_line(result.stderr_text)) << result.stderr_text;
    EXPECT_TRUE(contains(result.stderr_text, "not compatible with very large references"));
    EXPECT_TRUE(list_directory(dirs.out_dir).empty());
    EXPECT_TRUE(list_directory(dirs.spill_dir).empty());
  }
}

// A record beyond 2^31 on a reference whose @SQ says it is short: refused in one line for BAM.
TEST(LargePositionsTest, WideRecordOnShortReferenceRefusedForBam) {
  ScratchDir scratch;
  std::string sam = scratch.file("in.sam");
  std::ofstream(sam) << "@SQ\tSN:c\tLN:1000\nr\t0\tc\t5\t30\t4M\t=\t3000000000\t0\tACGT\tIIII\n";
  std::string output = scratch.file("out.bam");
  ProcessResult result = run_samsort({"-o", output, sam});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(is_one_error_line(result.stderr_text)) << result.stderr_text;
  EXPECT_TRUE(contains(result.stderr_text, "beyond 2^31 - 1")) << result.stderr_text;
  EXPECT_FALSE(path_exists(output));
  ProcessResult as_sam = run_samsort({"-O", "sam", "--no-PG", sam});
  ASSERT_TRUE(as_sam.exited_ok()) << as_sam.describe();
  EXPECT_TRUE(contains(as_sam.stdout_text, "\t3000000000\t")) << as_sam.stdout_text;
}

}  // namespace
}  // namespace samsort::e2e
