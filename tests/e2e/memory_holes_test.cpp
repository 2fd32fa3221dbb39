// Memory-bound holes (issue 12): inputs whose memory lives outside samsort's own buffers. Each
// case must either keep peak RSS <= max(B, 64 MiB) + 16 MiB or be refused with one error line
// naming the amount needed, before that memory is used (a low peak RSS) and leaving no output.
// Here: CRAM against a reference whose one contig is 150 Mbp, which htslib loads whole.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "e2e_support.hpp"

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

}  // namespace
}  // namespace samsort::e2e
