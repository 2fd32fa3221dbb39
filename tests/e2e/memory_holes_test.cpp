// Memory-bound holes (issue 12): inputs whose memory lives outside samsort's own buffers. Each
// case must either keep peak RSS <= max(B, 64 MiB) + 16 MiB or be refused with one error line
// naming the amount needed, before that memory is used (a low peak RSS) and leaving no output.
// Here: CRAM against a reference whose one contig is 150 Mbp, which htslib loads whole; and
// records of ~35 MiB, of which a 64 MiB budget holds one at a time.
#include <gtest/gtest.h>
#include <htslib/sam.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "e2e_support.hpp"
#include "oracle.hpp"

namespace samsort::e2e {
namespace {

constexpr long kRssSlackMib = 16;
constexpr long kFloorMib = 64;
constexpr long kKibPerMib = 1024;
constexpr long kContigBases = 150'000'000;
constexpr int kFastaLineBases = 60;
constexpr int kReads = 2000;
constexpr int kReadBases = 100;

// A deterministic base sequence (xorshift), the same for the FASTA and the reads taken from it.
std::string random_bases(std::size_t count, std::uint64_t seed) {
  static const char kBases[] = "ACGT";
  std::string bases(count, 'A');
  for (char& base : bases) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    base = kBases[seed & 3];
  }
  return bases;
}

// ref.fa (+ .fai) with one contig "c1" of kContigBases, reads.sam with kReads reads on it in
// random order (SO:unsorted), and its conversions reads.bam and reads.cram (against ref.fa).
class ReferenceInputs {
 public:
  ReferenceInputs() {
    // The contig repeats a 60 kbase block: enough for realistic reads, cheap to write.
    std::string block = random_bases(std::size_t{kFastaLineBases} * 1000, 7);
    {
      std::ofstream fasta(reference());
      fasta << ">c1\n";
      std::string lines;
      for (std::size_t at = 0; at < block.size(); at += kFastaLineBases) {
        lines.append(block, at, kFastaLineBases).push_back('\n');
      }
      for (long written = 0; written < kContigBases; written += static_cast<long>(block.size())) {
        fasta << lines;
      }
    }
    std::ofstream sam(scratch_.file("reads.sam"));
    sam << "@HD\tVN:1.6\tSO:unsorted\n@SQ\tSN:c1\tLN:" << kContigBases << "\n";
    std::uint64_t seed = 11;
    for (int read = 0; read < kReads; ++read) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      long pos = static_cast<long>((seed >> 20) % (kContigBases - kReadBases));
      std::size_t in_block = static_cast<std::size_t>(pos) % block.size();
      std::string bases = (block + block).substr(in_block, kReadBases);
      sam << "r" << read << "\t0\tc1\t" << pos + 1 << "\t60\t" << kReadBases << "M\t*\t0\t0\t"
          << bases << "\t" << std::string(kReadBases, 'I') << "\n";
    }
    sam.close();
    std::string quoted_ref = shell_quote(reference());
    ProcessResult made = run_shell(
        "samtools faidx " + quoted_ref + " && samtools view -b -o " + shell_quote(bam()) + " " +
        shell_quote(scratch_.file("reads.sam")) + " && samtools view -C -T " + quoted_ref + " -o " +
        shell_quote(cram()) + " " + shell_quote(scratch_.file("reads.sam")));
    ok_ = made.exited_ok();
    failure_ = made.describe();
  }

  bool ok() const { return ok_; }
  const std::string& failure() const { return failure_; }
  std::string reference() const { return scratch_.file("ref.fa"); }
  std::string bam() const { return scratch_.file("reads.bam"); }
  std::string cram() const { return scratch_.file("reads.cram"); }

 private:
  ScratchDir scratch_;
  bool ok_ = false;
  std::string failure_;
};

class CramReferenceMemoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { inputs_ = new ReferenceInputs(); }
  static void TearDownTestSuite() {
    delete inputs_;
    inputs_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(inputs_->ok()) << inputs_->failure(); }

  static ReferenceInputs* inputs_;
};
ReferenceInputs* CramReferenceMemoryTest::inputs_ = nullptr;

long limit_kib(long budget_mib) {
  return (std::max(budget_mib, kFloorMib) + kRssSlackMib) * kKibPerMib;
}

void print_rss(const std::string& label, const ProcessResult& result) {
  std::printf("[ RSS      ] %s: exit %d, peak RSS %.1f MiB, %.1f s\n", label.c_str(),
              result.exit_code, static_cast<double>(result.max_rss_kib) / kKibPerMib,
              result.wall_seconds);
}

// The refusal comes before the reference is loaded: one line naming the MiB needed, a peak RSS
// far below the 143 MiB of bases, and no output file left behind.
void expect_refused_early(const ProcessResult& result, const ScratchDir& scratch,
                          const std::string& output) {
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text));
  EXPECT_TRUE(contains(result.stderr_text, "MiB")) << result.stderr_text;
  EXPECT_TRUE(contains(result.stderr_text, "raise --max-memory")) << result.stderr_text;
  EXPECT_LT(result.max_rss_kib, kFloorMib * kKibPerMib);
  EXPECT_FALSE(path_exists(output));
  EXPECT_EQ(list_directory(scratch.path()), std::vector<std::string>{});
}

TEST_F(CramReferenceMemoryTest, InputRefusedBeforeTheReferenceIsLoaded) {
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  ProcessResult result = run_samsort({"-@", "8", "--max-memory", "64M", "--reference",
                                      inputs_->reference(), "-o", output, inputs_->cram()});
  print_rss("CRAM in, 150 Mbp contig, 64M", result);
  expect_refused_early(result, scratch, output);
  EXPECT_TRUE(contains(result.stderr_text, "CRAM reference needs")) << result.stderr_text;
}

TEST_F(CramReferenceMemoryTest, OutputRefusedBeforeTheReferenceIsLoaded) {
  ScratchDir scratch;
  std::string output = scratch.file("out.cram");
  ProcessResult result = run_samsort({"--max-memory", "64M", "--reference", inputs_->reference(),
                                      "-O", "cram", "-o", output, inputs_->bam()});
  print_rss("CRAM out, 150 Mbp contig, 64M", result);
  expect_refused_early(result, scratch, output);
}

// A budget that holds the contig: the sort runs and stays within it, at several threads (htslib
// gets only the threads whose extra memory fits).
TEST_F(CramReferenceMemoryTest, InputWithinABudgetThatHoldsTheContig) {
  constexpr long kBudgetMib = 256;
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  ProcessResult result =
      run_samsort({"-@", "4", "--max-memory", std::to_string(kBudgetMib) + "M", "--reference",
                   inputs_->reference(), "-o", output, inputs_->cram()});
  print_rss("CRAM in, 150 Mbp contig, 256M", result);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_LE(result.max_rss_kib, limit_kib(kBudgetMib));
  EXPECT_EQ(count_records(output), kReads);
}

TEST_F(CramReferenceMemoryTest, OutputWithinABudgetThatHoldsTheContig) {
  constexpr long kBudgetMib = 256;
  ScratchDir scratch;
  std::string output = scratch.file("out.cram");
  ProcessResult result =
      run_samsort({"-@", "4", "--max-memory", std::to_string(kBudgetMib) + "M", "--reference",
                   inputs_->reference(), "-O", "cram", "-o", output, inputs_->bam()});
  print_rss("CRAM out, 150 Mbp contig, 256M", result);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_LE(result.max_rss_kib, limit_kib(kBudgetMib));
  ProcessResult counted =
      run_process({"samtools", "view", "-c", "-T", inputs_->reference(), output});
  EXPECT_EQ(counted.stdout_text, std::to_string(kReads) + "\n") << counted.describe();
}

// Huge records: 24.4 Mbases each, ~35 MiB as BAM records. A 64 MiB budget's arena holds one,
// so each becomes a run of its own, and the merge cannot hold every run's record whole.
constexpr std::size_t kHugeBases = 24'400'000;
constexpr std::size_t kTooLargeBases = 50'000'000;  // ~72 MiB: more than the whole budget

struct HugeRecordSpec {
  const char* name;
  int tid;
  long pos;  // 0-based
  bool reverse;
  const char* barcode;  // BC:Z value
};

// Writes `specs` as unsorted BAM records of `bases` bases each (a repeated random 1000-base
// block, so the file stays small), with a CIGAR of <bases>M and a BC tag. False on failure.
bool write_huge_bam(const std::string& path, const std::vector<HugeRecordSpec>& specs,
                    std::size_t bases) {
  const char* text =
      "@HD\tVN:1.6\tSO:unsorted\n@SQ\tSN:c1\tLN:200000000\n@SQ\tSN:c2\tLN:200000000\n";
  std::unique_ptr<sam_hdr_t, decltype(&sam_hdr_destroy)> header(sam_hdr_parse(strlen(text), text),
                                                                sam_hdr_destroy);
  std::unique_ptr<htsFile, decltype(&hts_close)> file(hts_open(path.c_str(), "wb1"), hts_close);
  std::unique_ptr<bam1_t, decltype(&bam_destroy1)> record(bam_init1(), bam_destroy1);
  if (!header || !file || !record || sam_hdr_write(file.get(), header.get()) != 0) return false;
  std::string qualities(bases, 30);
  std::uint64_t seed = 99;
  for (const HugeRecordSpec& spec : specs) {
    std::string block = random_bases(1000, ++seed);
    std::string sequence;
    sequence.reserve(bases);
    while (sequence.size() < bases) sequence.append(block, 0, bases - sequence.size());
    std::uint32_t cigar = static_cast<std::uint32_t>(bases) << BAM_CIGAR_SHIFT | BAM_CMATCH;
    std::uint16_t flag = spec.reverse ? BAM_FREVERSE : 0;
    std::string barcode = spec.barcode;
    if (bam_set1(record.get(), strlen(spec.name), spec.name, flag, spec.tid, spec.pos, 60, 1,
                 &cigar, -1, -1, 0, bases, sequence.data(), qualities.data(),
                 barcode.size() + 1) < 0 ||
        bam_aux_append(record.get(), "BC", 'Z', static_cast<int>(barcode.size() + 1),
                       reinterpret_cast<const std::uint8_t*>(barcode.c_str())) != 0 ||
        sam_write1(file.get(), header.get(), record.get()) < 0) {
      return false;
    }
  }
  return true;
}

// Three and five huge records in no order: names whose natural order (read9 < read10) is not
// their byte order, equal barcodes so the secondary key decides, both strands.
class HugeRecordInputs {
 public:
  HugeRecordInputs() {
    ok_ = write_huge_bam(three(),
                         {{"read10", 1, 5000, false, "AAC"},
                          {"read9", 0, 7000, true, "AAA"},
                          {"read2", 0, 7000, false, "AAC"}},
                         kHugeBases) &&
          write_huge_bam(five(),
                         {{"read10", 1, 5000, false, "AAC"},
                          {"read9", 0, 7000, true, "AAA"},
                          {"read2", 0, 7000, false, "AAC"},
                          {"read1", 1, 100, true, "AAB"},
                          {"read100", 0, 7000, false, "AAA"}},
                         kHugeBases) &&
          write_huge_bam(too_large(), {{"big", 0, 100, false, "AAA"}}, kTooLargeBases);
  }

  bool ok() const { return ok_; }
  std::string three() const { return scratch_.file("three.bam"); }
  std::string five() const { return scratch_.file("five.bam"); }
  std::string too_large() const { return scratch_.file("too_large.bam"); }

 private:
  ScratchDir scratch_;
  bool ok_ = false;
};

// Success when both BAMs hold the same raw records in the same order (one record at a time).
::testing::AssertionResult same_raw_records(const std::string& expected_bam,
                                            const std::string& actual_bam) {
  BamRecordReader expected(expected_bam);
  BamRecordReader actual(actual_bam);
  std::vector<uint8_t> expected_record;
  std::vector<uint8_t> actual_record;
  for (std::size_t idx = 0;; ++idx) {
    bool more_expected = expected.next(expected_record);
    bool more_actual = actual.next(actual_record);
    if (more_expected != more_actual) {
      return ::testing::AssertionFailure() << "record counts differ after " << idx << " records";
    }
    if (!more_expected) return ::testing::AssertionSuccess() << idx << " records identical";
    if (expected_record != actual_record) {
      return ::testing::AssertionFailure()
             << "record " << idx << " differs: expected " << describe_record(expected_record.data())
             << ", written " << describe_record(actual_record.data());
    }
  }
}

class HugeRecordMemoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { inputs_ = new HugeRecordInputs(); }
  static void TearDownTestSuite() {
    delete inputs_;
    inputs_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(inputs_->ok()) << "cannot write the huge-record inputs"; }

  // Sorts `input` with `order_args` at 64M (and `threads`) with samsort and samtools: the sort
  // succeeds within the bound, merges one run per record, and writes samtools' records.
  static void expect_sorted_like_samtools(const std::string& input,
                                          const std::vector<std::string>& order_args,
                                          const std::string& threads, std::uint64_t records) {
    constexpr long kBudgetMib = 64;
    ScratchDir scratch;
    std::string output = scratch.file("out.bam");
    std::string expected = scratch.file("samtools.bam");
    std::vector<std::string> args = order_args;
    args.insert(args.end(), {"-@", threads, "--max-memory", std::to_string(kBudgetMib) + "M", "-o",
                             output, input});
    ProcessResult result = run_samsort(args);
    std::string label = "huge records x" + std::to_string(records);
    for (const std::string& arg : order_args) label += " " + arg;
    print_rss(label + " -@ " + threads + ", 64M", result);
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_LE(result.max_rss_kib, limit_kib(kBudgetMib));
    SortSummary summary = parse_summary(result.stderr_text);
    ASSERT_TRUE(summary.found) << result.stderr_text;
    EXPECT_EQ(summary.records, records);
    EXPECT_EQ(summary.runs, records) << "each huge record should be a run of its own";

    std::vector<std::string> reference = {"samtools", "sort"};
    reference.insert(reference.end(), order_args.begin(), order_args.end());
    reference.insert(reference.end(), {"-o", expected, input});
    ProcessResult sorted = run_process(reference);
    ASSERT_TRUE(sorted.exited_ok()) << sorted.describe();
    EXPECT_TRUE(same_raw_records(expected, output));
  }

  static HugeRecordInputs* inputs_;
};
HugeRecordInputs* HugeRecordMemoryTest::inputs_ = nullptr;

TEST_F(HugeRecordMemoryTest, ThreeRecordsCoordinate) {
  expect_sorted_like_samtools(inputs_->three(), {}, "1", 3);
}

TEST_F(HugeRecordMemoryTest, ThreeRecordsQueryNameNatural) {
  expect_sorted_like_samtools(inputs_->three(), {"-n"}, "2", 3);
}

TEST_F(HugeRecordMemoryTest, ThreeRecordsByTagThenCoordinate) {
  expect_sorted_like_samtools(inputs_->three(), {"-t", "BC"}, "4", 3);
}

TEST_F(HugeRecordMemoryTest, ThreeRecordsTemplateCoordinate) {
  expect_sorted_like_samtools(inputs_->three(), {"--template-coordinate"}, "1", 3);
}

TEST_F(HugeRecordMemoryTest, FiveRecordsCoordinate) {
  expect_sorted_like_samtools(inputs_->five(), {}, "2", 5);
}

TEST_F(HugeRecordMemoryTest, FiveRecordsByTagThenName) {
  expect_sorted_like_samtools(inputs_->five(), {"-t", "BC", "-n"}, "1", 5);
}

// One record larger than the whole budget cannot be sorted: refused at that record with one
// line saying so, before it is held (low peak RSS), and no output left.
TEST_F(HugeRecordMemoryTest, RecordLargerThanTheBudgetIsRefused) {
  ScratchDir scratch;
  std::string output = scratch.file("out.bam");
  ProcessResult result = run_samsort({"--max-memory", "64M", "-o", output, inputs_->too_large()});
  print_rss("one 72 MiB record, 64M", result);
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_TRUE(is_one_error_line(result.stderr_text));
  EXPECT_TRUE(contains(result.stderr_text, "record 1 of 75000")) << result.stderr_text;
  EXPECT_TRUE(contains(result.stderr_text, "does not fit the memory budget (raise --max-memory)"))
      << result.stderr_text;
  EXPECT_LT(result.max_rss_kib, kFloorMib * kKibPerMib);
  EXPECT_FALSE(path_exists(output));
  EXPECT_EQ(list_directory(scratch.path()), std::vector<std::string>{});
}

// A header of 300k @SQ lines (16.9 MB of text, like a fragmented plant assembly): its parsed
// form costs several times the text (config.hpp). Reserved before htslib builds it, so at 128M
// the sort is refused in one line with a low peak, and at 256M it runs within the bound.
class LargeHeaderMemoryTest : public ::testing::Test {
 protected:
  static constexpr int kReferences = 300'000;

  static void SetUpTestSuite() {
    scratch_ = new ScratchDir();
    std::ofstream sam(sam_path());
    sam << "@HD\tVN:1.6\tSO:unsorted\n";
    for (int tid = 0; tid < kReferences; ++tid) {
      sam << "@SQ\tSN:scaffold_" << tid << "_pilon_arrow_polished\tLN:" << 1000 + tid % 5000
          << "\n";
    }
    for (int read = 0; read < kReads; ++read) {
      sam << "r" << read << "\t0\tscaffold_" << (read * 7919) % kReferences
          << "_pilon_arrow_polished\t" << 1 + read % 900 << "\t60\t10M\t*\t0\t0\tACGTACGTAC\t"
          << "IIIIIIIIII\n";
    }
    sam.close();
    converted_ = run_process({"samtools", "view", "-b", "-o", bam_path(), sam_path()}).exited_ok();
  }
  static void TearDownTestSuite() {
    delete scratch_;
    scratch_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(converted_); }

  static std::string sam_path() { return scratch_->file("many.sam"); }
  static std::string bam_path() { return scratch_->file("many.bam"); }

  static ScratchDir* scratch_;
  static bool converted_;
};
ScratchDir* LargeHeaderMemoryTest::scratch_ = nullptr;
bool LargeHeaderMemoryTest::converted_ = false;

TEST_F(LargeHeaderMemoryTest, RefusedEarlyWhenTheBudgetCannotHoldIt) {
  for (const std::string& input : {sam_path(), bam_path()}) {
    ScratchDir out;
    std::string output = out.file("out.bam");
    ProcessResult result = run_samsort({"--max-memory", "128M", "-o", output, input});
    print_rss("header of 300k references at 128M, " + input, result);
    EXPECT_EQ(result.exit_code, 1) << result.describe();
    EXPECT_TRUE(is_one_error_line(result.stderr_text));
    EXPECT_TRUE(contains(result.stderr_text, "header")) << result.stderr_text;
    EXPECT_TRUE(contains(result.stderr_text, "raise --max-memory")) << result.stderr_text;
    EXPECT_LT(result.max_rss_kib, kFloorMib * kKibPerMib) << "refused before htslib parsed it";
    EXPECT_FALSE(path_exists(output));
  }
}

TEST_F(LargeHeaderMemoryTest, SortedWithinTheBoundWhenItFits) {
  for (const std::string& input : {sam_path(), bam_path()}) {
    ScratchDir out;
    std::string output = out.file("out.bam");
    ProcessResult result = run_samsort({"--max-memory", "256M", "-o", output, input});
    print_rss("header of 300k references at 256M, " + input, result);
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_LE(result.max_rss_kib, limit_kib(256));
    EXPECT_EQ(count_records(output), kReads);
    std::vector<std::string> header = header_lines(output);
    EXPECT_EQ(std::count_if(header.begin(), header.end(),
                            [](const std::string& line) { return line.rfind("@SQ", 0) == 0; }),
              kReferences);
  }
}

// SAM records of 2 Mbases (4 MB lines): htslib's reader would grow its line and record
// buffers to fit, outside the budget. The budget's share for one SAM record (1/16, at least
// 4 MiB) holds them at 256M; at 64M the first such line is refused in one line, before it is
// held. Compressed SAM (.sam.gz, htslib's reader) is checked once read.
class LongSamLineTest : public ::testing::Test {
 protected:
  static constexpr std::size_t kLongBases = 2'000'000;
  static constexpr int kLongReads = 3;

  static void SetUpTestSuite() {
    scratch_ = new ScratchDir();
    std::ofstream sam(sam_path());
    sam << "@HD\tVN:1.6\tSO:unsorted\n@SQ\tSN:c1\tLN:200000000\n";
    for (int read = 0; read < kLongReads; ++read) {
      std::string bases = random_bases(kLongBases, 7 + read);
      sam << "long" << read << "\t0\tc1\t" << 1000 * (kLongReads - read) << "\t60\t" << kLongBases
          << "M\t*\t0\t0\t" << bases << "\t" << std::string(kLongBases, 'I') << "\n";
    }
    sam.close();
    ok_ = compress_sam(sam_path(), gz_path()) &&
          run_process({"samtools", "view", "-b", "-o", bam_path(), sam_path()}).exited_ok();
  }

  // The same SAM, BGZF-compressed (what bgzip makes), through htslib ("wz").
  static bool compress_sam(const std::string& from, const std::string& to) {
    std::unique_ptr<htsFile, decltype(&hts_close)> in(hts_open(from.c_str(), "r"), hts_close);
    std::unique_ptr<htsFile, decltype(&hts_close)> out(hts_open(to.c_str(), "wz"), hts_close);
    if (!in || !out) return false;
    std::unique_ptr<sam_hdr_t, decltype(&sam_hdr_destroy)> header(sam_hdr_read(in.get()),
                                                                  sam_hdr_destroy);
    std::unique_ptr<bam1_t, decltype(&bam_destroy1)> record(bam_init1(), bam_destroy1);
    if (!header || !record || sam_hdr_write(out.get(), header.get()) != 0) return false;
    int result;
    while ((result = sam_read1(in.get(), header.get(), record.get())) >= 0) {
      if (sam_write1(out.get(), header.get(), record.get()) < 0) return false;
    }
    return result == -1;
  }
  static void TearDownTestSuite() {
    delete scratch_;
    scratch_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(ok_) << "cannot write the SAM inputs"; }

  static std::string sam_path() { return scratch_->file("long.sam"); }
  static std::string gz_path() { return sam_path() + ".gz"; }
  static std::string bam_path() { return scratch_->file("long.bam"); }

  static ScratchDir* scratch_;
  static bool ok_;
};
ScratchDir* LongSamLineTest::scratch_ = nullptr;
bool LongSamLineTest::ok_ = false;

TEST_F(LongSamLineTest, RefusedAtSixtyFourMebibytes) {
  for (const std::string& input : {sam_path(), gz_path()}) {
    ScratchDir out;
    std::string output = out.file("out.bam");
    ProcessResult result = run_samsort({"--max-memory", "64M", "-o", output, input});
    print_rss("2 Mbase SAM records at 64M, " + input, result);
    EXPECT_EQ(result.exit_code, 1) << result.describe();
    EXPECT_TRUE(is_one_error_line(result.stderr_text));
    EXPECT_TRUE(contains(result.stderr_text, "SAM")) << result.stderr_text;
    EXPECT_TRUE(contains(result.stderr_text, "raise --max-memory")) << result.stderr_text;
    EXPECT_LE(result.max_rss_kib, limit_kib(64));
    EXPECT_FALSE(path_exists(output));
  }
}

TEST_F(LongSamLineTest, SortedWithinTheBoundAtTwoHundredFiftySix) {
  for (const std::string& input : {sam_path(), gz_path()}) {
    ScratchDir out;
    std::string output = out.file("out.bam");
    ProcessResult result = run_samsort({"--max-memory", "256M", "-o", output, input});
    print_rss("2 Mbase SAM records at 256M, " + input, result);
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_LE(result.max_rss_kib, limit_kib(256));
    EXPECT_EQ(count_records(output), kLongReads);
  }
}

// SAM output of the same records (3 MB as BAM, 4 MB lines): htslib copies each record and
// formats it into a growing line buffer. At 64M the first record is refused before it is
// formatted; at 256M the output is written within the bound.
TEST_F(LongSamLineTest, SamOutputRefusedOrBounded) {
  ScratchDir out;
  std::string refused = out.file("refused.sam");
  ProcessResult small =
      run_samsort({"--max-memory", "64M", "-O", "sam", "-o", refused, bam_path()});
  print_rss("SAM output of 2 Mbase records at 64M", small);
  EXPECT_EQ(small.exit_code, 1) << small.describe();
  EXPECT_TRUE(is_one_error_line(small.stderr_text));
  EXPECT_TRUE(contains(small.stderr_text, "SAM output of record 1")) << small.stderr_text;
  EXPECT_LE(small.max_rss_kib, limit_kib(64));
  EXPECT_FALSE(path_exists(refused));

  std::string written = out.file("written.sam");
  ProcessResult large =
      run_samsort({"--max-memory", "256M", "-O", "sam", "-o", written, bam_path()});
  print_rss("SAM output of 2 Mbase records at 256M", large);
  ASSERT_EQ(large.exit_code, 0) << large.describe();
  EXPECT_LE(large.max_rss_kib, limit_kib(256));
  EXPECT_EQ(count_records(written), kLongReads);
}

}  // namespace
}  // namespace samsort::e2e
