// `samsort verify`: accepts samsort's and samtools' sorted outputs, rejects an unsorted file
// and names the first record out of order.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "e2e_support.hpp"

namespace samsort::e2e {
namespace {

ProcessResult run_verify(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kSamsortBin, "verify"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv);
}

TEST(VerifyCommand, AcceptsSamsortAndSamtoolsCoordinateOutputs) {
  ScratchDir scratch;
  std::string input = generated_bam(200000, 11);
  std::string ours = scratch.file("ours.bam");
  ASSERT_EQ(run_samsort({"-@", "2", "-l", "1", "-o", ours, input}).exit_code, 0);
  ProcessResult result = run_verify({ours});
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_NE(result.stderr_text.find("200000 records in order"), std::string::npos)
      << result.stderr_text;
  result = run_verify({samtools_reference(input)});
  EXPECT_EQ(result.exit_code, 0) << result.describe();
}

TEST(VerifyCommand, AcceptsOtherOrdersFromSamsort) {
  ScratchDir scratch;
  // The synthetic data has MC tags on every paired record (example.bam's supplementary
  // records lack them, so template-coordinate refuses it, as samtools does).
  std::string input = generated_bam(200000, 11);
  for (const char* flag : {"-n", "-N", "--template-coordinate"}) {
    std::string output = scratch.file(std::string("out") + flag + ".bam");
    ASSERT_EQ(run_samsort({flag, "-l", "1", "-o", output, input}).exit_code, 0) << flag;
    ProcessResult result = run_verify({flag, output});
    EXPECT_EQ(result.exit_code, 0) << flag << ": " << result.describe();
  }
}

// Independent of samsort's comparators: samtools HEAD's own sort outputs (testdata/samtools-
// tests, the contract's reference files) are accepted in their order, and the inputs they were
// sorted from are rejected.
TEST(VerifyCommand, JudgesSamtoolsHeadOutputsAndTheirInputs) {
  struct Case {
    std::vector<std::string> flags;
    const char* input;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {{}, "name.sort.expected.sam", "pos.sort.expected.sam"},
      {{"-n"}, "test_input_1_a.bam", "name.sort.expected.sam"},
      {{"-N"}, "test_input_1_b.bam", "name2.sort.expected.sam"},
      {{"-n"}, "sort_name_input_1.sam", "name3.sort.expected.sam"},
      {{"-t", "RG"}, "test_input_1_a.bam", "tag.rg.sort.expected.sam"},
      {{"-n", "-t", "RG"}, "test_input_1_a.bam", "tag.rg.n.sort.expected.sam"},
      {{"-t", "AS"}, "test_input_1_d.sam", "tag.as.sort.expected.sam"},
      {{"-t", "FI"}, "test_input_1_d.sam", "tag.fi.sort.expected.sam"},
      {{"--template-coordinate"},
       "template-coordinate.sort.sam",
       "template-coordinate.sort.expected.sam"},
      {{"--template-coordinate"},
       "template-coordinate.cell-barcode.sort.sam",
       "template-coordinate.cell-barcode.sort.expected.sam"},
      {{"--template-coordinate"},
       "template-coordinate-hardclip.sort.sam",
       "template-coordinate-hardclip.sort.expected.sam"},
  };
  const std::string dir = std::string(kTestDataDir) + "/samtools-tests/";
  for (const Case& test : cases) {
    SCOPED_TRACE(std::string(test.expected));
    std::vector<std::string> args = test.flags;
    args.push_back(dir + test.expected);
    ProcessResult sorted = run_verify(args);
    EXPECT_EQ(sorted.exit_code, 0) << sorted.describe();
    args.back() = dir + test.input;
    ProcessResult unsorted = run_verify(args);
    EXPECT_EQ(unsorted.exit_code, 1) << unsorted.describe();
    EXPECT_TRUE(contains(unsorted.stderr_text, "not sorted by")) << unsorted.stderr_text;
  }
}

TEST(VerifyCommand, RejectsUnsortedInputAndNamesTheRecord) {
  // example.bam is in aligner order: not coordinate-sorted, and not name-sorted either
  // (fixmate moves some supplementary lines ahead of their primary).
  ProcessResult result = run_verify({example_bam()});
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_NE(result.stderr_text.find("not sorted by coordinate: record "), std::string::npos)
      << result.stderr_text;
  EXPECT_NE(result.stderr_text.find("HWI-"), std::string::npos) << result.stderr_text;
}

TEST(VerifyCommand, RejectsCoordinateOutputAsNameOrder) {
  ScratchDir scratch;
  std::string output = scratch.file("coordinate.bam");
  ASSERT_EQ(run_samsort({"-l", "1", "-o", output, example_bam()}).exit_code, 0);
  ProcessResult result = run_verify({"--order", "queryname", output});
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_NE(result.stderr_text.find("not sorted by queryname"), std::string::npos)
      << result.stderr_text;
}

}  // namespace
}  // namespace samsort::e2e
