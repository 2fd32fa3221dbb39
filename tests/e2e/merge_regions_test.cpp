// samsort merge -R/-L/-X: identical to samtools HEAD's merge of four indexed chunks of the
// example data (testdata/merge/region_digests.tsv, made by
// tests/tools/make_merge_region_digests.sh): a region in the middle of a reference, a whole
// reference, thousands separators, an open end, regions with no records, BED files with
// overlapping, adjacent and contained intervals, a missing reference and the unplaced records,
// intervals of length 0, -X with custom index names; also through temporary runs and threads.
// CRAM and bgzipped SAM inputs read the same records as BAM; a missing index, a bad region or a bad
// BED is one error line and no output.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "e2e_support.hpp"

namespace samsort::e2e {
namespace {

std::vector<std::string> split(const std::string& text) {
  std::istringstream words(text);
  std::vector<std::string> out;
  for (std::string word; words >> word;) out.push_back(word);
  return out;
}

std::string chunk_name(int idx) { return std::string("c").append(std::to_string(idx)); }

// The script's chunks: example.bam's records by line number modulo 4, sorted by samsort,
// indexed (BAI beside them, and CSI under custom names in idx/ for -X).
struct Chunks {
  std::vector<std::string> bams;
  std::vector<std::string> custom_indexes;
};

Chunks make_chunks(const ScratchDir& scratch) {
  std::string all = scratch.file("all.sam");
  ProcessResult view = run_shell("samtools view --no-PG -h " + example_bam() + " > " + all);
  EXPECT_TRUE(view.exited_ok()) << view.describe();
  std::string dir = scratch.subdir("chunks");
  std::string idx_dir = scratch.subdir("idx");
  Chunks chunks;
  for (int idx = 0; idx < 4; ++idx) {
    std::string sam = dir + "/" + chunk_name(idx) + ".sam";
    std::string bam = dir + "/" + chunk_name(idx) + ".bam";
    std::string custom = idx_dir + "/" + chunk_name(idx) + ".custom.csi";
    ProcessResult made =
        run_shell(std::string("awk -v i=").append(std::to_string(idx)) +
                  " '/^@/ {print; next} {if (n++ % 4 == i) print}' " + all + " > " + sam + " && " +
                  kSamsortBin + " sort --no-PG --verbosity 0 -o " + bam + " " + sam +
                  " && samtools index " + bam + " && samtools index -c " + bam + " " + custom);
    EXPECT_TRUE(made.exited_ok()) << made.describe();
    chunks.bams.push_back(bam);
    chunks.custom_indexes.push_back(custom);
  }
  return chunks;
}

ProcessResult run_merge(const std::vector<std::string>& args) {
  std::string command = std::string(kSamsortBin) + " merge";
  for (const std::string& arg : args) command += " '" + arg + "'";
  return run_shell(command);
}

// The md5 of `samtools view` of `bam` piped through `filter`.
std::string view_digest(const std::string& bam, const std::string& flags = "-h",
                        const std::string& filter = "cat") {
  ProcessResult digest = run_shell("samtools view --no-PG " + flags + " " + bam + " | " + filter +
                                   " | md5sum | cut -d' ' -f1");
  EXPECT_TRUE(digest.exited_ok()) << digest.describe();
  return digest.stdout_text.substr(0, 32);
}

std::string bed(const std::string& name) { return std::string(kTestDataDir) + "/merge/" + name; }

TEST(MergeRegionsTest, IdenticalToSamtoolsHead) {
  ScratchDir scratch;
  Chunks chunks = make_chunks(scratch);
  std::istringstream table(read_text(bed("region_digests.tsv")));
  int cases = 0;
  for (std::string line; std::getline(table, line);) {
    if (line.starts_with("#")) continue;
    std::vector<std::string> args = split(line.substr(0, line.find('\t')));
    std::string expected = line.substr(line.find('\t') + 1);
    std::vector<std::string> inputs = chunks.bams;
    for (std::string& arg : args) {
      if (arg.ends_with(".bed")) arg = bed(arg);
      if (arg == "-X")
        inputs.insert(inputs.end(), chunks.custom_indexes.begin(), chunks.custom_indexes.end());
    }
    for (const std::vector<std::string>& extra :
         {std::vector<std::string>{},
          {"-@", "2"},
          {"--debug-max-fan-in", "2", "-T",
           scratch.subdir(std::string("runs").append(std::to_string(cases)))}}) {
      std::string output = scratch.file("m.bam");
      std::vector<std::string> merge_args = {"-f",          "-s", "1",  "--no-PG",
                                             "--verbosity", "0",  "-o", output};
      merge_args.insert(merge_args.end(), args.begin(), args.end());
      merge_args.insert(merge_args.end(), extra.begin(), extra.end());
      merge_args.insert(merge_args.end(), inputs.begin(), inputs.end());
      ProcessResult merged = run_merge(merge_args);
      ASSERT_TRUE(merged.exited_ok()) << merged.describe();
      EXPECT_EQ(view_digest(output), expected)
          << "merge " << line.substr(0, line.find('\t')) << " " << (extra.empty() ? "" : extra[0]);
    }
    ++cases;
  }
  EXPECT_EQ(cases, 13);
}

TEST(MergeRegionsTest, CramAndBgzippedSamInputsReadTheSameRecords) {
  ScratchDir scratch;
  Chunks chunks = make_chunks(scratch);
  std::string reference = std::string(kTestDataDir) + "/example.fa";
  // A CRAM input (CRAI) and a bgzipped SAM input, indexed by samtools.
  std::string cram = scratch.file("c0.cram");
  std::string sam_gz = scratch.file("c1.sam.gz");
  ProcessResult made = run_shell("samtools view -C -T " + reference + " -o " + cram + " " +
                                 chunks.bams[0] + " && samtools index " + cram +
                                 " && samtools view --no-PG -h -O sam --output-fmt-option " +
                                 "level=6 -o " + sam_gz + " " + chunks.bams[1] +
                                 " && samtools index " + sam_gz + " && gzip -t " + sam_gz);
  ASSERT_TRUE(made.exited_ok()) << made.describe();
  std::vector<std::string> inputs = {cram, sam_gz};
  for (const std::vector<std::string>& region :
       {std::vector<std::string>{"-R", "chr1:100000-200000"}, {"-L", bed("regions.bed")}}) {
    std::string from_bam = scratch.file("bam.bam");
    std::string from_cram = scratch.file("cram.bam");
    std::vector<std::string> common = {"-f", "--no-PG", "--verbosity", "0", region[0], region[1]};
    std::vector<std::string> bam_args = common;
    bam_args.insert(bam_args.end(), {"-o", from_bam, chunks.bams[0], chunks.bams[1]});
    std::vector<std::string> cram_args = common;
    cram_args.insert(cram_args.end(),
                     {"--reference", reference, "-o", from_cram, inputs[0], inputs[1]});
    ProcessResult bam_merge = run_merge(bam_args);
    ASSERT_TRUE(bam_merge.exited_ok()) << bam_merge.describe();
    ProcessResult cram_merge = run_merge(cram_args);
    ASSERT_TRUE(cram_merge.exited_ok()) << cram_merge.describe();
    EXPECT_GT(count_records(from_cram), 0);
    // The records' fields without tags: CRAM decoding adds MD and NM.
    EXPECT_EQ(view_digest(from_cram, "", "cut -f1-11"), view_digest(from_bam, "", "cut -f1-11"))
        << region[0];
  }
}

TEST(MergeRegionsTest, MissingIndexIsOneLineAndNoOutput) {
  SortDirs dirs;
  std::string sorted = dirs.scratch.file("sorted.bam");
  ASSERT_TRUE(run_samsort({"--verbosity", "0", "-o", sorted, example_bam()}).exited_ok());
  ProcessResult result = run_merge({"-R", "chr1", "-o", dirs.output, sorted});
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text)) << result.stderr_text;
  EXPECT_TRUE(contains(result.stderr_text, "cannot load its index")) << result.stderr_text;
  EXPECT_TRUE(contains(result.stderr_text, sorted)) << result.stderr_text;
  EXPECT_TRUE(list_directory(dirs.out_dir).empty());
  // -X names an index that is not there.
  ProcessResult named = run_merge(
      {"-X", "-L", bed("regions.bed"), "-o", dirs.output, sorted, sorted + ".missing.csi"});
  EXPECT_EQ(named.exit_code, 1) << named.describe();
  EXPECT_TRUE(is_one_error_line(named.stderr_text)) << named.stderr_text;
  EXPECT_TRUE(contains(named.stderr_text, ".missing.csi")) << named.stderr_text;
  EXPECT_TRUE(list_directory(dirs.out_dir).empty());
}

TEST(MergeRegionsTest, BadRegionsAreOneLineAndNoOutput) {
  SortDirs dirs;
  std::string sorted = dirs.scratch.file("sorted.bam");
  ASSERT_TRUE(
      run_samsort({"--verbosity", "0", "--write-index", "-o", sorted, example_bam()}).exited_ok());
  std::string empty_bed = dirs.scratch.file("empty.bed");
  std::string bad_bed = dirs.scratch.file("bad.bed");
  ASSERT_TRUE(run_shell("printf '# nothing\\n' > " + empty_bed +
                        " && printf 'chr1\\t200\\t100\\n' > " + bad_bed)
                  .exited_ok());
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    const char* message;
  };
  for (const Case& bad : {Case{{"-R", "chr9:1-100"}, 2, "unknown reference name"},
                          Case{{"-R", "chr1:300-100"}, 2, "badly formatted region"},
                          Case{{"-R", "chr1", "-L", bed("regions.bed")}, 2, "not both"},
                          Case{{"-X", "-R", "chr1"}, 2, "odd number of file names"},
                          Case{{"-L", empty_bed}, 1, "no regions"},
                          Case{{"-L", bad_bed}, 1, "must not be less than start"},
                          Case{{"-L", dirs.scratch.file("absent.bed")}, 1, "absent.bed"}}) {
    std::vector<std::string> args = bad.args;
    args.insert(args.end(), {"-o", dirs.output, sorted});
    ProcessResult result = run_merge(args);
    EXPECT_EQ(result.exit_code, bad.exit_code) << result.describe();
    EXPECT_TRUE(is_one_error_line(result.stderr_text)) << result.stderr_text;
    EXPECT_TRUE(contains(result.stderr_text, bad.message)) << result.stderr_text;
    EXPECT_TRUE(list_directory(dirs.out_dir).empty());
  }
}

}  // namespace
}  // namespace samsort::e2e
