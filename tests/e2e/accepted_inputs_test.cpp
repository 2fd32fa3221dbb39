// Inputs samtools accepts that are not what samtools writes: BAM that is plain gzip or not
// compressed, records whose read name lacks its NUL or whose position is below -1 (the
// `accepted_` cases of testdata/bad/make_bad.sh), and SAM records with more than 65,535 CIGAR
// operations. Each is sorted by samsort and by `samtools sort` and the decompressed outputs
// (header and records, byte for byte) must be identical, from a file and from a pipe.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "e2e_support.hpp"

namespace samsort::e2e {
namespace {

// Tiny runs so that the accepted records also go through spill and merge (the long-CIGAR
// records are ~400 KB each).
constexpr const char* kTinyRunBytes = "64K";
constexpr const char* kLongCigarRunBytes = "1M";
constexpr int kLongCigarPairs = 35'000;  // "1M1I" x 35,000 = 70,000 operations
constexpr int kShortRecords = 200;

// Runs make_bad.sh into `dir`; the names of its accepted_ cases.
std::vector<std::string> accepted_cases(const std::string& dir) {
  std::string script = std::string(kTestDataDir) + "/bad/make_bad.sh";
  ProcessResult made = run_process({"bash", script, MAKE_BAD_BAM_BIN, dir});
  EXPECT_TRUE(made.exited_ok()) << made.describe();
  std::vector<std::string> names;
  for (const std::string& name : list_directory(dir)) {
    if (name.rfind("accepted_", 0) == 0) names.push_back(name);
  }
  return names;
}

// Byte-for-byte comparison of two BGZF (or plain) files after decompression: the BAM stream,
// header included, or the SAM text.
::testing::AssertionResult same_decompressed(const std::string& expected,
                                             const std::string& actual) {
  ProcessResult compared = run_process(
      {"bash", "-c", "cmp <(gzip -dcf \"$1\") <(gzip -dcf \"$2\")", "cmp", expected, actual});
  if (compared.exited_ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << expected << " and " << actual << " differ: " << compared.stdout_text
         << compared.stderr_text;
}

// samtools sort's output of `input` with `args`, without a @PG line.
std::string samtools_sorted(const std::string& input, const std::string& output,
                            const std::vector<std::string>& args) {
  std::vector<std::string> argv{"samtools", "sort", "--no-PG", "-o", output};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(input);
  ProcessResult sorted = run_process(argv);
  EXPECT_TRUE(sorted.exited_ok()) << sorted.describe();
  return output;
}

// Sorts `input` with samsort from the file, and from a pipe, with `args` (plus --no-PG) and
// checks both against samtools' output.
void expect_sorted_like_samtools(const std::string& input, const std::vector<std::string>& args,
                                 const ScratchDir& scratch, const std::string& suffix = ".bam",
                                 const std::string& run_bytes = kTinyRunBytes) {
  SCOPED_TRACE(input);
  std::string expected = samtools_sorted(input, scratch.file("expected" + suffix), args);
  std::vector<std::string> samsort_args{"--no-PG", "-o", scratch.file("from-file" + suffix)};
  samsort_args.insert(samsort_args.end(), args.begin(), args.end());
  samsort_args.push_back(input);
  ProcessResult from_file = run_samsort(samsort_args);
  ASSERT_TRUE(from_file.exited_ok()) << from_file.describe();
  EXPECT_FALSE(contains(from_file.stderr_text, "warning")) << from_file.stderr_text;
  EXPECT_TRUE(same_decompressed(expected, scratch.file("from-file" + suffix)));

  std::string piped = scratch.file("from-pipe" + suffix);
  std::string command = "cat " + shell_quote(input) + " | " + shell_quote(kSamsortBin) +
                        " sort --no-PG -@ 3 --debug-max-run-bytes " + run_bytes + " -o " +
                        shell_quote(piped);
  for (const std::string& arg : args) command.append(" ").append(shell_quote(arg));
  ProcessResult from_pipe = run_shell(command + " -");
  ASSERT_TRUE(from_pipe.exited_ok()) << from_pipe.describe();
  EXPECT_TRUE(same_decompressed(expected, piped));
}

TEST(AcceptedInputs, CorpusCasesSortAsSamtoolsSortsThem) {
  ScratchDir scratch;
  std::string corpus = scratch.subdir("corpus");
  std::vector<std::string> names = accepted_cases(corpus);
  // Plain gzip (one and two members), uncompressed, position below -1 (two kinds), name
  // without NUL (one record, every record, every record uncompressed).
  EXPECT_GE(names.size(), 8u);
  for (const std::string& name : names) {
    expect_sorted_like_samtools(corpus + "/" + name, {}, scratch);
  }
}

// A record that kept its position below -1 sorts after every other record of its reference,
// as samtools puts it; one spread over three references checks the merge too.
TEST(AcceptedInputs, PositionsBelowMinusOneSortAfterTheirReference) {
  ScratchDir scratch;
  std::string corpus = scratch.subdir("corpus");
  accepted_cases(corpus);
  std::string input = corpus + "/accepted_pos_int_min.bam";
  std::string output = scratch.file("out.bam");
  ProcessResult sorted = run_samsort({"--debug-max-run-bytes", kTinyRunBytes, "-o", output, input});
  ASSERT_TRUE(sorted.exited_ok()) << sorted.describe();
  EXPECT_GE(parse_summary(sorted.stderr_text).runs, 2u) << sorted.stderr_text;
  ProcessResult positions = run_shell("samtools view " + shell_quote(output) + " | cut -f3,4");
  ASSERT_TRUE(positions.exited_ok());
  // Within a reference: non-negative positions ascending, then the negative ones.
  std::istringstream lines(positions.stdout_text);
  std::string line;
  std::string reference;
  bool seen_negative = false;
  int negatives = 0;
  while (std::getline(lines, line)) {
    std::string name = line.substr(0, line.find('\t'));
    long long position = std::stoll(line.substr(line.find('\t') + 1));
    if (name != reference) seen_negative = false;
    reference = name;
    if (position < 0) {
      seen_negative = true;
      ++negatives;
    } else {
      EXPECT_FALSE(seen_negative) << "position " << position << " after a negative one on " << name;
    }
  }
  EXPECT_EQ(negatives, 3);
}

// SAM with CIGARs of more than 65,535 operations: BAM output keeps the real CIGAR in CG:B,I
// behind a "<l_seq>S<ref_len>N" placeholder exactly as samtools writes it, SAM output shows the
// real CIGAR again, and a BAM holding such records sorts back to the same bytes.
TEST(AcceptedInputs, LongCigarsAreStoredAndRestoredAsSamtoolsDoes) {
  ScratchDir scratch;
  std::string sam = scratch.file("long_cigar.sam");
  std::string insertions;
  std::string deletions;
  for (int idx = 0; idx < kLongCigarPairs; ++idx) {
    insertions += "1M1I";
    deletions += "1M1D";
  }
  {
    std::ofstream out(sam);
    out << "@HD\tVN:1.6\n@SQ\tSN:chr1\tLN:10000000\n@SQ\tSN:chr2\tLN:10000000\n";
    std::mt19937 random(7);
    auto bases = [&random](int count) {
      std::string text;
      for (int idx = 0; idx < count; ++idx) text += "ACGT"[random() % 4];
      return text;
    };
    for (int idx = 0; idx < kShortRecords; ++idx) {
      out << "short" << idx << "\t0\tchr" << 1 + idx % 2 << '\t' << 1 + random() % 9'000'000
          << "\t60\t20M\t*\t0\t0\t" << bases(20) << "\t*\n";
    }
    out << "long_ins\t0\tchr1\t5000\t60\t" << insertions << "\t*\t0\t0\t"
        << bases(2 * kLongCigarPairs) << "\t*\tNM:i:0\n";
    out << "long_del\t16\tchr2\t100\t60\t" << deletions << "\t*\t0\t0\t" << bases(kLongCigarPairs)
        << "\t*\n";
    out << "long_unmapped_seq\t0\tchr1\t7000\t60\t" << insertions << "\t*\t0\t0\t*\t*\n";
  }
  expect_sorted_like_samtools(sam, {}, scratch, ".bam", kLongCigarRunBytes);
  expect_sorted_like_samtools(sam, {"-O", "sam"}, scratch, ".sam", kLongCigarRunBytes);
  expect_sorted_like_samtools(sam, {"--template-coordinate"}, scratch, ".bam", kLongCigarRunBytes);

  // SAM output shows the real CIGAR and no CG tag.
  ProcessResult as_sam = run_samsort({"--no-PG", "-O", "sam", "-o", scratch.file("out.sam"), sam});
  ASSERT_TRUE(as_sam.exited_ok()) << as_sam.describe();
  ProcessResult long_lines =
      run_shell("grep '^long_ins' " + shell_quote(scratch.file("out.sam")) + " | cut -f6,12-");
  EXPECT_EQ(long_lines.stdout_text, insertions + "\tNM:i:0\n");

  // The BAM (placeholder + CG) read back by samsort's own BAM reader: same bytes again.
  std::string bam = samtools_sorted(sam, scratch.file("samtools.bam"), {});
  expect_sorted_like_samtools(bam, {}, scratch, ".bam", kLongCigarRunBytes);
  expect_sorted_like_samtools(bam, {"-O", "sam"}, scratch, ".sam", kLongCigarRunBytes);
}

}  // namespace
}  // namespace samsort::e2e
