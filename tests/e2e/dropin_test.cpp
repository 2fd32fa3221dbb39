// Drop-in tests: samtools sort command lines of real workflows, run unchanged with
// `samsort sort` for `samtools sort`, checked against samtools (order, records, index answers),
// plus SAM/CRAM/stdin inputs giving the same records as BAM input, and --write-index edge cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <regex>
#include <string>
#include <vector>

#include "dropin_support.hpp"
#include "e2e_support.hpp"

namespace samsort::e2e {
namespace {

constexpr int64_t kRecords = 200'000;
constexpr uint64_t kSeed = 11;
constexpr int64_t kExampleRecords = 29'073;
constexpr int kUsageError = 2;
constexpr int kCramCompareColumns = 11;
constexpr const char* kTemplateCoordinateHd =
    "@HD\tVN:1.6\tSO:unsorted\tGO:query\tSS:unsorted:template-coordinate";

// Regions with reads in the synthetic input, and "*" (unplaced unmapped: the index's tail).
const std::vector<std::string> kRegions{"chr1:1-1000000", "chr2:10000000-60000000", "*"};

std::string input_bam() { return generated_bam(kRecords, kSeed); }
std::string reference_fasta() { return std::string(kTestDataDir) + "/example.fa"; }
std::string samsort_word() { return shell_quote(kSamsortBin); }

ProcessOptions in_dir(const std::string& dir) {
  ProcessOptions options;
  options.working_dir = dir;
  return options;
}

// The @SQ lines of a header.
std::vector<std::string> sq_lines(const std::vector<std::string>& header) {
  std::vector<std::string> lines;
  for (const std::string& line : header) {
    if (line.rfind("@SQ\t", 0) == 0) lines.push_back(line);
  }
  return lines;
}

// Checks shared by the coordinate-order command lines with a BAM output.
void expect_coordinate_bam(const std::string& output) {
  EXPECT_TRUE(passes_quickcheck(output));
  EXPECT_EQ(count_records(output), kRecords);
  EXPECT_TRUE(same_records_in_order(samtools_reference(input_bam()), output));
}

// ---- The issue's command lines. ----

// samtools cat in.bam | samsort sort -T prefix --threads 2 -o out.bam##idx##out.bam.bai
//   --write-index -
TEST(DropInCommandLines, SamtoolsCatPipeWithBaiIndex) {
  ScratchDir scratch;
  std::string work = scratch.subdir("work");
  std::string command = "samtools cat " + shell_quote(input_bam()) + " | " + samsort_word() +
                        " sort -T prefix --threads 2 -o 'out.bam##idx##out.bam.bai'"
                        " --write-index -";
  ProcessResult result = run_shell(command, in_dir(work));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  std::string output = work + "/out.bam";
  expect_coordinate_bam(output);
  EXPECT_TRUE(index_matches_samtools(output, work + "/out.bam.bai", IndexKind::kBai, kRegions,
                                     scratch.subdir("check")));
  EXPECT_TRUE(directory_holds_exactly(work, {"out.bam", "out.bam.bai"}));
}

// The same pipeline with spilled runs and a multi-pass merge: the index is built while merging,
// and the relative -T prefix (in the working directory) leaves nothing behind.
TEST(DropInCommandLines, SamtoolsCatPipeWithBaiIndexAfterSpills) {
  ScratchDir scratch;
  std::string work = scratch.subdir("work");
  std::string command = "samtools cat " + shell_quote(input_bam()) + " | " + samsort_word() +
                        " sort -T prefix --threads 2 -o 'out.bam##idx##out.bam.bai'"
                        " --write-index --debug-max-run-bytes 1M --debug-max-fan-in 8 -";
  ProcessResult result = run_shell(command, in_dir(work));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  SortSummary summary = parse_summary(result.stderr_text);
  ASSERT_TRUE(summary.found) << result.stderr_text;
  EXPECT_GE(summary.runs, 2u) << result.stderr_text;
  EXPECT_GE(summary.merge_passes, 1u) << result.stderr_text;
  std::string output = work + "/out.bam";
  expect_coordinate_bam(output);
  EXPECT_TRUE(index_matches_samtools(output, work + "/out.bam.bai", IndexKind::kBai, kRegions,
                                     scratch.subdir("check")));
  EXPECT_TRUE(directory_holds_exactly(work, {"out.bam", "out.bam.bai"}));
}

// samsort sort --threads 1 --write-index -o out.bam##idx##out.bam.csi --output-fmt bam -m 512M
//   -T tmp/x in.bam   (tmp/ exists)
TEST(DropInCommandLines, CsiIndexWithMemoryPerThreadAndTempPrefix) {
  ScratchDir scratch;
  std::string work = scratch.subdir("work");
  std::string temp_dir = scratch.subdir("work/tmp");
  ProcessResult result =
      run_samsort({"--threads", "1", "--write-index", "-o", "out.bam##idx##out.bam.csi",
                   "--output-fmt", "bam", "-m", "512M", "-T", "tmp/x", input_bam()},
                  in_dir(work));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  // -m is per thread, as in samtools: one thread, a 512 MiB budget.
  EXPECT_TRUE(std::regex_search(result.stderr_text, std::regex(R"(budget 512 MiB)")))
      << result.stderr_text;
  std::string output = work + "/out.bam";
  expect_coordinate_bam(output);
  EXPECT_TRUE(index_matches_samtools(output, work + "/out.bam.csi", IndexKind::kCsi, kRegions,
                                     scratch.subdir("check")));
  EXPECT_TRUE(directory_holds_exactly(work, {"out.bam", "out.bam.csi", "tmp"}));
  EXPECT_TRUE(directory_holds_exactly(temp_dir, {}));
}

// bwa mem ... | samsort sort -@ 2 -o out.bam -   with testdata/example.bam (minimap2's output, in
// aligner order) streamed as BAM, then as SAM text.
struct StdinCase {
  std::string name;
  std::string producer;  // a shell command writing the input to stdout; {IN} is the input
};

void PrintTo(const StdinCase& stdin_case, std::ostream* out) { *out << stdin_case.name; }

class DropInStdinTest : public ::testing::TestWithParam<StdinCase> {};

TEST_P(DropInStdinTest, AlignerPipeToBam) {
  ScratchDir scratch;
  std::string work = scratch.subdir("work");
  std::string producer =
      std::regex_replace(GetParam().producer, std::regex(R"(\{IN\})"), shell_quote(example_bam()));
  ProcessResult result =
      run_shell(producer + " | " + samsort_word() + " sort -@ 2 -o out.bam -", in_dir(work));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  std::string output = work + "/out.bam";
  EXPECT_TRUE(passes_quickcheck(output));
  EXPECT_EQ(count_records(output), kExampleRecords);
  EXPECT_TRUE(same_records_in_order(samtools_reference(example_bam()), output));
  EXPECT_TRUE(directory_holds_exactly(work, {"out.bam"}));
}

INSTANTIATE_TEST_SUITE_P(Producers, DropInStdinTest,
                         ::testing::Values(StdinCase{"BamStream", "cat {IN}"},
                                           StdinCase{"SamText", "samtools view -h {IN}"}),
                         [](const ::testing::TestParamInfo<StdinCase>& param_info) {
                           return param_info.param.name;
                         });

// samsort sort -n -u in.bam | next-tool: uncompressed BAM in natural name order on a pipe.
TEST(DropInCommandLines, UncompressedNameSortToPipe) {
  ScratchDir scratch;
  std::string work = scratch.subdir("work");
  std::string temp_dir = scratch.subdir("tmpdir");
  std::string status_file = scratch.file("samsort.status");
  // A copy of the stream (tee) is kept for the checks; samsort's own exit status is saved.
  std::string command = "{ " + samsort_word() + " sort -n -u " + shell_quote(example_bam()) +
                        "; echo $? > " + shell_quote(status_file) +
                        "; } | tee out.bam | samtools view -c -";
  ProcessOptions options = in_dir(work);
  options.environment = {{"TMPDIR", temp_dir}};
  ProcessResult result = run_shell(command, options);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  ASSERT_EQ(file_prefix(status_file, 16), "0\n") << result.stderr_text;
  EXPECT_EQ(result.stdout_text, std::to_string(kExampleRecords) + "\n");

  std::string output = work + "/out.bam";
  EXPECT_TRUE(passes_quickcheck(output));
  // Stored (level 0) BGZF blocks: the file is no smaller than the data it holds.
  uint64_t data_bytes = decompressed_bytes(output);
  ASSERT_GT(data_bytes, 0u);
  EXPECT_GE(file_size(output), data_bytes);
  std::vector<std::string> header = header_lines(output);
  ASSERT_FALSE(header.empty());
  EXPECT_EQ(header.front().rfind("@HD\t", 0), 0u) << header.front();
  EXPECT_NE(header.front().find("\tSO:queryname"), std::string::npos) << header.front();

  EXPECT_TRUE(in_natural_name_order(output));
  // samtools -n as the oracle, on names whose digit runs have no leading zeros after the
  // (constant) instrument field. Debian's samtools (1.16) keeps input order among records of
  // one name and READ1/READ2 bits where the newest puts primaries first (PR samtools#2012),
  // and example.bam has supplementaries ahead of their primaries: compare primaries only.
  ASSERT_TRUE(names_free_of_leading_zeros(example_bam()));
  std::string samtools_sorted = scratch.file("samtools-n.bam");
  ProcessResult samtools_sort =
      run_process({"samtools", "sort", "-n", "-l", "1", "-o", samtools_sorted, example_bam()});
  ASSERT_EQ(samtools_sort.exit_code, 0) << samtools_sort.describe();
  EXPECT_TRUE(
      same_view_lines(samtools_view(samtools_sorted), samtools_view(output), primary_only()));
  EXPECT_TRUE(same_record_multiset(example_bam(), output));
  EXPECT_TRUE(directory_holds_exactly(work, {"out.bam"}));
  EXPECT_TRUE(directory_holds_exactly(temp_dir, {}));
}

// samsort sort --template-coordinate --output-fmt-option level=1 -o tc.bam in.bam
TEST(DropInCommandLines, TemplateCoordinateWithLevelOption) {
  ScratchDir scratch;
  std::string work = scratch.subdir("work");
  ProcessResult result = run_samsort(
      {"--template-coordinate", "--output-fmt-option", "level=1", "-o", "tc.bam", input_bam()},
      in_dir(work));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  std::string output = work + "/tc.bam";
  EXPECT_TRUE(passes_quickcheck(output));
  EXPECT_EQ(count_records(output), kRecords);
  std::vector<std::string> header = header_lines(output);
  ASSERT_FALSE(header.empty());
  EXPECT_EQ(header.front(), kTemplateCoordinateHd);
  // level=1 compresses (a level-0 file would be as big as the data it holds).
  EXPECT_LT(file_size(output), decompressed_bytes(output) / 2);
  EXPECT_TRUE(same_record_multiset(input_bam(), output));

  // Order against Debian's samtools (1.16), except for hard-clipped records: the newest samtools
  // (PR samtools#2287, as fgbio) and samsort ignore hard clips in the unclipped 5' positions,
  // 1.16 counts them. Dropping records from both sorted lists keeps the others' order.
  std::string samtools_sorted = scratch.file("samtools-tc.bam");
  ProcessResult samtools_sort = run_process({"samtools", "sort", "--template-coordinate", "-@", "2",
                                             "-l", "1", "-o", samtools_sorted, input_bam()});
  ASSERT_EQ(samtools_sort.exit_code, 0) << samtools_sort.describe();
  EXPECT_TRUE(
      same_view_lines(samtools_view(samtools_sorted), samtools_view(output), without_hard_clips()));
  ProcessResult verify = run_process({kSamsortBin, "verify", "--template-coordinate", output});
  EXPECT_EQ(verify.exit_code, 0) << verify.describe();
  EXPECT_TRUE(directory_holds_exactly(work, {"tc.bam"}));
}

// samsort sort -O cram --reference ref.fa -o out.cram in.bam
TEST(DropInCommandLines, CramOutputWithReference) {
  ScratchDir scratch;
  std::string work = scratch.subdir("work");
  ProcessResult result =
      run_samsort({"-O", "cram", "--reference", reference_fasta(), "-o", "out.cram", example_bam()},
                  in_dir(work));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  std::string output = work + "/out.cram";
  EXPECT_EQ(file_prefix(output, 4), "CRAM");
  EXPECT_TRUE(passes_quickcheck(output));
  ProcessResult count =
      run_process({"samtools", "view", "-c", "--reference", reference_fasta(), output});
  ASSERT_EQ(count.exit_code, 0) << count.describe();
  EXPECT_EQ(count.stdout_text, std::to_string(kExampleRecords) + "\n");
  EXPECT_TRUE(same_view_lines(samtools_view(samtools_reference(example_bam())),
                              samtools_view(output, reference_fasta()),
                              first_columns(kCramCompareColumns)));
  EXPECT_TRUE(directory_holds_exactly(work, {"out.cram"}));
}

// samsort sort -o out.sam in.bam   (format from the extension)
TEST(DropInCommandLines, SamOutputFromExtension) {
  ScratchDir scratch;
  std::string work = scratch.subdir("work");
  ProcessResult result = run_samsort({"-o", "out.sam", input_bam()}, in_dir(work));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  std::string output = work + "/out.sam";
  EXPECT_EQ(file_prefix(output, 4), "@HD\t");
  std::vector<std::string> header = header_lines(output);
  ASSERT_FALSE(header.empty());
  EXPECT_NE(header.front().find("\tSO:coordinate"), std::string::npos) << header.front();
  EXPECT_EQ(sq_lines(header), sq_lines(header_lines(input_bam())));
  expect_coordinate_bam(output);
  EXPECT_TRUE(directory_holds_exactly(work, {"out.sam"}));
}

// ---- Input formats: SAM, CRAM and stdin give the same records as BAM input. ----

struct InputCase {
  std::string name;
  std::string prepare;  // shell command run first in the working directory ("" for none)
  std::string sort;     // shell command writing out.bam; {S} samsort, {EX} example, {FA} FASTA
  int columns;          // compare the first `columns` columns, 0 for whole lines
};

void PrintTo(const InputCase& input_case, std::ostream* out) { *out << input_case.name; }

std::string expand(const std::string& text) {
  std::string out = std::regex_replace(text, std::regex(R"(\{S\})"), samsort_word());
  out = std::regex_replace(out, std::regex(R"(\{EX\})"), shell_quote(example_bam()));
  return std::regex_replace(out, std::regex(R"(\{FA\})"), shell_quote(reference_fasta()));
}

class DropInInputFormatTest : public ::testing::TestWithParam<InputCase> {};

TEST_P(DropInInputFormatTest, SameRecordsAsBamInput) {
  const InputCase& input_case = GetParam();
  ScratchDir scratch;
  std::string work = scratch.subdir("work");
  std::string from_bam = scratch.file("from-bam.bam");
  ProcessResult bam_sort = run_samsort({"-o", from_bam, example_bam()});
  ASSERT_EQ(bam_sort.exit_code, 0) << bam_sort.describe();
  if (!input_case.prepare.empty()) {
    ProcessResult prepare = run_shell(expand(input_case.prepare), in_dir(work));
    ASSERT_EQ(prepare.exit_code, 0) << prepare.describe();
  }

  ProcessResult result = run_shell(expand(input_case.sort), in_dir(work));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  std::string output = work + "/out.bam";
  EXPECT_TRUE(passes_quickcheck(output));
  EXPECT_EQ(count_records(output), kExampleRecords);
  if (input_case.columns == 0) {
    EXPECT_TRUE(same_records_in_order(from_bam, output));
  } else {
    EXPECT_TRUE(same_view_lines(samtools_view(from_bam), samtools_view(output),
                                first_columns(input_case.columns)));
  }
  std::vector<std::string> names = list_directory(work);
  EXPECT_EQ(std::count_if(
                names.begin(), names.end(),
                [](const std::string& name) { return name.find(".samsort") != std::string::npos; }),
            0)
      << join_lines(names);
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, DropInInputFormatTest,
    ::testing::Values(
        InputCase{"BamStdin", "", "cat {EX} | {S} sort -o out.bam -", 0},
        InputCase{"SamFile", "samtools view -h -o in.sam {EX}", "{S} sort -o out.bam in.sam", 0},
        InputCase{"SamStdin", "", "samtools view -h {EX} | {S} sort -o out.bam -", 0},
        InputCase{"CramFileWithReference", "samtools view -C -T {FA} -o in.cram {EX}",
                  "{S} sort --reference {FA} -o out.bam in.cram", kCramCompareColumns},
        // The reference as htslib resolves it from the header's UR (an absolute path here);
        // REF_PATH points at nothing local, so htslib does not try the EBI server for M5 first.
        InputCase{"CramFileReferenceFromHeader", "samtools view -C -T {FA} -o in.cram {EX}",
                  "REF_PATH=./no-ref-cache/%s {S} sort -o out.bam in.cram", kCramCompareColumns},
        InputCase{"CramStdinWithReference", "samtools view -C -T {FA} -o in.cram {EX}",
                  "cat in.cram | {S} sort --reference {FA} -o out.bam -", kCramCompareColumns}),
    [](const ::testing::TestParamInfo<InputCase>& param_info) { return param_info.param.name; });

// ---- --write-index outside coordinate order or a file. ----

TEST(DropInWriteIndex, NameOrderWarnsAndWritesNoIndex) {
  for (const char* target : {"out.bam", "out.bam##idx##out.bam.bai"}) {
    SCOPED_TRACE(target);
    ScratchDir scratch;
    std::string work = scratch.subdir("work");
    ProcessResult result =
        run_samsort({"-n", "--write-index", "-o", target, example_bam()}, in_dir(work));
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_NE(result.stderr_text.find("needs coordinate order"), std::string::npos)
        << result.stderr_text;
    EXPECT_TRUE(directory_holds_exactly(work, {"out.bam"}));
    EXPECT_TRUE(in_natural_name_order(work + "/out.bam"));
  }
}

TEST(DropInWriteIndex, StandardOutputIsAUsageError) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--write-index", "-o", "-", example_bam()},
        std::vector<std::string>{"--write-index", example_bam()}}) {
    ScratchDir scratch;
    ProcessResult result = run_samsort(args, in_dir(scratch.path()));
    EXPECT_EQ(result.exit_code, kUsageError) << result.describe();
    EXPECT_EQ(result.stderr_text.rfind("samsort: error: ", 0), 0u) << result.stderr_text;
    EXPECT_TRUE(result.stdout_text.empty()) << result.stdout_text.size() << " bytes on stdout";
    EXPECT_TRUE(directory_holds_exactly(scratch.path(), {}));
  }
}

// BUG (reported, not worked around): samtools names the index of a CRAM output out.cram.crai;
// samsort writes the same CRAI data as out.cram.csi (its default name is always <output>.csi),
// so a workflow that expects out.cram.crai finds nothing.
TEST(DropInWriteIndex, CramOutputIndexNamedCraiLikeSamtools) {
  ScratchDir scratch;
  std::string work = scratch.subdir("work");
  ProcessResult result = run_samsort({"--write-index", "-O", "cram", "--reference",
                                      reference_fasta(), "-o", "out.cram", example_bam()},
                                     in_dir(work));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(directory_holds_exactly(work, {"out.cram", "out.cram.crai"}));
  std::string samtools_index = scratch.file("samtools.crai");
  ProcessResult index = run_process({"samtools", "index", work + "/out.cram", samtools_index});
  ASSERT_EQ(index.exit_code, 0) << index.describe();
  EXPECT_EQ(file_prefix(work + "/out.cram.crai", 1 << 20), file_prefix(samtools_index, 1 << 20));
}

// BUG (reported, not worked around): with a level option, samtools writes SAM as BGZF
// (`samtools sort -O sam,level=1 -o out.sam` gives a BGZF file, and --write-index then indexes
// it); samsort ignores the level for SAM, writes plain text, and refuses --write-index
// ("cannot index ... (indexing needs BGZF-compressed output)", exit 1).
TEST(DropInCommandLines, SamOutputWithLevelOptionIsBgzfLikeSamtools) {
  const std::string kBgzfMagic("\x1f\x8b\x08\x04", 4);
  ScratchDir scratch;
  std::string work = scratch.subdir("work");
  for (const std::vector<std::string>& format :
       {std::vector<std::string>{"-O", "sam,level=1"},
        std::vector<std::string>{"-O", "sam", "--output-fmt-option", "level=1"}}) {
    std::vector<std::string> args = format;
    args.insert(args.end(), {"-o", "out.sam", example_bam()});
    ProcessResult result = run_samsort(args, in_dir(work));
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_EQ(file_prefix(work + "/out.sam", 4), kBgzfMagic) << format.back();
  }
  ProcessResult indexed = run_samsort(
      {"--write-index", "-O", "sam,level=1", "-o", "out.sam.gz", example_bam()}, in_dir(work));
  ASSERT_EQ(indexed.exit_code, 0) << indexed.describe();
  EXPECT_TRUE(index_matches_samtools(work + "/out.sam.gz", work + "/out.sam.gz.csi",
                                     IndexKind::kCsi, {"chr1:1-100000", "*"},
                                     scratch.subdir("check")));
}

// ---- The checks above can fail. ----

TEST(DropInHelpers, StrnumCompareFollowsSamtools) {
  EXPECT_LT(strnum_compare("r2", "r10"), 0);
  EXPECT_GT(strnum_compare("r10", "r2"), 0);
  EXPECT_EQ(strnum_compare("a:1:b", "a:1:b"), 0);
  EXPECT_EQ(strnum_compare("r01", "r1"), 0);  // leading zeros are skipped, as in samtools
  EXPECT_LT(strnum_compare("r1", "r1x"), 0);
  EXPECT_LT(strnum_compare("a19b", "a19c"), 0);
  EXPECT_LT(strnum_compare("a:9", "a:B"), 0);  // '9' < 'B' by byte
  EXPECT_LT(strnum_compare("x123", "x124"), 0);
}

TEST(DropInHelpers, LineFiltersKeepColumnsAndDropRecords) {
  std::string line = "r1\t2048\tchr1\t5\t60\t3H7M\t*\t0\t0\tACGTACG\t*\tNM:i:0";
  std::string columns = line;
  EXPECT_TRUE(first_columns(3)(columns));
  EXPECT_EQ(columns, "r1\t2048\tchr1");
  std::string kept = line;
  EXPECT_TRUE(first_columns(kCramCompareColumns)(kept));
  EXPECT_EQ(kept, line.substr(0, line.find("\tNM:i:0")));
  std::string copy = line;
  EXPECT_FALSE(without_hard_clips()(copy));
  EXPECT_FALSE(primary_only()(copy));
  std::string primary = "r1\t99\tchr1\t5\t60\t3S7M\t=\t9\t14\tACGTACGTAC\t*";
  EXPECT_TRUE(without_hard_clips()(primary));
  EXPECT_TRUE(primary_only()(primary));
}

TEST(DropInHelpers, DetectWrongOrderIndexAndDebris) {
  EXPECT_FALSE(in_natural_name_order(example_bam()));  // aligner order: names not sorted
  EXPECT_FALSE(same_view_lines(samtools_view(example_bam()),
                               samtools_view(samtools_reference(example_bam())),
                               first_columns(kCramCompareColumns)));

  ScratchDir scratch;
  std::string work = scratch.subdir("work");
  ProcessResult result =
      run_samsort({"--write-index", "-o", "out.bam", example_bam()}, in_dir(work));
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(index_matches_samtools(work + "/out.bam", work + "/out.bam.csi", IndexKind::kCsi,
                                     {"chr1:1-100000"}, scratch.subdir("check-ok")));
  // The index of a different file (samtools' sort carries a different header) is caught.
  std::string other = samtools_reference(example_bam());
  EXPECT_FALSE(index_matches_samtools(other, work + "/out.bam.csi", IndexKind::kCsi,
                                      {"chr1:1-100000"}, scratch.subdir("check-other")));
  EXPECT_FALSE(index_matches_samtools(work + "/out.bam", work + "/out.bam.csi", IndexKind::kBai,
                                      {"chr1:1-100000"}, scratch.subdir("check-kind")));
  EXPECT_FALSE(directory_holds_exactly(work, {"out.bam"}));
}

}  // namespace
}  // namespace samsort::e2e
