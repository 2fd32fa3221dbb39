// Minimiser order (samtools sort -M) end to end:
// - samtools' own tests (test/sort/minimiser-{basic,indexed,indexed-poly}.sam, copied into
//   testdata/samtools-tests): samsort's SAM output, header and records, equals the expected
//   file (@PG lines aside, as samtools' test.pl ignores them) at -@0 and -@2;
// - a differential check against samtools HEAD on an unaligned, partly placed copy of
//   testdata/example.bam: samsort's record lines and @HD line equal the digests that
//   tests/tools/make_minimiser_digests.sh took of samtools HEAD's output, for -M, -M -R,
//   -M -K 15, -M -H, -M -I ref.fa, -M -I ref.fa -H and -M -K 31 -R -H, in memory and with
//   many spilled runs (and intermediate merge passes), on 1 and 3 threads; and on the
//   committed edge-case reads of testdata/minimiser/iupac.bam;
// - -I's memory refusal: one error line with the MiB the reference needs.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "e2e_support.hpp"

namespace samsort::e2e {
namespace {

std::string samtools_test_dir() { return std::string(kTestDataDir) + "/samtools-tests"; }

// Lines of `text` without @PG lines.
std::vector<std::string> without_program_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("@PG\t", 0) != 0) lines.push_back(line);
  }
  return lines;
}

struct SamtoolsMinimiserCase {
  const char* expected;  // gzip'd in testdata/samtools-tests
  std::vector<std::string> options;
  int threads;
};

std::ostream& operator<<(std::ostream& out, const SamtoolsMinimiserCase& test_case) {
  return out << test_case.expected << " -@" << test_case.threads;
}

class SamtoolsMinimiserTest : public ::testing::TestWithParam<SamtoolsMinimiserCase> {};

TEST_P(SamtoolsMinimiserTest, OutputIsSamtoolsExpectedFile) {
  const SamtoolsMinimiserCase& test_case = GetParam();
  ScratchDir scratch;
  std::string output = scratch.file("out.sam");
  // As test.pl: `samtools reset --dupflag auto_indexed.bam | samtools sort -m 10M -M -K10 ...`;
  // minimiser-input.bam is that reset output.
  std::vector<std::string> args = {"-@", std::to_string(test_case.threads), "-m", "10M"};
  args.insert(args.end(), test_case.options.begin(), test_case.options.end());
  for (const char* arg : {"-O", "SAM", "--verbosity", "0", "-o"}) args.emplace_back(arg);
  args.push_back(output);
  args.push_back("minimiser-input.bam");
  ProcessOptions in_test_dir;
  in_test_dir.working_dir = samtools_test_dir();  // -I mpileup.ref.fa is relative
  ProcessResult sorted = run_samsort(args, in_test_dir);
  ASSERT_TRUE(sorted.exited_ok()) << sorted.describe();
  std::ifstream in(output);
  std::stringstream actual;
  actual << in.rdbuf();
  ProcessResult expected =
      run_process({"gzip", "-dc", samtools_test_dir() + "/" + test_case.expected});
  ASSERT_TRUE(expected.exited_ok()) << expected.describe();
  std::vector<std::string> want = without_program_lines(expected.stdout_text);
  std::vector<std::string> got = without_program_lines(actual.str());
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t idx = 0; idx < want.size(); ++idx) {
    ASSERT_EQ(got[idx], want[idx]) << "line " << idx + 1;
  }
}

INSTANTIATE_TEST_SUITE_P(
    SamtoolsTests, SamtoolsMinimiserTest,
    ::testing::Values(SamtoolsMinimiserCase{"minimiser-basic.sam.gz", {"-M", "-K10"}, 0},
                      SamtoolsMinimiserCase{"minimiser-basic.sam.gz", {"-M", "-K10"}, 2},
                      SamtoolsMinimiserCase{
                          "minimiser-indexed.sam.gz", {"-M", "-K10", "-I", "mpileup.ref.fa"}, 0},
                      SamtoolsMinimiserCase{
                          "minimiser-indexed.sam.gz", {"-M", "-K10", "-I", "mpileup.ref.fa"}, 2},
                      SamtoolsMinimiserCase{"minimiser-indexed-poly.sam.gz",
                                            {"-MH", "-K10", "-I", "mpileup.ref.fa"},
                                            0},
                      SamtoolsMinimiserCase{"minimiser-indexed-poly.sam.gz",
                                            {"-MH", "-K10", "-I", "mpileup.ref.fa"},
                                            2}));

// One line of testdata/minimiser/digests.tsv.
struct Digest {
  std::string options;
  std::string records_md5;
  std::string header_line;
};

std::vector<Digest> read_digests() {
  std::ifstream in(std::string(kTestDataDir) + "/minimiser/digests.tsv");
  std::vector<Digest> digests;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::size_t first = line.find('\t');
    std::size_t second = line.find('\t', first + 1);
    digests.push_back({line.substr(0, first), line.substr(first + 1, second - first - 1),
                       line.substr(second + 1)});
  }
  return digests;
}

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

class MinimiserDifferentialTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = new ScratchDir();
    input_ = scratch_->file("unaligned.bam");
    // The same derivation as tests/tools/make_minimiser_digests.sh.
    ProcessResult made =
        run_shell("samtools view -h " + shell_quote(example_bam()) +
                  " | perl -F'\\t' -lane 'if (/^@/) { print; next }"
                  " if ($. % 7) { $F[1] |= 4; @F[2..8] = (\"*\", 0, 0, \"*\", \"*\", 0, 0) }"
                  " print join(\"\\t\", @F)' | samtools view -b --no-PG -o " +
                  shell_quote(input_) + " -");
    ASSERT_TRUE(made.exited_ok()) << made.describe();
  }
  static void TearDownTestSuite() {
    delete scratch_;
    scratch_ = nullptr;
  }
  static ScratchDir* scratch_;
  static std::string input_;
};
ScratchDir* MinimiserDifferentialTest::scratch_ = nullptr;
std::string MinimiserDifferentialTest::input_;

TEST_F(MinimiserDifferentialTest, SameAsSamtoolsHeadInMemoryAndWithSpills) {
  std::vector<Digest> digests = read_digests();
  ASSERT_EQ(digests.size(), 12u);
  struct Shape {
    const char* threads;
    std::vector<std::string> extra;
    bool spills;
  };
  const std::vector<Shape> shapes = {
      {"1", {}, false},
      {"3", {}, false},
      {"1", {"--debug-max-run-bytes", "300K"}, true},
      {"3", {"--debug-max-run-bytes", "300K", "--debug-max-fan-in", "4"}, true},
      {"3", {"--debug-max-run-bytes", "4M"}, true},  // runs big enough for the thread team
  };
  // The committed edge-case reads (IUPAC codes, '=', empty and short reads, no qualities) are
  // few: sorted in memory only.
  const std::string iupac_prefix = "iupac:";
  const std::vector<Shape> iupac_shapes = {{"1", {}, false}, {"3", {}, false}};
  for (const Digest& digest : digests) {
    bool iupac = digest.options.rfind(iupac_prefix, 0) == 0;
    std::string input = iupac ? std::string(kTestDataDir) + "/minimiser/iupac.bam" : input_;
    std::string options = iupac ? digest.options.substr(iupac_prefix.size()) : digest.options;
    for (const Shape& shape : iupac ? iupac_shapes : shapes) {
      SCOPED_TRACE(digest.options + " -@" + shape.threads +
                   (shape.extra.empty() ? "" : " " + shape.extra[1]));
      ScratchDir scratch;
      std::string output = scratch.file("out.bam");
      std::vector<std::string> args = split_words(options);
      args.insert(args.end(), {"-@", shape.threads, "--no-PG", "-o", output, input});
      args.insert(args.end(), shape.extra.begin(), shape.extra.end());
      ProcessOptions in_testdata;
      in_testdata.working_dir = kTestDataDir;  // -I example.fa is relative
      ProcessResult sorted = run_samsort(args, in_testdata);
      ASSERT_TRUE(sorted.exited_ok()) << sorted.describe();
      SortSummary summary = parse_summary(sorted.stderr_text);
      ASSERT_TRUE(summary.found) << sorted.stderr_text;
      EXPECT_EQ(summary.runs > 0, shape.spills);
      ProcessResult records =
          run_shell("samtools view " + shell_quote(output) + " | md5sum | cut -d' ' -f1");
      ASSERT_TRUE(records.exited_ok()) << records.describe();
      EXPECT_EQ(records.stdout_text, digest.records_md5 + "\n");
      std::string header_line;
      for (const std::string& line : header_lines(output)) {
        if (line.rfind("@HD", 0) == 0) header_line = line;
      }
      EXPECT_EQ(header_line, digest.header_line);
    }
  }
}

TEST_F(MinimiserDifferentialTest, VerifyAcceptsMinimiserOutputAndRefusesItsInput) {
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  ProcessResult sorted = run_samsort({"-M", "-K", "15", "-H", "--debug-max-run-bytes", "1M", "-@",
                                      "2", "--verbosity", "0", "-o", output, input_});
  ASSERT_TRUE(sorted.exited_ok()) << sorted.describe();
  ProcessResult same = run_process({kSamsortBin, "verify", "-M", "-K", "15", "-H", output});
  EXPECT_EQ(same.exit_code, 0) << same.describe();
  ProcessResult other_k = run_process({kSamsortBin, "verify", "-M", "-K", "16", "-H", output});
  EXPECT_EQ(other_k.exit_code, 1) << other_k.describe();
  ProcessResult unsorted = run_process({kSamsortBin, "verify", "--order", "minimiser", input_});
  EXPECT_EQ(unsorted.exit_code, 1) << unsorted.describe();
  EXPECT_TRUE(contains(unsorted.stdout_text + unsorted.stderr_text, "not sorted by minimiser"));
}

TEST(MinimiserReferenceTest, ReferenceTooBigForTheBudgetIsOneErrorLine) {
  ScratchDir scratch;
  // -K 1 makes example.fa's bound one entry per base: far more than 64 MiB of table.
  ProcessResult sorted =
      run_samsort({"-M", "-K", "1", "-I", std::string(kTestDataDir) + "/example.fa", "--max-memory",
                   "64M", "-o", scratch.file("out.bam"), example_bam()});
  EXPECT_EQ(sorted.exit_code, 1) << sorted.describe();
  EXPECT_TRUE(is_one_error_line(sorted.stderr_text));
  EXPECT_TRUE(contains(sorted.stderr_text, "MiB for its minimiser index")) << sorted.stderr_text;
  EXPECT_FALSE(path_exists(scratch.file("out.bam")));
}

}  // namespace
}  // namespace samsort::e2e
