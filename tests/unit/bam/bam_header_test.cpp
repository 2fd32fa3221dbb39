// BamHeader: reading the binary header through a BgzfReader (round trip, budget claims,
// malformed headers), @HD sort tags and the @PG line as samtools sort writes them.
#include "samsort/bam/bam_header.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/io/bgzf_reader.hpp"
#include "samsort/io/file_io.hpp"
#include "test_bgzf.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

using References = std::vector<std::pair<std::string, std::uint32_t>>;

void append_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  std::uint8_t bytes[4];
  std::memcpy(bytes, &value, 4);
  out.insert(out.end(), bytes, bytes + 4);
}

// The binary BAM header: magic, l_text, text, n_ref, then l_name, name + NUL, l_ref each.
std::vector<std::uint8_t> binary_header(const std::string& text, const References& references) {
  std::vector<std::uint8_t> out = {'B', 'A', 'M', 1};
  append_u32(out, static_cast<std::uint32_t>(text.size()));
  out.insert(out.end(), text.begin(), text.end());
  append_u32(out, static_cast<std::uint32_t>(references.size()));
  for (const auto& [name, length] : references) {
    append_u32(out, static_cast<std::uint32_t>(name.size() + 1));
    out.insert(out.end(), name.begin(), name.end());
    out.push_back(0);
    append_u32(out, length);
  }
  return out;
}

const References kReferences = {{"chr1", 248956422}, {"chr2", 242193529}, {"chrM", 16569}};
const std::string kSq =
    "@SQ\tSN:chr1\tLN:248956422\n@SQ\tSN:chr2\tLN:242193529\n@SQ\tSN:chrM\tLN:16569\n";

class BamHeaderTest : public ::testing::Test {
 protected:
  // Reads a header from `payload` (BGZF-compressed into a temp file) with `header_budget`.
  BamHeader read_header(const std::vector<std::uint8_t>& payload, MemoryBudget& header_budget) {
    reader_.reset();  // stops the previous reader's threads before its file and fd change
    std::string path = scratch_.file("in.bam");
    test::write_file_bytes(path, test::make_bgzf(payload, 1000, true));
    fd_ = FileDescriptor(open(path.c_str(), O_RDONLY));
    reader_ = std::make_unique<BgzfReader>(fd_.get(), path, 1, reader_budget_);
    return BamHeader::read(*reader_, header_budget);
  }

  BamHeader read_header(const std::string& text, const References& references) {
    return read_header(binary_header(text, references), header_budget_);
  }

  // The FormatError message reading `payload` produces, or "" when it reads fine.
  std::string format_error(const std::vector<std::uint8_t>& payload) {
    auto message = test::thrown_message<FormatError>(
        [&] { BamHeader header = read_header(payload, header_budget_); });
    return message.value_or("");
  }

  test::ScratchDir scratch_;
  MemoryBudget reader_budget_{16 * config::kMiB};
  MemoryBudget header_budget_{16 * config::kMiB};
  FileDescriptor fd_;
  std::unique_ptr<BgzfReader> reader_;
};

TEST_F(BamHeaderTest, ReadsAndSerializesByteExact) {
  std::string text = "@HD\tVN:1.6\tSO:unsorted\n" + kSq + "@CO\tbig header spans blocks " +
                     std::string(3000, 'x') + "\n";
  std::vector<std::uint8_t> payload = binary_header(text, kReferences);
  BamHeader header = read_header(payload, header_budget_);
  EXPECT_EQ(header.reference_count(), 3);
  EXPECT_EQ(header.text(), text);
  std::string serialized = header.serialize();
  EXPECT_EQ(std::vector<std::uint8_t>(serialized.begin(), serialized.end()), payload);
  // The reader is left at the first record.
  std::uint8_t byte = 0;
  EXPECT_EQ(reader_->read(&byte, 1), 0u);
}

TEST_F(BamHeaderTest, EmptyTextAndNoReferences) {
  BamHeader header = read_header("", {});
  EXPECT_EQ(header.reference_count(), 0);
  std::string serialized = header.serialize();
  std::vector<std::uint8_t> expected = binary_header("", {});
  EXPECT_EQ(std::vector<std::uint8_t>(serialized.begin(), serialized.end()), expected);
}

TEST_F(BamHeaderTest, HoldsItsBudgetClaimUntilDestroyed) {
  {
    BamHeader header = read_header("@HD\tVN:1.6\n" + kSq, kReferences);
    EXPECT_GT(header_budget_.reserved_bytes(), 0u);
    BamHeader moved = std::move(header);
    EXPECT_GT(header_budget_.reserved_bytes(), 0u);
  }
  EXPECT_EQ(header_budget_.reserved_bytes(), 0u);
}

TEST_F(BamHeaderTest, BudgetTooSmallForTheTextIsAResourceError) {
  MemoryBudget tiny(1000);
  std::vector<std::uint8_t> payload = binary_header(std::string(2000, 'x'), {});
  auto message =
      test::thrown_message<ResourceError>([&] { BamHeader header = read_header(payload, tiny); });
  ASSERT_TRUE(message.has_value());
  EXPECT_TRUE(test::contains(*message, "BAM header")) << *message;
  EXPECT_EQ(tiny.reserved_bytes(), 0u);
}

TEST_F(BamHeaderTest, MalformedHeadersAreFormatErrors) {
  EXPECT_TRUE(test::contains(format_error({}), "empty input"));
  std::vector<std::uint8_t> magic = binary_header("", {});
  magic[3] = 2;
  EXPECT_TRUE(test::contains(format_error(magic), "bad magic"));
  std::vector<std::uint8_t> sam_text = {'@', 'H', 'D', '\t', 'V', 'N'};
  EXPECT_TRUE(test::contains(format_error(sam_text), "bad magic"));

  std::vector<std::uint8_t> full = binary_header("@HD\tVN:1.6\n" + kSq, kReferences);
  for (std::size_t cut : {std::size_t{6}, std::size_t{20}, full.size() - 30, full.size() - 1}) {
    std::vector<std::uint8_t> truncated(full.begin(), full.begin() + cut);
    EXPECT_TRUE(test::contains(format_error(truncated), "truncated BAM header")) << cut;
  }

  std::vector<std::uint8_t> no_nul = binary_header("", {{"chr1", 10}});
  no_nul[4 + 4 + 4 + 4 + 4] = 'x';  // the NUL after "chr1"
  EXPECT_TRUE(test::contains(format_error(no_nul), "NUL")) << format_error(no_nul);

  std::vector<std::uint8_t> zero_name = binary_header("", {});
  zero_name[8] = 1;  // n_ref 1
  append_u32(zero_name, 0);
  append_u32(zero_name, 10);
  EXPECT_TRUE(test::contains(format_error(zero_name), "name length")) << format_error(zero_name);
}

TEST_F(BamHeaderTest, CoordinateTagsKeepOtherHdTagsInPlace) {
  // samtools sort: other @HD tags stay where they are, SO is replaced or appended, GO and SS
  // are removed for coordinate order.
  HeaderSortTags coordinate{"coordinate", nullptr, nullptr};
  BamHeader replaced = read_header("@HD\tSO:unsorted\tVN:1.0\n" + kSq, kReferences);
  replaced.set_sort_tags(coordinate);
  EXPECT_EQ(replaced.text(), "@HD\tSO:coordinate\tVN:1.0\n" + kSq);

  BamHeader appended = read_header("@HD\tVN:1.4\tGO:query\tSS:foo\tXX:keep\n" + kSq, kReferences);
  appended.set_sort_tags(coordinate);
  EXPECT_EQ(appended.text(), "@HD\tVN:1.4\tXX:keep\tSO:coordinate\n" + kSq);
}

TEST_F(BamHeaderTest, PicardRuleRewritesHdAsPicardSortSam) {
  // What Picard SortSam 2.27.5 (htsjdk 3.0.4) wrote for these @HD lines (SORT_ORDER=coordinate):
  // VN:1.6 first whatever the input's VN, the other tags in place, SO replaced or appended,
  // GO and SS kept; an @HD line without VN is ignored by htsjdk (its tags are lost).
  HeaderSortTags picard{"coordinate", nullptr, nullptr, HeaderRule::kPicard};
  const std::pair<std::string, std::string> cases[] = {
      {"@HD\tVN:1.4\tSO:unsorted\tGO:query\tSS:foo\tXX:yy",
       "@HD\tVN:1.6\tSO:coordinate\tGO:query\tSS:foo\tXX:yy"},
      {"@HD\tSO:unsorted\tVN:1.0", "@HD\tVN:1.6\tSO:coordinate"},
      {"@HD\tSO:queryname", "@HD\tVN:1.6\tSO:coordinate"},
      {"@HD\tXX:1\tVN:1.5", "@HD\tVN:1.6\tXX:1\tSO:coordinate"},
      {"@HD\tVN:1.6\tSS:coordinate:x", "@HD\tVN:1.6\tSS:coordinate:x\tSO:coordinate"},
      {"@HD\tXX:1\tSS:coordinate:x", "@HD\tVN:1.6\tSO:coordinate"},
      {"@HD\tSO:unsorted\tVN:1.0\tGO:query\tSS:x:y\tXX:yy",
       "@HD\tVN:1.6\tSO:coordinate\tGO:query\tSS:x:y\tXX:yy"},
  };
  for (const auto& [input, expected] : cases) {
    BamHeader header = read_header(input + "\n@CO\tkept\n" + kSq, kReferences);
    header.set_sort_tags(picard);
    EXPECT_EQ(header.text(), expected + "\n@CO\tkept\n" + kSq) << input;
  }
  // Without @HD Picard writes "@HD VN:1.6 SO:queryname" (htslib puts it first, as htsjdk does).
  BamHeader bare = read_header("@CO\tno hd\n" + kSq, kReferences);
  bare.set_sort_tags(HeaderSortTags{"queryname", nullptr, nullptr, HeaderRule::kPicard});
  EXPECT_EQ(bare.text(), "@HD\tVN:1.6\tSO:queryname\n@CO\tno hd\n" + kSq);
}

TEST_F(BamHeaderTest, MissingHdLineIsAddedFirst) {
  BamHeader header = read_header("@CO\tno hd\n" + kSq, kReferences);
  header.set_sort_tags(HeaderSortTags{"coordinate", nullptr, nullptr});
  EXPECT_EQ(header.text(), "@HD\tVN:1.6\tSO:coordinate\n@CO\tno hd\n" + kSq);
  std::string serialized = header.serialize();
  std::vector<std::uint8_t> expected =
      binary_header("@HD\tVN:1.6\tSO:coordinate\n@CO\tno hd\n" + kSq, kReferences);
  EXPECT_EQ(std::vector<std::uint8_t>(serialized.begin(), serialized.end()), expected);
}

TEST_F(BamHeaderTest, ProgramLineGoesLastAndChainsToTheLastProgram) {
  BamHeader first = read_header("@HD\tVN:1.6\n" + kSq, kReferences);
  first.add_program_line("0.1.0", "samsort sort -o out.bam in.bam");
  EXPECT_EQ(first.text(), "@HD\tVN:1.6\n" + kSq +
                              "@PG\tID:samsort\tPN:samsort\tVN:0.1.0\t"
                              "CL:samsort sort -o out.bam in.bam\n");

  // As samtools sort 1.16 does: a taken ID gets ".1"; PP names the last @PG.
  BamHeader second = read_header(
      "@HD\tVN:1.6\n" + kSq + "@PG\tID:bwa\tPN:bwa\n@PG\tID:samsort\tPN:samsort\n@CO\tend\n",
      kReferences);
  second.add_program_line("0.1.0", "samsort sort x");
  EXPECT_EQ(second.text(), "@HD\tVN:1.6\n" + kSq +
                               "@PG\tID:bwa\tPN:bwa\n@PG\tID:samsort\tPN:samsort\n"
                               "@PG\tID:samsort.1\tPN:samsort\tPP:samsort\tVN:0.1.0\t"
                               "CL:samsort sort x\n@CO\tend\n");
}

}  // namespace
}  // namespace samsort
