// Differential tests against Debian's samtools: record order identical to `samtools sort` across
// threads and memory budgets, record multiset preserved, output valid, headers, stdin/stdout.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "e2e_support.hpp"

namespace samsort::e2e {
namespace {

constexpr int64_t kRecords = 200'000;
constexpr uint64_t kSeed = 11;
constexpr const char* kRegion = "chr1:1-50000000";
constexpr uint64_t kTinyMinRuns = 100;
// Polls (0.1 s apart) for a run file among the sort's open files: 30 s at most.
constexpr int kWatchTries = 300;

enum class Budget { kInMemory, kMaxMemory64M, kTiny };

struct SortCase {
  int threads;
  Budget budget;
  bool default_level;  // no -l: samtools' default level 6 instead of -l 1
};

std::string budget_name(Budget budget) {
  switch (budget) {
    case Budget::kInMemory:
      return "InMemory";
    case Budget::kMaxMemory64M:
      return "MaxMemory64M";
    case Budget::kTiny:
      return "TinyRuns";
  }
  return "Unknown";
}

std::vector<std::string> budget_args(Budget budget) {
  switch (budget) {
    case Budget::kInMemory:
      return {};
    case Budget::kMaxMemory64M:
      return {"--max-memory", "64M"};
    case Budget::kTiny:
      return {"--debug-max-run-bytes", "256K", "--debug-max-fan-in", "8"};
  }
  return {};
}

std::string input_bam() { return generated_bam(kRecords, kSeed); }
std::string reference_bam() { return samtools_reference(input_bam()); }

std::vector<std::string> sort_args(const SortCase& sort_case, const std::string& output,
                                   const std::string& input) {
  std::vector<std::string> args{"-@", std::to_string(sort_case.threads)};
  if (!sort_case.default_level) args.insert(args.end(), {"-l", "1"});
  std::vector<std::string> budget = budget_args(sort_case.budget);
  args.insert(args.end(), budget.begin(), budget.end());
  args.insert(args.end(), {"-o", output, input});
  return args;
}

std::string sort_case_name(const SortCase& sort_case) {
  std::string name =
      "Threads" + std::to_string(sort_case.threads) + "_" + budget_name(sort_case.budget);
  return sort_case.default_level ? name + "_DefaultLevel" : name;
}

// Readable parameter values in test names and failure messages.
void PrintTo(const SortCase& sort_case, std::ostream* out) { *out << sort_case_name(sort_case); }

class SamtoolsOrderTest : public ::testing::TestWithParam<SortCase> {};

TEST_P(SamtoolsOrderTest, RecordOrderIdenticalToSamtoolsSort) {
  const SortCase& sort_case = GetParam();
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  std::string reference = reference_bam();

  ProcessResult result = run_samsort(sort_args(sort_case, output, input_bam()));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  SortSummary summary = parse_summary(result.stderr_text);
  ASSERT_TRUE(summary.found) << "no summary line in stderr: " << result.stderr_text;
  EXPECT_EQ(summary.records, static_cast<uint64_t>(kRecords));
  switch (sort_case.budget) {
    case Budget::kInMemory:
      EXPECT_EQ(summary.runs, 0u) << result.stderr_text;
      break;
    case Budget::kMaxMemory64M:
      EXPECT_GE(summary.runs, 1u) << result.stderr_text;
      break;
    case Budget::kTiny:
      EXPECT_GE(summary.runs, kTinyMinRuns) << result.stderr_text;
      EXPECT_GE(summary.merge_passes, 1u) << result.stderr_text;
      break;
  }
  EXPECT_TRUE(same_records_in_order(reference, output));
}

std::vector<SortCase> all_sort_cases() {
  std::vector<SortCase> cases;
  for (int threads : {1, 2, 4}) {
    for (Budget budget : {Budget::kInMemory, Budget::kMaxMemory64M, Budget::kTiny}) {
      bool default_level = threads == 2 && budget == Budget::kInMemory;
      cases.push_back({threads, budget, default_level});
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(ThreadsByBudget, SamtoolsOrderTest, ::testing::ValuesIn(all_sort_cases()),
                         [](const ::testing::TestParamInfo<SortCase>& param_info) {
                           return sort_case_name(param_info.param);
                         });

// The comparison itself must be able to fail: the unsorted input is not in samtools' order.
TEST(SamtoolsOrderHelper, DetectsADifferentOrder) {
  EXPECT_FALSE(same_records_in_order(reference_bam(), input_bam()));
  EXPECT_TRUE(same_record_multiset(reference_bam(), input_bam()));
}

// Inputs off the common path, each sorted with spills and a multi-pass merge at 3 threads.
struct EdgeInput {
  std::string name;
  int64_t records;
  uint64_t seed;
  std::vector<std::string> generator_args;
};

void PrintTo(const EdgeInput& edge_input, std::ostream* out) { *out << edge_input.name; }

class SamtoolsOrderEdgeTest : public ::testing::TestWithParam<EdgeInput> {};

TEST_P(SamtoolsOrderEdgeTest, RecordOrderIdenticalToSamtoolsSort) {
  const EdgeInput& edge_input = GetParam();
  std::string input = generated_bam(edge_input.records, edge_input.seed, edge_input.generator_args);
  std::string reference = samtools_reference(input);
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  ProcessResult result = run_samsort({"-@", "3", "-l", "1", "--debug-max-run-bytes", "256K",
                                      "--debug-max-fan-in", "4", "-o", output, input});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  SortSummary summary = parse_summary(result.stderr_text);
  ASSERT_TRUE(summary.found) << result.stderr_text;
  EXPECT_EQ(summary.records, static_cast<uint64_t>(edge_input.records));
  EXPECT_GE(summary.merge_passes, 1u) << result.stderr_text;
  EXPECT_TRUE(same_records_in_order(reference, output));
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, SamtoolsOrderEdgeTest,
    ::testing::Values(
        // Positions beyond 2^29 (the BAI-addressable range) on a 2.1 Gbp contig.
        EdgeInput{"BigPositions", 100'000, 5, {"--big-positions"}},
        // 50,000 contigs and 30% unmapped pairs (placed and unplaced unmapped records).
        EdgeInput{"ManyContigsManyUnmapped",
                  100'000,
                  6,
                  {"--contigs", "50000", "--unmapped-fraction", "0.3"}},
        // Long reads: few, big records per run.
        EdgeInput{"LongReads", 5'000, 7, {"--read-length", "3000"}}),
    [](const ::testing::TestParamInfo<EdgeInput>& param_info) { return param_info.param.name; });

TEST(RecordMultiset, PreservedThroughMultiPassMerge) {
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  ProcessResult result = run_samsort(sort_args({4, Budget::kTiny, false}, output, input_bam()));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  ASSERT_GE(parse_summary(result.stderr_text).merge_passes, 1u) << result.stderr_text;
  EXPECT_TRUE(same_record_multiset(input_bam(), output));
}

int64_t idxstats_total(const std::string& bam) {
  ProcessResult result = run_process({"samtools", "idxstats", bam});
  if (!result.exited_ok()) return -1;
  std::istringstream lines(result.stdout_text);
  std::string name;
  int64_t length = 0;
  int64_t mapped = 0;
  int64_t unmapped = 0;
  int64_t total = 0;
  while (lines >> name >> length >> mapped >> unmapped) total += mapped + unmapped;
  return total;
}

TEST(OutputValidity, QuickcheckIndexIdxstatsAndRegionQuery) {
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  ProcessResult result =
      run_samsort(sort_args({2, Budget::kMaxMemory64M, false}, output, input_bam()));
  ASSERT_EQ(result.exit_code, 0) << result.describe();

  ProcessResult quickcheck = run_process({"samtools", "quickcheck", "-v", output});
  EXPECT_EQ(quickcheck.exit_code, 0) << quickcheck.describe() << quickcheck.stdout_text;
  ProcessResult index = run_process({"samtools", "index", output});
  ASSERT_EQ(index.exit_code, 0) << index.describe();
  EXPECT_TRUE(path_exists(output + ".bai"));
  EXPECT_EQ(idxstats_total(output), kRecords);

  int64_t expected_in_region = count_records(reference_bam(), kRegion);
  ASSERT_GT(expected_in_region, 0) << "the region query should select records";
  EXPECT_EQ(count_records(output, kRegion), expected_in_region);
}

TEST(OutputValidity, HeaderHasCoordinateHdAndSamsortPg) {
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  ProcessResult result = run_samsort(sort_args({1, Budget::kInMemory, false}, output, input_bam()));
  ASSERT_EQ(result.exit_code, 0) << result.describe();

  std::vector<std::string> header = header_lines(output);
  ASSERT_FALSE(header.empty());
  EXPECT_EQ(header.front(), "@HD\tVN:1.6\tSO:coordinate");
  auto pg = std::find_if(header.begin(), header.end(), [](const std::string& line) {
    return line.rfind("@PG\tID:samsort\t", 0) == 0;
  });
  ASSERT_NE(pg, header.end()) << join_lines(header);
  EXPECT_NE(pg->find("\tPN:samsort"), std::string::npos) << *pg;
  EXPECT_NE(pg->find("\tVN:"), std::string::npos) << *pg;
  EXPECT_NE(pg->find("\tCL:"), std::string::npos) << *pg;
  // Like samtools, the new @PG chains to the input's last program (bwa in make_test_bam).
  EXPECT_NE(pg->find("\tPP:bwa"), std::string::npos) << *pg;
}

TEST(OutputValidity, NoPgLeavesHeaderUnchangedButHd) {
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  std::vector<std::string> args = sort_args({1, Budget::kInMemory, false}, output, input_bam());
  args.insert(args.begin(), "--no-PG");
  ProcessResult result = run_samsort(args);
  ASSERT_EQ(result.exit_code, 0) << result.describe();

  std::vector<std::string> input_header = header_lines(input_bam());
  std::vector<std::string> header = header_lines(output);
  ASSERT_FALSE(header.empty());
  ASSERT_FALSE(input_header.empty());
  EXPECT_EQ(header.front(), "@HD\tVN:1.6\tSO:coordinate");
  for (const std::string& line : header) {
    EXPECT_NE(line.rfind("@PG\tID:samsort", 0), 0u) << "unexpected @PG with --no-PG: " << line;
  }
  EXPECT_EQ(join_lines({header.begin() + 1, header.end()}),
            join_lines({input_header.begin() + 1, input_header.end()}));
}

TEST(ExampleBam, OrderIdenticalToSamtoolsAndHdAdded) {
  std::vector<std::string> input_header = header_lines(example_bam());
  ASSERT_FALSE(input_header.empty());
  ASSERT_NE(input_header.front().rfind("@HD", 0), 0u) << "testdata/example.bam gained an @HD";

  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  ProcessResult result = run_samsort({"-l", "1", "-o", output, example_bam()});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(same_records_in_order(samtools_reference(example_bam()), output));

  std::vector<std::string> header = header_lines(output);
  ASSERT_FALSE(header.empty());
  EXPECT_EQ(header.front().rfind("@HD\t", 0), 0u) << header.front();
  EXPECT_NE(header.front().find("\tSO:coordinate"), std::string::npos) << header.front();
  EXPECT_NE(header.front().find("\tVN:"), std::string::npos) << header.front();
}

// Stdin to stdout with spills: the runs go to $TMPDIR. The input arrives through a FIFO held
// open half-way until a watcher sees, among the sort's open files, a run file (unnamed or
// unlinked, so "(deleted)") under $TMPDIR; afterwards $TMPDIR is empty again.
TEST(StandardStreams, PipelineFromStdinToStdout) {
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  std::string tmpdir = scratch.subdir("tmpdir");
  std::string fifo = scratch.file("input.fifo");
  std::string seen = scratch.file("open-files-seen");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::string input = input_bam();
  uint64_t half = file_size(input) / 2;
  ASSERT_GT(half, 0u);
  std::string watch = "for try in $(seq " + std::to_string(kWatchTries) +
                      "); do ls -l /proc/$pid/fd/ 2>/dev/null | grep -F " +
                      shell_quote(tmpdir + "/") + " | grep -F '(deleted)' > " + shell_quote(seen) +
                      " && break; sleep 0.1; done; ";
  std::string command = shell_quote(kSamsortBin) +
                        " sort -@ 2 -l 1 --debug-max-run-bytes 1M -o - - < " + shell_quote(fifo) +
                        " > " + shell_quote(output) + " & pid=$!; { head -c " +
                        std::to_string(half) + " " + shell_quote(input) + "; " + watch +
                        "tail -c +" + std::to_string(half + 1) + " " + shell_quote(input) +
                        "; } > " + shell_quote(fifo) + "; wait $pid";
  ProcessOptions options;
  options.environment = {{"TMPDIR", tmpdir}};
  ProcessResult result = run_shell(command, options);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  SortSummary summary = parse_summary(result.stderr_text);
  ASSERT_TRUE(summary.found) << result.stderr_text;
  EXPECT_EQ(summary.records, static_cast<uint64_t>(kRecords));
  EXPECT_GE(summary.runs, 2u) << result.stderr_text;
  EXPECT_GT(file_size(seen), 0u) << "no run file under " << tmpdir
                                 << " among the sort's open files";
  EXPECT_TRUE(same_records_in_order(reference_bam(), output));
  EXPECT_TRUE(list_directory(tmpdir).empty()) << join_lines(list_directory(tmpdir));
}

TEST(StandardStreams, DefaultsAreStdinAndStdout) {
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  ProcessOptions options;
  options.stdin_path = input_bam();
  options.stdout_path = output;
  ProcessResult result = run_samsort({"-l", "1"}, options);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(same_records_in_order(reference_bam(), output));
}

}  // namespace
}  // namespace samsort::e2e
