// samsort merge: identical to samtools HEAD's merge (records and header, -s 1) of four chunks of
// the example data in every order and with -c/-p/-r (testdata/merge/head_digests.tsv, made by
// tests/tools/make_merge_digests.sh), also through temporary runs (a fan-in of 2) and threads;
// 1,000 inputs under ulimit -n 64 within the memory bound; one-line errors and no output for
// unsorted or truncated inputs; samtools' -f rule, legacy form, -b lists, index and MD5.
#include <gtest/gtest.h>

#include <fstream>
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

// The script's chunks: example.bam's records split by line number modulo 4, as SAM.
std::vector<std::string> make_chunk_sams(const ScratchDir& scratch) {
  std::string all = scratch.file("all.sam");
  ProcessResult view = run_shell("samtools view --no-PG -h " + example_bam() + " > " + all);
  EXPECT_TRUE(view.exited_ok()) << view.describe();
  std::vector<std::string> chunks;
  for (int idx = 0; idx < 4; ++idx) {
    std::string chunk = scratch.file(std::string("c").append(std::to_string(idx)).append(".sam"));
    ProcessResult cut =
        run_shell(std::string("awk -v i=").append(std::to_string(idx)) +
                  " '/^@/ {print; next} {if (n++ % 4 == i) print}' " + all + " > " + chunk);
    EXPECT_TRUE(cut.exited_ok()) << cut.describe();
    chunks.push_back(chunk);
  }
  return chunks;
}

// The chunks sorted by samsort in the order `args` names (-n, -N, -t TAG).
std::vector<std::string> sorted_chunks(const ScratchDir& scratch,
                                       const std::vector<std::string>& sams,
                                       const std::vector<std::string>& args,
                                       const std::string& tag) {
  std::vector<std::string> order;
  for (std::size_t idx = 0; idx < args.size(); ++idx) {
    if (args[idx] == "-n" || args[idx] == "-N") order.push_back(args[idx]);
    if (args[idx] == "-t") order.insert(order.end(), {"-t", args[idx + 1]});
  }
  std::vector<std::string> bams;
  for (std::size_t idx = 0; idx < sams.size(); ++idx) {
    // Named as the script names them: -r's read groups come from the file names.
    std::string bam =
        scratch.subdir(tag) + "/" + std::string("c").append(std::to_string(idx)).append(".bam");
    std::vector<std::string> sort_args = {"--no-PG", "--verbosity", "0", "-o", bam};
    sort_args.insert(sort_args.end(), order.begin(), order.end());
    sort_args.push_back(sams[idx]);
    ProcessResult sorted = run_samsort(sort_args);
    EXPECT_TRUE(sorted.exited_ok()) << sorted.describe();
    bams.push_back(bam);
  }
  return bams;
}

ProcessResult run_merge(const std::vector<std::string>& args) {
  std::string command = std::string(kSamsortBin) + " merge";
  for (const std::string& arg : args) command += " '" + arg + "'";
  return run_shell(command);
}

std::string view_digest(const std::string& bam) {
  ProcessResult digest = run_shell("samtools view --no-PG -h " + bam + " | md5sum | cut -d' ' -f1");
  EXPECT_TRUE(digest.exited_ok()) << digest.describe();
  return digest.stdout_text.substr(0, 32);
}

TEST(MergeTest, IdenticalToSamtoolsHeadInEveryOrder) {
  ScratchDir scratch;
  std::vector<std::string> sams = make_chunk_sams(scratch);
  std::istringstream table(read_text(std::string(kTestDataDir) + "/merge/head_digests.tsv"));
  int cases = 0;
  for (std::string line; std::getline(table, line);) {
    if (line.starts_with("#")) continue;
    std::vector<std::string> args = split(line.substr(0, line.find('\t')));
    std::string expected = line.substr(line.find('\t') + 1);
    std::vector<std::string> chunks =
        sorted_chunks(scratch, sams, args, std::string("_").append(std::to_string(cases)));
    for (const std::vector<std::string>& extra :
         {std::vector<std::string>{},
          {"-@", "2"},
          {"--debug-max-fan-in", "2", "-T",
           scratch.subdir(std::string("runs").append(std::to_string(cases)))}}) {
      std::string output = scratch.file("m.bam");
      std::vector<std::string> merge_args = {"-f", "-s", "1", "--no-PG", "-o", output};
      merge_args.insert(merge_args.end(), args.begin(), args.end());
      merge_args.insert(merge_args.end(), extra.begin(), extra.end());
      merge_args.insert(merge_args.end(), chunks.begin(), chunks.end());
      ProcessResult merged = run_merge(merge_args);
      ASSERT_TRUE(merged.exited_ok()) << merged.describe();
      EXPECT_EQ(view_digest(output), expected)
          << "merge " << line.substr(0, line.find('\t')) << " " << (extra.empty() ? "" : extra[0]);
    }
    ++cases;
  }
  EXPECT_EQ(cases, 9);
}

TEST(MergeTest, ThousandInputsUnderUlimitSixtyFourWithinTheBound) {
  ScratchDir scratch;
  std::string all = scratch.file("all.sam");
  ASSERT_TRUE(run_shell("samtools view --no-PG -h " + example_bam() + " > " + all).exited_ok());
  std::string dir = scratch.subdir("parts");
  // 1,000 sorted SAM parts: a coordinate-sorted SAM's records by line number modulo 1000.
  std::string sorted = dir + "/sorted.sam";
  ProcessResult parts =
      run_samsort({"--no-PG", "--verbosity", "0", "-O", "sam", "-o", sorted, all});
  ASSERT_TRUE(parts.exited_ok()) << parts.describe();
  std::istringstream text(read_text(sorted));
  std::string header;
  std::vector<std::string> bodies(1000);
  std::size_t records = 0;
  for (std::string line; std::getline(text, line);) {
    if (line.starts_with("@")) {
      header += line + "\n";
    } else {
      bodies[records++ % bodies.size()] += line + "\n";
    }
  }
  std::ofstream list(scratch.file("list.txt"));
  for (std::size_t part = 0; part < bodies.size(); ++part) {
    std::string path = dir + "/p" + std::to_string(part) + ".sam";
    std::ofstream(path) << header << bodies[part];
    list << path << "\n";
  }
  list.close();
  std::string output = scratch.file("merged.bam");
  ProcessResult merged = run_shell("ulimit -n 64 && " + std::string(kSamsortBin) +
                                   " merge --no-PG --max-memory 64M -T " + scratch.subdir("runs") +
                                   " -b " + scratch.file("list.txt") + " -o " + output);
  ASSERT_TRUE(merged.exited_ok()) << merged.describe();
  EXPECT_LT(merged.max_rss_kib, 64 * 1024 + 16 * 1024) << merged.stderr_text;
  EXPECT_EQ(count_records(output), count_records(example_bam()));
  ProcessResult verified = run_process({kSamsortBin, "verify", output});
  EXPECT_TRUE(verified.exited_ok()) << verified.describe();
  EXPECT_TRUE(list_directory(scratch.path() + "/runs").empty());
}

TEST(MergeTest, UnsortedInputIsOneLineAndNoOutput) {
  SortDirs dirs;
  std::string sorted = dirs.scratch.file("sorted.bam");
  ASSERT_TRUE(run_samsort({"--verbosity", "0", "-o", sorted, example_bam()}).exited_ok());
  // example.bam is not coordinate-sorted.
  ProcessResult result = run_merge({"-o", dirs.output, sorted, example_bam()});
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text)) << result.stderr_text;
  EXPECT_TRUE(contains(result.stderr_text, "not sorted in coordinate order")) << result.stderr_text;
  EXPECT_TRUE(contains(result.stderr_text, example_bam())) << result.stderr_text;
  EXPECT_TRUE(list_directory(dirs.out_dir).empty());
}

TEST(MergeTest, TruncatedInputIsOneLineAndNoOutput) {
  SortDirs dirs;
  std::string sorted = dirs.scratch.file("sorted.bam");
  ASSERT_TRUE(run_samsort({"--verbosity", "0", "-o", sorted, example_bam()}).exited_ok());
  std::string truncated = dirs.scratch.file("truncated.bam");
  copy_prefix(sorted, truncated, file_size(sorted) / 2);
  ProcessResult result = run_merge({"-o", dirs.output, sorted, truncated});
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text)) << result.stderr_text;
  EXPECT_TRUE(list_directory(dirs.out_dir).empty());
}

TEST(MergeTest, ExistingOutputNeedsForceAndLegacyFormWorks) {
  ScratchDir scratch;
  std::string sorted = scratch.file("sorted.bam");
  ASSERT_TRUE(run_samsort({"--verbosity", "0", "-o", sorted, example_bam()}).exited_ok());
  std::string output = scratch.file("out.bam");
  // Legacy form: the first file argument is the output.
  ASSERT_TRUE(run_merge({"--verbosity", "0", output, sorted, sorted}).exited_ok());
  EXPECT_EQ(count_records(output), 2 * count_records(sorted));
  ProcessResult again = run_merge({"-o", output, sorted});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_TRUE(contains(again.stderr_text, "give -f to overwrite")) << again.stderr_text;
  EXPECT_EQ(count_records(output), 2 * count_records(sorted));
  ASSERT_TRUE(run_merge({"-f", "--verbosity", "0", "-o", output, sorted}).exited_ok());
  EXPECT_EQ(count_records(output), count_records(sorted));
}

TEST(MergeTest, IndexAndMd5WrittenWithTheOutput) {
  ScratchDir scratch;
  std::string sorted = scratch.file("sorted.bam");
  ASSERT_TRUE(
      run_samsort({"--verbosity", "0", "--write-index", "-o", sorted, example_bam()}).exited_ok());
  std::string output = scratch.file("out.bam");
  ProcessResult merged =
      run_merge({"--write-index", "--write-md5", "-@", "2", "-o", output, sorted, sorted});
  ASSERT_TRUE(merged.exited_ok()) << merged.describe();
  EXPECT_TRUE(path_exists(output + ".csi"));
  ProcessResult md5 = run_process({"md5sum", output});
  EXPECT_EQ(read_text(output + ".md5"), md5.stdout_text.substr(0, 32));
  EXPECT_EQ(count_records(output, "chr1:100000-200000"),
            2 * count_records(sorted, "chr1:100000-200000"));
}

TEST(MergeTest, StandardInputOnceAndWithinOneMerge) {
  ScratchDir scratch;
  std::string sorted = scratch.file("sorted.bam");
  ASSERT_TRUE(run_samsort({"--verbosity", "0", "-o", sorted, example_bam()}).exited_ok());
  std::string output = scratch.file("out.bam");
  ProcessOptions from_file;
  from_file.stdin_path = sorted;
  ProcessResult merged = run_shell(
      std::string(kSamsortBin) + " merge --verbosity 0 -o " + output + " " + sorted + " -",
      from_file);
  ASSERT_TRUE(merged.exited_ok()) << merged.describe();
  EXPECT_EQ(count_records(output), 2 * count_records(sorted));
  ProcessResult passes = run_shell(std::string(kSamsortBin) + " merge -f --debug-max-fan-in 2 -o " +
                                       output + " " + sorted + " " + sorted + " -",
                                   from_file);
  EXPECT_EQ(passes.exit_code, 2) << passes.describe();
  EXPECT_TRUE(contains(passes.stderr_text, "standard input can be merged only"))
      << passes.stderr_text;
}

TEST(MergeTest, UsageErrors) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{},
                                               {"-o", "out.bam"},
                                               {"--write-md5", "-o", "-", "in.bam"},
                                               {"-o", "-", "-", "-"}}) {
    ProcessResult result = run_merge(args);
    EXPECT_EQ(result.exit_code, 2) << result.describe();
    EXPECT_TRUE(is_one_error_line(result.stderr_text)) << result.stderr_text;
  }
}

}  // namespace
}  // namespace samsort::e2e
