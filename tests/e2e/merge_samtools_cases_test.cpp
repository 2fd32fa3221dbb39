// samtools' own merge tests (test/test.pl's test_merge and test_index's -X merge, copied into
// testdata/samtools-tests/merge with their origin in the README there), run with samsort merge
// at -@ 1 and -@ 2 and compared with samtools' expected SAM as test.pl compares it (with
// ignore_pg_header, every @PG line dropped on both sides).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "e2e_support.hpp"

namespace samsort::e2e {
namespace {

std::string data(const std::string& name) {
  return std::string(kTestDataDir) + "/samtools-tests/" + name;
}

std::string without_pg(const std::string& text) {
  std::istringstream lines(text);
  std::string kept;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("@PG\t", 0) != 0) kept += line + "\n";
  }
  return kept;
}

struct Case {
  const char* name;
  std::vector<std::string> args;  // after "merge"; "-O sam -" style, output to stdout
  std::string expected;
  bool ignore_pg = true;
};

void expect_case(const Case& test, const std::string& threads) {
  SCOPED_TRACE(std::string(test.name) + " -@ " + threads);
  std::vector<std::string> argv = {kSamsortBin, "merge", "-@", threads, "--verbosity", "0"};
  argv.insert(argv.end(), test.args.begin(), test.args.end());
  ProcessResult merged = run_process(argv);
  ASSERT_TRUE(merged.exited_ok()) << merged.describe();
  std::string expected = read_text(test.expected);
  ASSERT_FALSE(expected.empty()) << test.expected;
  if (test.ignore_pg) {
    EXPECT_EQ(without_pg(merged.stdout_text), without_pg(expected));
  } else {
    EXPECT_EQ(merged.stdout_text, expected);
  }
}

TEST(MergeSamtoolsCases, IdenticalToSamtoolsExpectedOutputs) {
  ScratchDir scratch;
  // Merge 3's list, as test.pl writes it: test/merge/test_3.fofn's names under the test tree.
  std::string list = scratch.file("test_3.fofn");
  std::ofstream(list) << data("test_input_1_b.bam") << "\n"
                      << data("merge/test_input_1_c.bam") << "\n";
  // The tag-sorted inputs of the tag merges (test.pl sorts them with samtools sort -t PG).
  auto sorted = [&scratch](const std::string& input, const std::string& name,
                           std::vector<std::string> order) {
    std::string output = scratch.file(name);
    std::vector<std::string> args = {"-m", "10M", "--verbosity", "0", "-o", output};
    args.insert(args.end(), order.begin(), order.end());
    args.push_back(input);
    ProcessResult sort = run_samsort(args);
    EXPECT_TRUE(sort.exited_ok()) << sort.describe();
    return output;
  };
  std::string tag1 = sorted(data("merge/test_input_1_b.sam"), "merge.tag.1.bam", {"-t", "PG"});
  std::string tag2 = sorted(data("test_input_1_d.sam"), "merge.tag.2.bam", {"-t", "PG"});
  std::string tag3 =
      sorted(data("merge/test_input_1_c.sam"), "merge.tag.3.bam", {"-n", "-t", "PG"});
  std::string tag4 = sorted(data("test_input_1_d.sam"), "merge.tag.4.bam", {"-n", "-t", "PG"});
  std::string a_sam = data("merge/test_input_1_a.sam");
  std::string b_sam = data("merge/test_input_1_b.sam");
  std::string c_sam = data("merge/test_input_1_c.sam");
  std::string two = data("merge/2.merge.expected.sam");
  std::vector<Case> cases = {
      {"1: three SAM", {"-s", "1", "-O", "sam", "-", a_sam, b_sam, c_sam}, two},
      {"2: three BAM",
       {"-s", "1", "-O", "sam", "-", data("test_input_1_a.bam"), data("test_input_1_b.bam"),
        data("merge/test_input_1_c.bam")},
       two},
      {"3: -b list first",
       {"-s", "1", "-O", "sam", "-b", list, "-", data("test_input_1_a.bam")},
       data("merge/3.merge.expected.sam")},
      {"4: one BAM",
       {"-s", "1", "-O", "sam", "-", data("test_input_1_b.bam")},
       data("merge/4.merge.expected.sam")},
      {"5: -r",
       {"-r", "-s", "1", "-O", "sam", "-", a_sam, b_sam, c_sam},
       data("merge/5.merge.expected.sam")},
      {"6: -cp",
       {"-cp", "-s", "1", "-O", "sam", "-", a_sam, b_sam},
       data("merge/6.merge.expected.sam")},
      {"7: IDs and names with regex characters",
       {"-s", "1", "-O", "sam", "-", data("merge/test_input_1_a_regex.sam"),
        data("merge/test_input_1_b_regex.sam")},
       data("merge/7.merge.expected.sam")},
      {"8: -o -", {"-o", "-", "-s", "1", "-O", "sam", a_sam, b_sam, c_sam}, two},
      {"tag PG",
       {"-s", "1", "-p", "-c", "-t", "PG", "-O", "SAM", "-", tag1, tag2},
       data("merge/tag.pg.merge.expected.sam")},
      {"tag PG, by name",
       {"-s", "1", "-p", "-c", "-n", "-t", "PG", "-O", "SAM", "-", tag3, tag4},
       data("merge/tag.pg.n.merge.expected.sam")},
      {"no @PG, @RG or @CO",
       {"--no-PG", "-O", "SAM", "-", data("merge/test_no_pg_rg_co.sam")},
       data("merge/test_no_pg_rg_co.sam"),
       false},
      {"-r without @RG",
       {"--no-PG", "-r", "-O", "SAM", "-", data("merge/test_no_pg_rg_co.sam")},
       data("merge/rg_from_r_mode.expected.sam"),
       false},
      {"template-coordinate",
       {"--no-PG", "-O", "SAM", "--template-coordinate", "-",
        data("merge/test_template_coordinate.1.sam"), data("merge/test_template_coordinate.2.sam")},
       data("merge/test_template_coordinate.expected.sam"),
       false},
  };
  for (const Case& test : cases) {
    for (const char* threads : {"1", "2"}) expect_case(test, threads);
  }
}

// The region cases: test_merge's -L merge.bed (its two SAM inputs made BAM and indexed, as
// test.pl does) and test_index's -X -cp -R ref2 (test_input_1_a.bam and _b.bam with their
// indexes under custom names).
TEST(MergeSamtoolsCases, RegionCasesIdenticalToSamtoolsExpectedOutputs) {
  ScratchDir scratch;
  std::vector<std::string> bed_inputs;
  for (const char* name : {"merge.bed.1", "merge.bed.2"}) {
    std::string bam = scratch.file(std::string(name) + ".bam");
    ProcessResult made =
        run_shell("samtools view -ho " + bam + " --no-PG " +
                  data(std::string("merge/") + name + ".sam") + " && samtools index " + bam);
    ASSERT_TRUE(made.exited_ok()) << made.describe();
    bed_inputs.push_back(bam);
  }
  std::string a_index = scratch.file("a.custom.bai");
  std::string b_index = scratch.file("b.custom.bai");
  ProcessResult indexed =
      run_shell("samtools index " + data("test_input_1_a.bam") + " " + a_index +
                " && samtools index " + data("test_input_1_b.bam") + " " + b_index);
  ASSERT_TRUE(indexed.exited_ok()) << indexed.describe();
  std::vector<Case> cases = {
      {"-L merge.bed",
       {"--no-PG", "-O", "SAM", "-L", data("merge/merge.bed"), "-", bed_inputs[0], bed_inputs[1]},
       data("merge/merge.bed.expected.sam"),
       false},
      {"-X -cp -R ref2",
       {"-O", "sam", "-", "-X", "-cp", "-R", "ref2", data("test_input_1_a.bam"),
        data("test_input_1_b.bam"), a_index, b_index},
       data("merge/test_input_1_ab.X.expected")},
  };
  for (const Case& test : cases) {
    for (const char* threads : {"1", "2"}) expect_case(test, threads);
  }
}

// Merge 3's stderr (test/merge/3.merge.expected.err): samtools warns once about the PG tag
// without a header line and drops the tag; samsort says the same in its own words.
TEST(MergeSamtoolsCases, UnknownProgramTagIsReportedOnceAndDropped) {
  ScratchDir scratch;
  std::string list = scratch.file("test_3.fofn");
  std::ofstream(list) << data("test_input_1_b.bam") << "\n"
                      << data("merge/test_input_1_c.bam") << "\n";
  ProcessResult merged = run_process({kSamsortBin, "merge", "--verbosity", "0", "-s", "1", "-O",
                                      "sam", "-b", list, "-", data("test_input_1_a.bam")});
  ASSERT_TRUE(merged.exited_ok()) << merged.describe();
  std::string expected_err = read_text(data("merge/3.merge.expected.err"));
  ASSERT_TRUE(contains(expected_err, "PG tag \"colt\" on read \"r001\"")) << expected_err;
  EXPECT_TRUE(contains(merged.stderr_text, "PG tag \"colt\" on read \"r001\""))
      << merged.stderr_text;
  std::size_t first = merged.stderr_text.find("PG tag \"colt\"");
  EXPECT_EQ(merged.stderr_text.find("PG tag \"colt\"", first + 1), std::string::npos)
      << "reported more than once: " << merged.stderr_text;
}

}  // namespace
}  // namespace samsort::e2e
