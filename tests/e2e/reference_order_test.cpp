// The independent reference comparator (support/reference_order.*) against samtools' own sort
// tests (testdata/samtools-tests: each input and what samtools wrote for -n, -N, -t TAG,
// --template-coordinate and coordinate): the reference's order of the input records is the
// expected file's record order, line for line as `samtools view` prints them. The expected
// files are samtools HEAD's (the contract), so these also pin CB keys and hard-clip handling.
// Plus the contract's example name orders, written out by hand.
#include "reference_order.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "e2e_support.hpp"
#include "oracle.hpp"

namespace samsort::e2e {
namespace {

struct SamtoolsCase {
  const char* name;
  const char* input;     // in testdata/samtools-tests
  const char* expected;  // samtools' output for `sort`
  OracleSort sort;
};

std::ostream& operator<<(std::ostream& out, const SamtoolsCase& samtools_case) {
  return out << samtools_case.name;
}

std::string samtools_test_file(const std::string& name) {
  return std::string(kTestDataDir) + "/samtools-tests/" + name;
}

// `samtools view FILE` (records only), one element per line.
std::vector<std::string> record_lines(const std::string& path) {
  ProcessResult result = run_process({"samtools", "view", path});
  EXPECT_TRUE(result.exited_ok()) << result.describe();
  std::vector<std::string> lines;
  std::istringstream text(result.stdout_text);
  for (std::string line; std::getline(text, line);) lines.push_back(line);
  return lines;
}

class SamtoolsSortDataTest : public ::testing::TestWithParam<SamtoolsCase> {};

TEST_P(SamtoolsSortDataTest, ReferenceOrderIsSamtoolsOrder) {
  const SamtoolsCase& samtools_case = GetParam();
  ScratchDir scratch;
  std::string input = samtools_test_file(samtools_case.input);
  // The reference reads BAM: SAM inputs go through `samtools view -b` first.
  std::string bam = scratch.file("input.bam");
  ProcessResult converted = run_process({"samtools", "view", "-b", "--no-PG", "-o", bam, input});
  ASSERT_TRUE(converted.exited_ok()) << converted.describe();
  BamRecords records = read_bam_records(bam);
  std::vector<std::string> input_lines = record_lines(bam);
  std::vector<std::string> expected = record_lines(samtools_test_file(samtools_case.expected));
  ASSERT_EQ(input_lines.size(), records.size());
  ASSERT_EQ(expected.size(), records.size());
  // The sort moves records, so input order alone could not pass.
  EXPECT_NE(input_lines, expected);

  std::vector<size_t> order = reference_order(records, samtools_case.sort);
  std::vector<std::string> actual;
  for (size_t idx : order) actual.push_back(input_lines[idx]);
  for (size_t idx = 0; idx < expected.size(); ++idx) {
    EXPECT_EQ(actual[idx], expected[idx]) << "record " << idx;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Samtools, SamtoolsSortDataTest,
    // test_input_1_a.bam is in coordinate order already: Coordinate starts from its name order.
    ::testing::Values(SamtoolsCase{"Coordinate",
                                   "name.sort.expected.sam",
                                   "pos.sort.expected.sam",
                                   {OracleOrder::kCoordinate, ""}},
                      SamtoolsCase{"QueryName",
                                   "test_input_1_a.bam",
                                   "name.sort.expected.sam",
                                   {OracleOrder::kQueryName, ""}},
                      SamtoolsCase{"QueryNameLex",
                                   "test_input_1_b.bam",
                                   "name2.sort.expected.sam",
                                   {OracleOrder::kQueryNameLex, ""}},
                      SamtoolsCase{"QueryNameDigits",
                                   "sort_name_input_1.sam",
                                   "name3.sort.expected.sam",
                                   {OracleOrder::kQueryName, ""}},
                      SamtoolsCase{"TagRG",
                                   "test_input_1_a.bam",
                                   "tag.rg.sort.expected.sam",
                                   {OracleOrder::kCoordinate, "RG"}},
                      SamtoolsCase{"TagRGQueryName",
                                   "test_input_1_a.bam",
                                   "tag.rg.n.sort.expected.sam",
                                   {OracleOrder::kQueryName, "RG"}},
                      SamtoolsCase{"TagAS",
                                   "test_input_1_d.sam",
                                   "tag.as.sort.expected.sam",
                                   {OracleOrder::kCoordinate, "AS"}},
                      SamtoolsCase{"TagFI",
                                   "test_input_1_d.sam",
                                   "tag.fi.sort.expected.sam",
                                   {OracleOrder::kCoordinate, "FI"}},
                      SamtoolsCase{"TemplateCoordinate",
                                   "template-coordinate.sort.sam",
                                   "template-coordinate.sort.expected.sam",
                                   {OracleOrder::kTemplateCoordinate, ""}},
                      SamtoolsCase{"TemplateCoordinateCellBarcode",
                                   "template-coordinate.cell-barcode.sort.sam",
                                   "template-coordinate.cell-barcode.sort.expected.sam",
                                   {OracleOrder::kTemplateCoordinate, ""}},
                      SamtoolsCase{"TemplateCoordinateHardClip",
                                   "template-coordinate-hardclip.sort.sam",
                                   "template-coordinate-hardclip.sort.expected.sam",
                                   {OracleOrder::kTemplateCoordinate, ""}}),
    [](const ::testing::TestParamInfo<SamtoolsCase>& param_info) {
      return std::string(param_info.param.name);
    });

// The contract's example (specs/sort-orders.md): names in natural order, each step strictly
// increasing except the equal pairs (a1 == a001 == a01, x0 == x00).
TEST(ReferenceNaturalCompare, ContractExampleOrder) {
  const std::vector<std::string> names = {"a/", "a1", "a001", "a01",  "a1a", "a01b", "a10",
                                          "a~", "r9", "r10",  "r010", "x",   "x0",   "x00"};
  auto equal_pair = [](const std::string& a, const std::string& b) {
    return (a == "a1" && b == "a001") || (a == "a001" && b == "a01") ||
           (a == "r10" && b == "r010") || (a == "x0" && b == "x00");
  };
  for (size_t idx = 0; idx + 1 < names.size(); ++idx) {
    int order = reference_natural_compare(names[idx].c_str(), names[idx + 1].c_str());
    int back = reference_natural_compare(names[idx + 1].c_str(), names[idx].c_str());
    if (equal_pair(names[idx], names[idx + 1])) {
      EXPECT_EQ(order, 0) << names[idx] << " vs " << names[idx + 1];
      EXPECT_EQ(back, 0) << names[idx + 1] << " vs " << names[idx];
    } else {
      EXPECT_LT(order, 0) << names[idx] << " vs " << names[idx + 1];
      EXPECT_GT(back, 0) << names[idx + 1] << " vs " << names[idx];
    }
  }
}

}  // namespace
}  // namespace samsort::e2e
