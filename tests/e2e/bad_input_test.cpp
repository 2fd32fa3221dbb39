// The bad-input corpus (testdata/bad/make_bad.sh, generated into a scratch directory): every
// damaged file ends in exit 1 with one "samsort: error: <file>: ..." line (never a signal or a
// hang) and leaves nothing in the output directory; a file that only lacks the BGZF EOF marker
// sorts with samtools' warning; the good controls sort cleanly.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "child.hpp"
#include "e2e_support.hpp"

namespace samsort::e2e {
namespace {

constexpr double kTimeoutSeconds = 60;
// The corpus files hold 1000 records (~0.5 MB); a corrupt length (l_text, n_ref, block_size)
// must not turn into an allocation that is touched. Far below the default 768 MiB budget.
constexpr long kMaxRssKib = 128 * 1024;
constexpr const char* kMissingEofWarning = "EOF marker is absent";
// Each group must really be exercised (the generator makes more than this of each).
constexpr std::size_t kMinCasesPerGroup = 5;
// "accepted_": inputs htslib reads (so samtools sorts them) that are not what samtools writes;
// accepted_inputs_test.cpp also compares their output with samtools'.
const std::vector<std::string> kGroups = {"file_",   "sam_",    "trunc_",   "bgzf_",
                                          "header_", "record_", "accepted_"};

struct BadCase {
  std::string name;
  std::string outcome;  // ok | warn | error
  std::int64_t records = 0;
  std::string needle;
};

// Runs make_bad.sh into `dir` and parses its MANIFEST.
std::vector<BadCase> make_corpus(const std::string& dir) {
  std::string script = std::string(kTestDataDir) + "/bad/make_bad.sh";
  ProcessResult made = run_process({"bash", script, MAKE_BAD_BAM_BIN, dir});
  if (!made.exited_ok()) {
    ADD_FAILURE() << "make_bad.sh failed: " << made.describe();
    return {};
  }
  std::ifstream manifest(dir + "/MANIFEST");
  std::vector<BadCase> cases;
  std::string line;
  while (std::getline(manifest, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    BadCase bad_case;
    std::string records;
    std::getline(fields, bad_case.name, '\t');
    std::getline(fields, bad_case.outcome, '\t');
    std::getline(fields, records, '\t');
    std::getline(fields, bad_case.needle, '\t');
    bad_case.records = std::stoll(records);
    cases.push_back(bad_case);
  }
  return cases;
}

// Sorts one corpus file into a fresh directory and checks the outcome the manifest promises.
void check_case(const BadCase& bad_case, const std::string& corpus_dir, const ScratchDir& scratch) {
  SCOPED_TRACE(bad_case.name);
  std::string input = corpus_dir + "/" + bad_case.name;
  std::string out_dir = scratch.subdir("out-" + bad_case.name);
  std::string output = out_dir + "/out.bam";
  ChildResult result =
      run_child({kSamsortBin, "sort", "-o", output, input}, ChildOptions{}, kTimeoutSeconds);
  ASSERT_FALSE(result.timed_out) << result.describe();
  ASSERT_EQ(result.term_signal, 0) << result.describe();
  EXPECT_LT(result.max_rss_kib, kMaxRssKib);
  if (bad_case.outcome == "error") {
    EXPECT_EQ(result.exit_code, 1) << result.describe();
    EXPECT_TRUE(is_one_error_line(result.stderr_text));
    EXPECT_TRUE(contains(result.stderr_text, kErrorPrefix + input + ": ")) << result.stderr_text;
    EXPECT_TRUE(contains(result.stderr_text, bad_case.needle))
        << "expected '" << bad_case.needle << "' in: " << result.stderr_text;
    // SAM goes through htslib, which knows lines rather than compressed offsets.
    if (bad_case.name.rfind("sam_", 0) != 0) {
      EXPECT_TRUE(contains(result.stderr_text, "compressed offset")) << result.stderr_text;
    }
    EXPECT_TRUE(list_directory(out_dir).empty()) << join_lines(list_directory(out_dir));
    return;
  }
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_EQ(contains(result.stderr_text, kMissingEofWarning), bad_case.outcome == "warn")
      << result.stderr_text;
  EXPECT_FALSE(contains(result.stderr_text, "error")) << result.stderr_text;
  EXPECT_EQ(list_directory(out_dir), std::vector<std::string>{"out.bam"});
  EXPECT_EQ(count_records(output), bad_case.records);
}

// Runs every corpus case whose name starts with `prefix`.
void check_group(const std::string& prefix) {
  ScratchDir scratch;
  std::string corpus_dir = scratch.subdir("corpus");
  std::vector<BadCase> cases = make_corpus(corpus_dir);
  std::size_t checked = 0;
  for (const BadCase& bad_case : cases) {
    if (bad_case.name.rfind(prefix, 0) != 0) continue;
    check_case(bad_case, corpus_dir, scratch);
    ++checked;
  }
  EXPECT_GE(checked, kMinCasesPerGroup) << prefix;
}

TEST(BadInput, CorpusCoversEveryGroupAndOutcome) {
  ScratchDir scratch;
  std::vector<BadCase> cases = make_corpus(scratch.path());
  std::map<std::string, std::size_t> per_group;
  std::map<std::string, std::size_t> per_outcome;
  for (const BadCase& bad_case : cases) {
    std::string group;
    for (const std::string& prefix : kGroups) {
      if (bad_case.name.rfind(prefix, 0) == 0) group = prefix;
    }
    EXPECT_FALSE(group.empty()) << bad_case.name << " is in no group";
    ++per_group[group];
    ++per_outcome[bad_case.outcome];
  }
  for (const std::string& prefix : kGroups) EXPECT_GE(per_group[prefix], kMinCasesPerGroup);
  EXPECT_GE(per_outcome["error"], 80u);
  EXPECT_GE(per_outcome["warn"], 2u);  // EOF marker missing only; cut after the header
  EXPECT_GE(per_outcome["ok"], 2u);
  EXPECT_EQ(per_outcome.size(), 3u);
}

TEST(BadInput, FileLevel) { check_group("file_"); }
TEST(BadInput, SamText) { check_group("sam_"); }
TEST(BadInput, Truncations) { check_group("trunc_"); }
TEST(BadInput, BgzfBlocks) { check_group("bgzf_"); }
TEST(BadInput, BamHeader) { check_group("header_"); }
TEST(BadInput, BamRecords) { check_group("record_"); }
TEST(BadInput, AcceptedInputs) { check_group("accepted_"); }

// On standard input the message names "stdin".
TEST(BadInput, DamagedStdinIsNamedStdin) {
  ScratchDir scratch;
  std::string corpus_dir = scratch.subdir("corpus");
  ASSERT_FALSE(make_corpus(corpus_dir).empty());
  std::string out_dir = scratch.subdir("out");
  for (const char* name : {"bgzf_crc.bam", "record_l_seq_negative.bam", "file_text_long.txt"}) {
    SCOPED_TRACE(name);
    int input_fd = open((corpus_dir + "/" + name).c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(input_fd, 0);
    ChildOptions options;
    options.stdin_fd = input_fd;
    ChildResult result =
        run_child({kSamsortBin, "sort", "-o", out_dir + "/out.bam", "-"}, options, kTimeoutSeconds);
    close(input_fd);
    EXPECT_EQ(result.exit_code, 1) << result.describe();
    EXPECT_TRUE(is_one_error_line(result.stderr_text));
    EXPECT_TRUE(contains(result.stderr_text, "samsort: error: stdin: ")) << result.stderr_text;
    EXPECT_TRUE(list_directory(out_dir).empty()) << join_lines(list_directory(out_dir));
  }
}

// Damage found while the writer of a stdin pipe stays open (a stalled download): the sort
// still ends at once with the error instead of waiting in read() for more input.
TEST(BadInput, DamagedPipeThatStaysOpenDoesNotHang) {
  constexpr double kPromptSeconds = 10;
  constexpr std::size_t kPrefixBytes = 30000;  // past the damaged record, not to the end
  signal(SIGPIPE, SIG_IGN);
  ScratchDir scratch;
  std::string corpus_dir = scratch.subdir("corpus");
  ASSERT_FALSE(make_corpus(corpus_dir).empty());
  std::ifstream in(corpus_dir + "/record_ref_id_beyond.bam", std::ios::binary);
  std::string prefix(kPrefixBytes, '\0');
  in.read(prefix.data(), static_cast<std::streamsize>(prefix.size()));
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  std::string out_dir = scratch.subdir("out");
  ChildOptions options;
  options.stdin_fd = pipe_fds[0];
  Child child({kSamsortBin, "sort", "-o", out_dir + "/out.bam", "-"}, options);
  close(pipe_fds[0]);
  ASSERT_EQ(write(pipe_fds[1], prefix.data(), prefix.size()), static_cast<ssize_t>(prefix.size()));
  ChildResult result = child.wait(kPromptSeconds);
  close(pipe_fds[1]);
  EXPECT_FALSE(result.timed_out) << "still waiting for input after the error";
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_TRUE(contains(result.stderr_text, "reference id outside the header"))
      << result.stderr_text;
  EXPECT_TRUE(list_directory(out_dir).empty()) << join_lines(list_directory(out_dir));
}

}  // namespace
}  // namespace samsort::e2e
