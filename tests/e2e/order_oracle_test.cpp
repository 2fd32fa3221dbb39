// Record order of every sort order against the oracle (std::stable_sort with the test tree's
// independent reference comparators, support/reference_order.hpp) on messy random records,
// across threads and spilling budgets; @HD per order; realistic data against Debian samtools
// (-t) and the oracle; the missing-MC error.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "e2e_support.hpp"
#include "oracle.hpp"
#include "random_records.hpp"
#include "reference_order.hpp"

namespace samsort::e2e {
namespace {

constexpr int64_t kMessyRecords = 60'000;
constexpr uint64_t kMessySeed = 7;
constexpr int64_t kAliasRecords = 3'000;
constexpr uint64_t kAliasSeed = 8;
constexpr uint64_t kTinyMinRuns = 10;
constexpr int64_t kRealisticRecords = 200'000;
constexpr uint64_t kRealisticSeed = 11;  // the differential tests' input: shares its cache

struct OrderCase {
  std::string name;
  std::vector<std::string> args;
  OracleSort oracle;
  std::string expected_hd;  // from `@HD VN:1.6 SO:unsorted GO:none`
};

std::vector<OrderCase> messy_order_cases() {
  using enum OracleOrder;
  return {
      {"Coordinate", {"--order", "coordinate"}, {kCoordinate, ""}, "@HD\tVN:1.6\tSO:coordinate"},
      {"QueryName", {"-n"}, {kQueryName, ""}, "@HD\tVN:1.6\tSO:queryname\tSS:queryname:natural"},
      {"QueryNameLex",
       {"--order", "queryname-lex"},
       {kQueryNameLex, ""},
       "@HD\tVN:1.6\tSO:queryname\tSS:queryname:lexicographical"},
      {"TemplateCoordinate",
       {"--template-coordinate"},
       {kTemplateCoordinate, ""},
       "@HD\tVN:1.6\tSO:unsorted\tGO:query\tSS:unsorted:template-coordinate"},
      {"TagXT",
       {"-t", "XT"},
       {kCoordinate, "XT"},
       "@HD\tVN:1.6\tSO:unsorted\tSS:unsorted:XT:coordinate"},
      {"TagXTQueryName",
       {"-n", "-t", "XT"},
       {kQueryName, "XT"},
       "@HD\tVN:1.6\tSO:unsorted\tSS:unsorted:XT:queryname:natural"},
      {"TagXTQueryNameLex",
       {"-N", "-t", "XT"},
       {kQueryNameLex, "XT"},
       "@HD\tVN:1.6\tSO:unsorted\tSS:unsorted:XT:queryname:lexicographical"},
      {"TagRG",
       {"-t", "RG"},
       {kCoordinate, "RG"},
       "@HD\tVN:1.6\tSO:unsorted\tSS:unsorted:RG:coordinate"},
  };
}

// An input read once per process, with its oracle orders (by order name) computed on demand.
class OracleInput {
 public:
  explicit OracleInput(std::string path)
      : path_(std::move(path)), records_(read_bam_records(path_)) {}

  const std::string& path() const { return path_; }
  const BamRecords& records() const { return records_; }

  const std::vector<size_t>& order(const OrderCase& order_case) {
    std::lock_guard lock(mutex_);
    auto found = orders_.find(order_case.name);
    if (found == orders_.end()) {
      found = orders_.emplace(order_case.name, reference_order(records_, order_case.oracle)).first;
    }
    return found->second;
  }

 private:
  std::string path_;
  BamRecords records_;
  std::mutex mutex_;
  std::map<std::string, std::vector<size_t>> orders_;
};

OracleInput& messy_input() {
  static OracleInput input(random_records_bam({kMessyRecords, kMessySeed, false}));
  return input;
}

OracleInput& alias_input() {
  static OracleInput input(random_records_bam({kAliasRecords, kAliasSeed, false}));
  return input;
}

OracleInput& realistic_input() {
  static OracleInput input(generated_bam(kRealisticRecords, kRealisticSeed));
  return input;
}

std::vector<std::string> header_lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Header lines other than @HD and @PG: what the sort must carry over unchanged.
std::vector<std::string> body_header_lines(const std::string& text) {
  std::vector<std::string> kept;
  for (const std::string& line : header_lines_of(text)) {
    if (line.rfind("@HD", 0) != 0 && line.rfind("@PG", 0) != 0) kept.push_back(line);
  }
  return kept;
}

// Checks `output` (sorted from `input` by `order_case`): @HD, the rest of the header, the id
// sequence against the oracle's, and every record byte for byte equal to its input record.
void expect_oracle_order(OracleInput& input, const OrderCase& order_case,
                         const std::string& output) {
  BamRecords written = read_bam_records(output);
  std::vector<std::string> header = header_lines_of(written.header_text);
  ASSERT_FALSE(header.empty());
  EXPECT_EQ(header.front(), order_case.expected_hd);
  EXPECT_EQ(body_header_lines(written.header_text), body_header_lines(input.records().header_text));

  const BamRecords& records = input.records();
  std::vector<int64_t> expected_ids;
  for (size_t idx : input.order(order_case)) expected_ids.push_back(record_id(records.record(idx)));
  std::vector<int64_t> actual_ids;
  for (size_t idx = 0; idx < written.size(); ++idx) {
    actual_ids.push_back(record_id(written.record(idx)));
  }
  auto describe = [&](int64_t id) {
    if (id < 0 || static_cast<size_t>(id) >= records.size()) return "id " + std::to_string(id);
    return describe_record(records.record(static_cast<size_t>(id)));
  };
  EXPECT_TRUE(same_id_sequence(expected_ids, actual_ids, describe)) << order_case.name;

  for (size_t idx = 0; idx < written.size(); ++idx) {
    int64_t id = actual_ids[idx];
    if (id < 0 || static_cast<size_t>(id) >= records.size()) {
      ADD_FAILURE() << "output record " << idx
                    << " has no valid id: " << describe_record(written.record(idx));
      return;
    }
    size_t bytes = records.record_bytes(static_cast<size_t>(id));
    if (written.record_bytes(idx) != bytes ||
        std::memcmp(written.record(idx), records.record(static_cast<size_t>(id)), bytes) != 0) {
      ADD_FAILURE() << "output record " << idx << " differs from input record " << id
                    << "\n  input:  " << describe(id)
                    << "\n  output: " << describe_record(written.record(idx));
      return;
    }
  }
}

// ---- Messy random records: every order x threads {1, 4} x budget {in memory, tiny}. ----

struct PropertyCase {
  OrderCase order;
  int threads;
  bool tiny;
};

std::string property_case_name(const PropertyCase& property_case) {
  return property_case.order.name + "_Threads" + std::to_string(property_case.threads) +
         (property_case.tiny ? "_TinyRuns" : "_InMemory");
}

void PrintTo(const PropertyCase& property_case, std::ostream* out) {
  *out << property_case_name(property_case);
}

class OrderPropertyTest : public ::testing::TestWithParam<PropertyCase> {};

TEST_P(OrderPropertyTest, OutputOrderIsTheOracleOrder) {
  const PropertyCase& property_case = GetParam();
  OracleInput& input = messy_input();
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");

  std::vector<std::string> args = property_case.order.args;
  args.insert(args.end(), {"-@", std::to_string(property_case.threads), "-l", "1"});
  if (property_case.tiny) {
    args.insert(args.end(), {"--debug-max-run-bytes", "256K", "--debug-max-fan-in", "4"});
  }
  args.insert(args.end(), {"-o", output, input.path()});
  ProcessResult result = run_samsort(args);
  ASSERT_EQ(result.exit_code, 0) << result.describe();

  SortSummary summary = parse_summary(result.stderr_text);
  ASSERT_TRUE(summary.found) << result.stderr_text;
  EXPECT_EQ(summary.records, static_cast<uint64_t>(kMessyRecords));
  if (property_case.tiny) {
    EXPECT_GE(summary.runs, kTinyMinRuns) << result.stderr_text;
    EXPECT_GE(summary.merge_passes, 1u) << result.stderr_text;
  } else {
    EXPECT_EQ(summary.runs, 0u) << result.stderr_text;
  }
  expect_oracle_order(input, property_case.order, output);
}

std::vector<PropertyCase> all_property_cases() {
  std::vector<PropertyCase> cases;
  for (const OrderCase& order_case : messy_order_cases()) {
    for (int threads : {1, 4}) {
      for (bool tiny : {false, true}) cases.push_back({order_case, threads, tiny});
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(OrdersByThreadsByBudget, OrderPropertyTest,
                         ::testing::ValuesIn(all_property_cases()),
                         [](const ::testing::TestParamInfo<PropertyCase>& param_info) {
                           return property_case_name(param_info.param);
                         });

// The oracle itself must tell orders apart: the input order is none of them, and the orders
// differ from each other on this input.
TEST(OrderOracle, OrdersDifferFromInputAndFromEachOther) {
  OracleInput& input = messy_input();
  ASSERT_EQ(input.records().size(), static_cast<size_t>(kMessyRecords));
  std::vector<size_t> identity(input.records().size());
  for (size_t idx = 0; idx < identity.size(); ++idx) identity[idx] = idx;
  std::vector<OrderCase> cases = messy_order_cases();
  for (size_t case_idx = 0; case_idx < cases.size(); ++case_idx) {
    EXPECT_NE(input.order(cases[case_idx]), identity) << cases[case_idx].name;
    for (size_t other_idx = 0; other_idx < case_idx; ++other_idx) {
      EXPECT_NE(input.order(cases[case_idx]), input.order(cases[other_idx]))
          << cases[case_idx].name << " vs " << cases[other_idx].name;
    }
  }
}

// ---- Order spellings: aliases, and the last of -n / -N / --template-coordinate wins. ----

struct AliasCase {
  std::string name;
  std::vector<std::string> args;
  std::string canonical;  // an OrderCase name
};

void PrintTo(const AliasCase& alias_case, std::ostream* out) { *out << alias_case.name; }

class OrderAliasTest : public ::testing::TestWithParam<AliasCase> {};

TEST_P(OrderAliasTest, SelectsTheCanonicalOrder) {
  const AliasCase& alias_case = GetParam();
  OrderCase order_case;
  for (const OrderCase& candidate : messy_order_cases()) {
    if (candidate.name == alias_case.canonical) order_case = candidate;
  }
  ASSERT_FALSE(order_case.name.empty()) << alias_case.canonical;
  OracleInput& input = alias_input();
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  std::vector<std::string> args = alias_case.args;
  args.insert(args.end(), {"--no-PG", "-o", output, input.path()});
  ProcessResult result = run_samsort(args);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  expect_oracle_order(input, order_case, output);
}

INSTANTIATE_TEST_SUITE_P(
    Spellings, OrderAliasTest,
    ::testing::Values(
        AliasCase{"Default", {}, "Coordinate"},
        AliasCase{"OrderQueryname", {"--order", "queryname"}, "QueryName"},
        AliasCase{"OrderQuerynameNatural", {"--order", "queryname::natural"}, "QueryName"},
        AliasCase{"OrderQuerynameLexicographical",
                  {"--order", "queryname::lexicographical"},
                  "QueryNameLex"},
        AliasCase{"OrderQuerynameLex", {"--order", "queryname::lex"}, "QueryNameLex"},
        AliasCase{"FlagN", {"-N"}, "QueryNameLex"},
        AliasCase{
            "OrderTemplateCoordinate", {"--order", "template-coordinate"}, "TemplateCoordinate"},
        AliasCase{"OrderTemplate", {"--order", "template"}, "TemplateCoordinate"},
        AliasCase{"LastWinsNThenLex", {"-n", "-N"}, "QueryNameLex"},
        AliasCase{"LastWinsLexThenTemplate", {"-N", "--template-coordinate"}, "TemplateCoordinate"},
        AliasCase{"LastWinsTemplateThenN", {"--template-coordinate", "-n"}, "QueryName"},
        AliasCase{"TagBeforeN", {"-t", "XT", "-n"}, "TagXTQueryName"}),
    [](const ::testing::TestParamInfo<AliasCase>& param_info) { return param_info.param.name; });

// ---- Realistic data (make_test_bam) with spills at 2 threads. ----

// `samtools sort -t TAG` of `input`, cached beside the other generated inputs.
std::string samtools_tag_reference(const std::string& input, const std::string& tag) {
  std::string name = std::filesystem::path(input).stem().string() + ".samtools_t" + tag + ".bam";
  return cached_generated(name, [&](const std::string& temp_path) {
    ProcessResult result = run_process(
        {"samtools", "sort", "--no-PG", "-@", "2", "-l", "1", "-t", tag, "-o", temp_path, input});
    if (!result.exited_ok())
      throw std::runtime_error("samtools sort -t failed: " + result.describe());
  });
}

std::vector<std::string> realistic_sort_args(const std::vector<std::string>& order_args,
                                             const std::string& output, const std::string& input) {
  std::vector<std::string> args = order_args;
  args.insert(args.end(), {"-@", "2", "-l", "1", "--max-memory", "64M", "-o", output, input});
  return args;
}

void expect_spilled(const ProcessResult& result) {
  SortSummary summary = parse_summary(result.stderr_text);
  ASSERT_TRUE(summary.found) << result.stderr_text;
  EXPECT_EQ(summary.records, static_cast<uint64_t>(kRealisticRecords));
  EXPECT_GE(summary.runs, 1u) << result.stderr_text;
}

class RealisticTagTest : public ::testing::TestWithParam<std::string> {};

// Debian's samtools 1.16.1 agrees with the contract on record order under -t TAG (with the
// coordinate secondary key).
TEST_P(RealisticTagTest, RecordOrderIdenticalToSamtoolsSort) {
  const std::string& tag = GetParam();
  std::string input = generated_bam(kRealisticRecords, kRealisticSeed);
  std::string reference = samtools_tag_reference(input, tag);
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  ProcessResult result = run_samsort(realistic_sort_args({"-t", tag}, output, input));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  expect_spilled(result);
  EXPECT_TRUE(same_records_in_order(reference, output));
}

INSTANTIATE_TEST_SUITE_P(Tags, RealisticTagTest, ::testing::Values("RG", "NM"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

void PrintTo(const OrderCase& order_case, std::ostream* out) { *out << order_case.name; }

class RealisticOracleTest : public ::testing::TestWithParam<OrderCase> {};

// Orders where samtools 1.16.1 differs from the contract: the oracle is the reference. The
// records carry no id, so the output is compared byte for byte with the oracle's sequence.
TEST_P(RealisticOracleTest, RecordOrderIsTheOracleOrder) {
  const OrderCase& order_case = GetParam();
  OracleInput& input = realistic_input();
  const BamRecords& records = input.records();
  ASSERT_EQ(records.size(), static_cast<size_t>(kRealisticRecords));
  const std::vector<size_t>& expected = input.order(order_case);

  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  ProcessResult result = run_samsort(realistic_sort_args(order_case.args, output, input.path()));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  expect_spilled(result);

  BamRecordReader reader(output);
  ASSERT_FALSE(header_lines_of(reader.header_text()).empty());
  EXPECT_EQ(header_lines_of(reader.header_text()).front(), order_case.expected_hd);
  std::vector<uint8_t> record;
  size_t written = 0;
  while (reader.next(record)) {
    ASSERT_LT(written, expected.size()) << "more records written than read";
    size_t want = expected[written];
    if (record.size() != records.record_bytes(want) ||
        std::memcmp(record.data(), records.record(want), record.size()) != 0) {
      FAIL() << order_case.name << ": first difference at output record " << written
             << (written > 0
                     ? "\n  previous: " + describe_record(records.record(expected[written - 1]))
                     : std::string())
             << "\n  expected: " << describe_record(records.record(want))
             << "\n  actual:   " << describe_record(record.data());
    }
    ++written;
  }
  EXPECT_EQ(written, expected.size());
}

INSTANTIATE_TEST_SUITE_P(
    Orders, RealisticOracleTest,
    ::testing::Values(OrderCase{"QueryName",
                                {"-n"},
                                {OracleOrder::kQueryName, ""},
                                "@HD\tVN:1.6\tSO:queryname\tSS:queryname:natural"},
                      OrderCase{"QueryNameLex",
                                {"--order", "queryname-lex"},
                                {OracleOrder::kQueryNameLex, ""},
                                "@HD\tVN:1.6\tSO:queryname\tSS:queryname:lexicographical"},
                      OrderCase{
                          "TemplateCoordinate",
                          {"--template-coordinate"},
                          {OracleOrder::kTemplateCoordinate, ""},
                          "@HD\tVN:1.6\tSO:unsorted\tGO:query\tSS:unsorted:template-coordinate"}),
    [](const ::testing::TestParamInfo<OrderCase>& param_info) { return param_info.param.name; });

// ---- template-coordinate without MC on a paired read with a mapped mate. ----

void expect_missing_mc_failure(const std::vector<std::string>& extra_args, int64_t records) {
  std::string input = random_records_bam({records, kMessySeed, true});
  ScratchDir scratch;
  std::string out_dir = scratch.subdir("out");
  std::vector<std::string> args{"--template-coordinate"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  args.insert(args.end(), {"-o", out_dir + "/out.bam", input});
  ProcessResult result = run_samsort(args);
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  const std::string& message = result.stderr_text;
  EXPECT_TRUE(message.ends_with('\n') && message.find('\n') == message.size() - 1)
      << "want one line on stderr, got: " << message;
  EXPECT_NE(message.find("fixmate"), std::string::npos) << message;
  EXPECT_TRUE(list_directory(out_dir).empty()) << join_lines(list_directory(out_dir));
}

TEST(TemplateCoordinateErrors, MissingMateCigarFailsWithFixmateHint) {
  expect_missing_mc_failure({}, 10);
}

// The bad record comes last, after many runs have spilled: nothing may be left behind.
TEST(TemplateCoordinateErrors, MissingMateCigarAfterSpillsLeavesNothing) {
  expect_missing_mc_failure({"-@", "4", "--debug-max-run-bytes", "256K", "--debug-max-fan-in", "4"},
                            kMessyRecords);
}

}  // namespace
}  // namespace samsort::e2e
