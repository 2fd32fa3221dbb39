// Picard's orders and multi-tag -t: record order against Picard SortSam itself (digests of
// picard-tools 2.27.5's output kept in testdata/picard, made by tests/tools/make_picard_digests.sh)
// and against the independent reference comparators (support/reference_order.hpp) across threads
// and spilling budgets; @HD lines; verify; -t usage errors; single -t unchanged.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "e2e_support.hpp"
#include "oracle.hpp"
#include "random_records.hpp"
#include "reference_order.hpp"

namespace samsort::e2e {
namespace {

// The inputs Picard sorted for the digests: change them only together with the digests.
constexpr RandomRecordsSpec kPicardInputs[] = {{5'000, 21, false, true}, {3'000, 22, false, true}};
constexpr int64_t kPropertyRecords = 30'000;
constexpr uint64_t kPropertySeed = 23;

std::string input_name(const RandomRecordsSpec& spec) {
  return "picard_r" + std::to_string(spec.record_count) + "_s" + std::to_string(spec.seed);
}

std::vector<int64_t> ids_of(const std::string& bam) {
  BamRecords records = read_bam_records(bam);
  std::vector<int64_t> ids;
  for (size_t idx = 0; idx < records.size(); ++idx) ids.push_back(record_id(records.record(idx)));
  return ids;
}

std::string first_header_line(const std::string& bam) {
  std::string text = read_bam_records(bam).header_text;
  return text.substr(0, text.find('\n'));
}

// testdata/picard/<name>.<order>.ids: Picard's @HD line, then one record id a line.
struct PicardDigest {
  bool found = false;
  std::string hd_line;
  std::vector<int64_t> ids;
};

PicardDigest read_digest(const std::string& name, const std::string& order) {
  PicardDigest digest;
  std::ifstream in(std::string(kTestDataDir) + "/picard/" + name + "." + order + ".ids");
  if (!in) return digest;
  digest.found = static_cast<bool>(std::getline(in, digest.hd_line));
  for (int64_t id = 0; in >> id;) digest.ids.push_back(id);
  return digest;
}

// Writes the digest inputs into $SAMSORT_PICARD_INPUT_DIR for make_picard_digests.sh; skipped
// in normal runs.
TEST(PicardInputs, DISABLED_Write) {
  const char* dir = std::getenv("SAMSORT_PICARD_INPUT_DIR");
  ASSERT_NE(dir, nullptr) << "set SAMSORT_PICARD_INPUT_DIR";
  for (const RandomRecordsSpec& spec : kPicardInputs) {
    write_random_records(std::string(dir) + "/" + input_name(spec) + ".bam", spec);
  }
}

struct PicardCase {
  const char* order;  // --order value, also the digest's order name
  int threads;
  bool tiny;
};

std::string picard_case_name(const PicardCase& picard_case) {
  std::string name = picard_case.order;
  for (char& byte : name) {
    if (byte == '-') byte = '_';
  }
  return name + "_Threads" + std::to_string(picard_case.threads) +
         (picard_case.tiny ? "_TinyRuns" : "_InMemory");
}

void PrintTo(const PicardCase& picard_case, std::ostream* out) {
  *out << picard_case_name(picard_case);
}

class PicardDigestTest : public ::testing::TestWithParam<PicardCase> {};

TEST_P(PicardDigestTest, RecordsAndHeaderAsPicardSortSamWrites) {
  const PicardCase& picard_case = GetParam();
  for (const RandomRecordsSpec& spec : kPicardInputs) {
    PicardDigest digest = read_digest(input_name(spec), picard_case.order);
    ASSERT_TRUE(digest.found) << "no digest for " << input_name(spec) << " " << picard_case.order
                              << ": run tests/tools/make_picard_digests.sh";
    ASSERT_EQ(digest.ids.size(), static_cast<size_t>(spec.record_count));
    std::string input = random_records_bam(spec);
    ScratchDir scratch;
    std::string output = scratch.file("out.bam");
    std::vector<std::string> args{"--order",
                                  picard_case.order,
                                  "--no-PG",
                                  "-l",
                                  "1",
                                  "-@",
                                  std::to_string(picard_case.threads)};
    if (picard_case.tiny) {
      args.insert(args.end(), {"--debug-max-run-bytes", "64K", "--debug-max-fan-in", "3"});
    }
    args.insert(args.end(), {"-o", output, input});
    ProcessResult result = run_samsort(args);
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    if (picard_case.tiny) {
      SortSummary summary = parse_summary(result.stderr_text);
      EXPECT_GE(summary.runs, 2u) << result.stderr_text;
    }
    EXPECT_EQ(first_header_line(output), digest.hd_line);
    BamRecords records = read_bam_records(input);
    auto describe = [&](int64_t id) {
      if (id < 0 || static_cast<size_t>(id) >= records.size()) return "id " + std::to_string(id);
      return describe_record(records.record(static_cast<size_t>(id)));
    };
    EXPECT_TRUE(same_id_sequence(digest.ids, ids_of(output), describe)) << input_name(spec);
  }
}

INSTANTIATE_TEST_SUITE_P(PicardSortSam, PicardDigestTest,
                         ::testing::Values(PicardCase{"picard-coordinate", 1, false},
                                           PicardCase{"picard-coordinate", 2, true},
                                           PicardCase{"picard-queryname", 1, false},
                                           PicardCase{"picard-queryname", 2, true}),
                         [](const ::testing::TestParamInfo<PicardCase>& param_info) {
                           return picard_case_name(param_info.param);
                         });

// testdata/example.bam (real minimap2 output: supplementary records, unmapped pairs, no @HD):
// the @HD line and the SHA-256 of `samtools view` of Picard's output.
TEST_P(PicardDigestTest, ExampleBamAsPicardSortSamWrites) {
  const PicardCase& picard_case = GetParam();
  std::ifstream in(std::string(kTestDataDir) + "/picard/example." + picard_case.order + ".sha256");
  std::string hd_line;
  std::string sha256;
  ASSERT_TRUE(std::getline(in, hd_line) && std::getline(in, sha256))
      << "no example digest: run tests/tools/make_picard_digests.sh";
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  std::vector<std::string> args{"--order",
                                picard_case.order,
                                "--no-PG",
                                "-l",
                                "1",
                                "-@",
                                std::to_string(picard_case.threads)};
  if (picard_case.tiny) {
    args.insert(args.end(), {"--debug-max-run-bytes", "256K", "--debug-max-fan-in", "3"});
  }
  args.insert(args.end(), {"-o", output, example_bam()});
  ProcessResult result = run_samsort(args);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  if (picard_case.tiny) {
    EXPECT_GE(parse_summary(result.stderr_text).runs, 4u) << result.stderr_text;
  }
  EXPECT_EQ(first_header_line(output), hd_line);
  ProcessResult digest =
      run_process({"sh", "-c", "samtools view \"$0\" | sha256sum | cut -d' ' -f1", output});
  ASSERT_TRUE(digest.exited_ok()) << digest.describe();
  EXPECT_EQ(digest.stdout_text, sha256 + "\n");
}

// Unusual @HD lines (testdata/picard/hd_*.sam): the @HD line Picard wrote for each.
TEST(PicardHeader, HdLineAsPicardSortSamWrites) {
  for (const char* name : {"hd_so_first", "hd_no_vn"}) {
    for (const char* order : {"picard-coordinate", "picard-queryname"}) {
      std::string base = std::string(kTestDataDir) + "/picard/" + name;
      std::ifstream in(base + "." + order + ".hd");
      std::string expected;
      ASSERT_TRUE(std::getline(in, expected)) << base << " " << order;
      ScratchDir scratch;
      std::string output = scratch.file("out.bam");
      ProcessResult result = run_samsort({"--order", order, "-o", output, base + ".sam"});
      ASSERT_EQ(result.exit_code, 0) << result.describe();
      EXPECT_EQ(first_header_line(output), expected) << name << " " << order;
    }
  }
}

// The digests are Picard's own order; the reference comparators, written from htsjdk's rules,
// must agree with them, or the property tests below would test against the wrong rules.
TEST(PicardDigest, ReferenceComparatorsAgreeWithPicard) {
  for (const RandomRecordsSpec& spec : kPicardInputs) {
    BamRecords records = read_bam_records(random_records_bam(spec));
    for (auto [order, oracle] : {std::pair{"picard-coordinate", OracleOrder::kPicardCoordinate},
                                 std::pair{"picard-queryname", OracleOrder::kPicardQueryName}}) {
      PicardDigest digest = read_digest(input_name(spec), order);
      ASSERT_TRUE(digest.found) << input_name(spec) << " " << order;
      std::vector<int64_t> expected;
      for (size_t idx : reference_order(records, OracleSort{oracle, ""})) {
        expected.push_back(record_id(records.record(idx)));
      }
      EXPECT_EQ(expected, digest.ids) << input_name(spec) << " " << order;
    }
  }
}

// ---- Property tests against the reference comparators. ----

struct PropertyCase {
  std::string name;
  std::vector<std::string> args;
  OracleSort oracle;
  std::string expected_hd;  // from kRandomHeaderText's `@HD VN:1.6 SO:unsorted GO:none`
};

void PrintTo(const PropertyCase& property_case, std::ostream* out) { *out << property_case.name; }

class PicardPropertyTest : public ::testing::TestWithParam<PropertyCase> {};

TEST_P(PicardPropertyTest, OutputOrderIsTheReferenceOrder) {
  const PropertyCase& property_case = GetParam();
  static const std::string input =
      random_records_bam({kPropertyRecords, kPropertySeed, false, true});
  static const BamRecords records = read_bam_records(input);
  std::vector<int64_t> expected;
  for (size_t idx : reference_order(records, property_case.oracle)) {
    expected.push_back(record_id(records.record(idx)));
  }
  auto describe = [&](int64_t id) {
    if (id < 0 || static_cast<size_t>(id) >= records.size()) return "id " + std::to_string(id);
    return describe_record(records.record(static_cast<size_t>(id)));
  };
  for (bool tiny : {false, true}) {
    ScratchDir scratch;
    std::string output = scratch.file("out.bam");
    std::vector<std::string> args = property_case.args;
    args.insert(args.end(), {"--no-PG", "-l", "1", "-@", tiny ? "2" : "1"});
    if (tiny) args.insert(args.end(), {"--debug-max-run-bytes", "256K", "--debug-max-fan-in", "3"});
    args.insert(args.end(), {"-o", output, input});
    ProcessResult result = run_samsort(args);
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    if (tiny) {
      EXPECT_GE(parse_summary(result.stderr_text).runs, 4u) << result.stderr_text;
    }
    EXPECT_EQ(first_header_line(output), property_case.expected_hd);
    EXPECT_TRUE(same_id_sequence(expected, ids_of(output), describe))
        << property_case.name << (tiny ? " tiny runs" : " in memory");

    // verify accepts the output in the same order, and rejects the input.
    std::vector<std::string> verify{kSamsortBin, "verify"};
    verify.insert(verify.end(), property_case.args.begin(), property_case.args.end());
    verify.push_back(output);
    ProcessResult verified = run_process(verify);
    EXPECT_EQ(verified.exit_code, 0) << verified.describe();
    verify.back() = input;
    EXPECT_EQ(run_process(verify).exit_code, 1) << "verify accepted the unsorted input";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Orders, PicardPropertyTest,
    ::testing::Values(
        PropertyCase{"PicardCoordinate",
                     {"--order", "picard-coordinate"},
                     {OracleOrder::kPicardCoordinate, ""},
                     "@HD\tVN:1.6\tSO:coordinate\tGO:none"},
        PropertyCase{"PicardQueryName",
                     {"--order", "picard-queryname"},
                     {OracleOrder::kPicardQueryName, ""},
                     "@HD\tVN:1.6\tSO:queryname\tGO:none"},
        PropertyCase{"TagsCBXT",
                     {"-t", "CB,XT"},
                     {OracleOrder::kCoordinate, "CB,XT"},
                     "@HD\tVN:1.6\tSO:unsorted\tSS:unsorted:CB:XT:coordinate"},
        PropertyCase{"TagsCBHIXTQueryName",
                     {"-n", "-t", "CB,HI,XT"},
                     {OracleOrder::kQueryName, "CB,HI,XT"},
                     "@HD\tVN:1.6\tSO:unsorted\tSS:unsorted:CB:HI:XT:queryname:natural"},
        PropertyCase{"TagsXTCBQueryNameLex",
                     {"-N", "-t", "XT,CB"},
                     {OracleOrder::kQueryNameLex, "XT,CB"},
                     "@HD\tVN:1.6\tSO:unsorted\tSS:unsorted:XT:CB:queryname:lexicographical"}),
    [](const ::testing::TestParamInfo<PropertyCase>& param_info) { return param_info.param.name; });

// ---- -t: one tag unchanged; usage errors. ----

// A single -t is unchanged by the multi-tag support: samtools' record order (Debian's 1.16.1
// agrees with the contract under -t) and the same @HD SS as before.
TEST(MultiTag, SingleTagUnchanged) {
  std::string input = random_records_bam({kPropertyRecords, kPropertySeed, false, true});
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  ProcessResult result = run_samsort({"-t", "CB", "--no-PG", "-l", "1", "-o", output, input});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_EQ(first_header_line(output), "@HD\tVN:1.6\tSO:unsorted\tSS:unsorted:CB:coordinate");
  std::string reference = scratch.file("samtools.bam");
  ProcessResult samtools =
      run_process({"samtools", "sort", "--no-PG", "-l", "1", "-t", "CB", "-o", reference, input});
  ASSERT_TRUE(samtools.exited_ok()) << samtools.describe();
  EXPECT_TRUE(same_records_in_order(reference, output));
}

TEST(MultiTag, MalformedTagListsAreUsageErrors) {
  std::string input = random_records_bam({100, kPropertySeed, false, true});
  ScratchDir scratch;
  for (const char* tags : {"CB,", ",CB", "CB,,UB", "CB,U", "CBU,UB", ","}) {
    ProcessResult result = run_samsort({"-t", tags, "-o", scratch.file("out.bam"), input});
    EXPECT_EQ(result.exit_code, 2) << tags << ": " << result.describe();
    EXPECT_TRUE(is_one_error_line(result.stderr_text)) << result.stderr_text;
    EXPECT_TRUE(contains(result.stderr_text, "-t")) << result.stderr_text;
  }
  for (const char* order : {"picard-coordinate", "picard-queryname"}) {
    ProcessResult result =
        run_samsort({"--order", order, "-t", "CB", "-o", scratch.file("out.bam"), input});
    EXPECT_EQ(result.exit_code, 2) << order << ": " << result.describe();
  }
}

// picard-coordinate output is coordinate-sorted, so --write-index works and samtools agrees.
// (Realistic records: the messy ones include mapped reads at POS 0, which htslib's indexer
// refuses after POS 1 whatever the sort.)
TEST(PicardCoordinate, WritesAnIndexSamtoolsAccepts) {
  std::string input = generated_bam(20'000, 5);
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  ProcessResult result = run_samsort({"--order", "picard-coordinate", "--write-index", "-l", "1",
                                      "-o", output + "##idx##" + output + ".bai", input});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  ASSERT_TRUE(path_exists(output + ".bai"));
  std::string samtools_sorted = samtools_reference(input);
  for (const char* region : {"chr1", "chr2:1-50000000", "*"}) {
    EXPECT_EQ(count_records(output, region), count_records(samtools_sorted, region)) << region;
  }
  ProcessResult idxstats = run_process({"samtools", "idxstats", output});
  EXPECT_TRUE(idxstats.exited_ok()) << idxstats.describe();
}

}  // namespace
}  // namespace samsort::e2e
