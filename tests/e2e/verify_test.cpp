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
