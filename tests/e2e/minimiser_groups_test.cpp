// --minimiser-group-names end to end, on every record of testdata/example.bam made unaligned
// (paired reads in coordinate order: the records of a name are not adjacent in the input):
// - the output keeps each name's records adjacent, holds the records plain -M writes (the
//   same reverse complements; compared as sorted text lines), passes
//   `samsort verify -M --minimiser-group-names` (group keys ascending), and is the same, byte
//   for byte in its records, in memory and with spilled runs and merge passes (two passes),
//   at -@1 and -@3, and from name-grouped input;
// - the @HD line; a placed record is refused in one line with no output; plain -M output
//   fails the grouped verify (its pairs are split); one name whose records exceed pass 2's
//   group buffer is refused in one line (and sorted when pass 1 fits in memory).
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "e2e_support.hpp"

namespace samsort::e2e {
namespace {

class MinimiserGroupsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = new ScratchDir();
    input_ = scratch_->file("unaligned.bam");
    ProcessResult made = run_shell("samtools view -h " + shell_quote(example_bam()) +
                                   " | perl -F'\\t' -lane 'if (/^@/) { print; next }"
                                   " $F[1] |= 4; @F[2..8] = (\"*\", 0, 0, \"*\", \"*\", 0, 0);"
                                   " print join(\"\\t\", @F)' | samtools view -b --no-PG -o " +
                                   shell_quote(input_) + " -");
    ASSERT_TRUE(made.exited_ok()) << made.describe();
    grouped_input_ = scratch_->file("collated.bam");
    ProcessResult collated = run_shell("samtools sort -n --no-PG -o " +
                                       shell_quote(grouped_input_) + " " + shell_quote(input_));
    ASSERT_TRUE(collated.exited_ok()) << collated.describe();
  }
  static void TearDownTestSuite() {
    delete scratch_;
    scratch_ = nullptr;
  }

  // Sorts `input` with `args` into a new file of `scratch`; returns its path.
  static std::string sort(ScratchDir& scratch, const std::string& input,
                          std::vector<std::string> args, SortSummary* summary = nullptr) {
    std::string output = scratch.file("out" + std::to_string(++outputs_) + ".bam");
    args.insert(args.end(), {"--no-PG", "-o", output, input});
    ProcessResult sorted = run_samsort(args);
    EXPECT_TRUE(sorted.exited_ok()) << sorted.describe();
    if (summary != nullptr) *summary = parse_summary(sorted.stderr_text);
    return output;
  }
  static std::string records_text(const std::string& bam) {
    ProcessResult view = run_process({"samtools", "view", bam});
    EXPECT_TRUE(view.exited_ok()) << view.describe();
    return view.stdout_text;
  }

  static ScratchDir* scratch_;
  static std::string input_;
  static std::string grouped_input_;
  static int outputs_;
};
ScratchDir* MinimiserGroupsTest::scratch_ = nullptr;
std::string MinimiserGroupsTest::input_;
std::string MinimiserGroupsTest::grouped_input_;
int MinimiserGroupsTest::outputs_ = 0;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string name_of(const std::string& line) { return line.substr(0, line.find('\t')); }

TEST_F(MinimiserGroupsTest, NamesAdjacentSameRecordsAsMinhashSameInEveryShape) {
  ScratchDir scratch;
  std::string reference = sort(scratch, input_, {"-M", "--minimiser-group-names", "-@", "1"});
  std::string text = records_text(reference);
  std::vector<std::string> lines = lines_of(text);
  ASSERT_EQ(lines.size(), 29073u);

  // Every name's records in one block.
  std::map<std::string, int> blocks;
  for (std::size_t idx = 0; idx < lines.size(); ++idx) {
    if (idx == 0 || name_of(lines[idx]) != name_of(lines[idx - 1])) ++blocks[name_of(lines[idx])];
  }
  for (const auto& [name, count] : blocks) ASSERT_EQ(count, 1) << name << " is split";

  // The records of plain -M (same reverse complements, same cleared fields), another order.
  std::vector<std::string> minhash = lines_of(records_text(sort(scratch, input_, {"-M"})));
  std::vector<std::string> sorted_lines = lines;
  std::sort(sorted_lines.begin(), sorted_lines.end());
  std::sort(minhash.begin(), minhash.end());
  EXPECT_TRUE(sorted_lines == minhash);

  ProcessResult verified =
      run_process({kSamsortBin, "verify", "-M", "--minimiser-group-names", reference});
  EXPECT_EQ(verified.exit_code, 0) << verified.describe();

  struct Shape {
    std::vector<std::string> args;
    bool spills;
  };
  const std::vector<Shape> shapes = {
      {{"-@", "3"}, false},
      {{"-@", "1", "--debug-max-run-bytes", "300K"}, true},
      {{"-@", "3", "--debug-max-run-bytes", "300K", "--debug-max-fan-in", "3"}, true},
      {{"-@", "3", "--debug-max-run-bytes", "4M"}, true},
  };
  for (const std::string& input : {input_, grouped_input_}) {
    for (const Shape& shape : shapes) {
      SCOPED_TRACE(input + " " + join_lines(shape.args));
      std::vector<std::string> args = {"-M", "--minimiser-group-names"};
      args.insert(args.end(), shape.args.begin(), shape.args.end());
      SortSummary summary;
      std::string output = sort(scratch, input, args, &summary);
      ASSERT_TRUE(summary.found);
      EXPECT_EQ(summary.runs > 0, shape.spills);
      EXPECT_TRUE(records_text(output) == text);
    }
  }
}

TEST_F(MinimiserGroupsTest, HeaderSaysNameGroupedUnsortedMinhash) {
  ScratchDir scratch;
  std::string output = sort(scratch, input_, {"-M", "--minimiser-group-names"});
  std::string hd;
  for (const std::string& line : header_lines(output)) {
    if (line.rfind("@HD", 0) == 0) hd = line;
  }
  EXPECT_TRUE(contains(hd, "\tSO:unsorted\tGO:query\tSS:unsorted:minhash:grouped")) << hd;
}

TEST_F(MinimiserGroupsTest, PlacedRecordIsRefusedInOneLine) {
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  ProcessResult sorted =
      run_samsort({"-M", "--minimiser-group-names", "-o", output, example_bam()});
  EXPECT_EQ(sorted.exit_code, 1) << sorted.describe();
  EXPECT_TRUE(is_one_error_line(sorted.stderr_text)) << sorted.stderr_text;
  EXPECT_TRUE(contains(sorted.stderr_text, "needs unaligned input")) << sorted.stderr_text;
  EXPECT_FALSE(path_exists(output));
}

TEST_F(MinimiserGroupsTest, OptionNeedsMinimiserOrder) {
  ProcessResult sorted = run_samsort({"--minimiser-group-names", "-o", "-", input_});
  EXPECT_EQ(sorted.exit_code, 2) << sorted.describe();
  EXPECT_TRUE(contains(sorted.stderr_text, "needs the minimiser order")) << sorted.stderr_text;
}

TEST_F(MinimiserGroupsTest, OneNameBeyondTheGroupBufferIsOneErrorLineInTwoPasses) {
  // Every record under one name: ~9 MB in one group. In memory it is sorted; with spills
  // pass 2 holds a group in 4 MiB at 64M (1/32 of the budget, at least 4 MiB) and refuses it.
  ScratchDir scratch;
  std::string one_name = scratch.file("one-name.bam");
  ProcessResult made = run_shell("samtools view -h " + shell_quote(input_) +
                                 " | awk 'BEGIN { OFS = \"\\t\" } /^@/ { print; next }"
                                 " { $1 = \"same\"; print }' | samtools view -b -o " +
                                 shell_quote(one_name) + " -");
  ASSERT_TRUE(made.exited_ok()) << made.describe();
  std::string in_memory = scratch.file("in-memory.bam");
  ProcessResult sorted = run_samsort(
      {"-M", "--minimiser-group-names", "--max-memory", "64M", "-o", in_memory, one_name});
  EXPECT_TRUE(sorted.exited_ok()) << sorted.describe();
  std::string spilled = scratch.file("spilled.bam");
  ProcessResult refused = run_samsort({"-M", "--minimiser-group-names", "--max-memory", "64M",
                                       "--debug-max-run-bytes", "1M", "-o", spilled, one_name});
  EXPECT_EQ(refused.exit_code, 1) << refused.describe();
  EXPECT_TRUE(is_one_error_line(refused.stderr_text)) << refused.stderr_text;
  EXPECT_TRUE(contains(refused.stderr_text, "do not fit the group buffer of 4 MiB"))
      << refused.stderr_text;
  EXPECT_FALSE(path_exists(spilled));
}

TEST_F(MinimiserGroupsTest, VerifyRefusesSplitPairs) {
  ScratchDir scratch;
  std::string minhash = sort(scratch, input_, {"-M"});
  ProcessResult verified =
      run_process({kSamsortBin, "verify", "-M", "--minimiser-group-names", minhash});
  EXPECT_EQ(verified.exit_code, 1) << verified.describe();
  EXPECT_TRUE(contains(verified.stdout_text + verified.stderr_text, "mates apart"));
}

}  // namespace
}  // namespace samsort::e2e
