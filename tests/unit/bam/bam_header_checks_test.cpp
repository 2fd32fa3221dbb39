// BamHeader::read against corrupt headers: a huge l_text or n_ref claims memory only as far as
// the data goes (a truncation error, not a huge reservation), malformed text is a FormatError
// naming the line (htslib's own messages stay quiet), and budget errors name the file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "samsort/bam/bam_header.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/io/bgzf_reader.hpp"
#include "samsort/io/file_io.hpp"
#include "test_bgzf.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

constexpr std::size_t kBlockPayloadBytes = 1000;

void append_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  std::uint8_t bytes[4];
  std::memcpy(bytes, &value, 4);
  out.insert(out.end(), bytes, bytes + 4);
}

// Magic, l_text, text, n_ref (as given), then `names` as references of length 1000.
std::vector<std::uint8_t> header_bytes(std::uint32_t text_bytes, const std::string& text,
                                       std::uint32_t reference_count,
                                       const std::vector<std::string>& names) {
  std::vector<std::uint8_t> out = {'B', 'A', 'M', 1};
  append_u32(out, text_bytes);
  out.insert(out.end(), text.begin(), text.end());
  append_u32(out, reference_count);
  for (const std::string& name : names) {
    append_u32(out, static_cast<std::uint32_t>(name.size() + 1));
    out.insert(out.end(), name.begin(), name.end());
    out.push_back(0);
    append_u32(out, 1000);
  }
  return out;
}

class HeaderChecksTest : public ::testing::Test {
 protected:
  // Reads a header from `payload` (BGZF in a temp file); stores the error, if any.
  std::string read_error(const std::vector<std::uint8_t>& payload, MemoryBudget& budget) {
    path_ = scratch_.file("in.bam");
    test::write_file_bytes(path_, test::make_bgzf(payload, kBlockPayloadBytes, true));
    FileDescriptor fd(open(path_.c_str(), O_RDONLY));
    MemoryBudget reader_budget(16 * config::kMiB);
    BgzfReader reader(fd.get(), path_, 1, reader_budget);
    try {
      BamHeader header = BamHeader::read(reader, budget);
    } catch (const Error& error) {
      return error.what();
    }
    return "";
  }

  test::ScratchDir scratch_;
  std::string path_;
};

TEST_F(HeaderChecksTest, HugeTextLengthIsATruncationWithoutAHugeClaim) {
  MemoryBudget budget(64 * config::kMiB);  // far less than kHeaderTextCopies * 2 GiB
  std::string error = read_error(header_bytes(0x7ffffff0u, "@HD\tVN:1.6\n", 0, {}), budget);
  EXPECT_TRUE(test::contains(error, "truncated BAM header (text)")) << error;
  EXPECT_TRUE(test::contains(error, path_)) << error;
  EXPECT_LT(budget.peak_reserved_bytes(), 16 * config::kMiB);
  EXPECT_EQ(budget.reserved_bytes(), 0u);
}

TEST_F(HeaderChecksTest, HugeReferenceCountIsATruncationWithoutAHugeClaim) {
  MemoryBudget budget(64 * config::kMiB);  // far less than 2^31 references
  std::string error = read_error(header_bytes(0, "", 0x7fffffffu, {"chr1", "chr2"}), budget);
  EXPECT_TRUE(test::contains(error, "truncated BAM header")) << error;
  EXPECT_LT(budget.peak_reserved_bytes(), 16 * config::kMiB);
  EXPECT_EQ(budget.reserved_bytes(), 0u);
}

TEST_F(HeaderChecksTest, OutOfRangeLengthsAreFormatErrors) {
  MemoryBudget budget(64 * config::kMiB);
  EXPECT_TRUE(test::contains(read_error(header_bytes(0x80000000u, "", 0, {}), budget), "l_text"));
  EXPECT_TRUE(test::contains(read_error(header_bytes(0, "", 0x80000000u, {}), budget), "n_ref"));
}

TEST_F(HeaderChecksTest, TextLargerThanTheBudgetNamesTheFile) {
  MemoryBudget budget(4 * config::kMiB);
  std::string text = "@CO\t" + std::string(2 * config::kMiB, 'x') + "\n";
  std::string error =
      read_error(header_bytes(static_cast<std::uint32_t>(text.size()), text, 0, {}), budget);
  EXPECT_TRUE(test::contains(error, path_ + ": memory budget exhausted")) << error;
  EXPECT_EQ(budget.reserved_bytes(), 0u);
}

TEST_F(HeaderChecksTest, ManyReferencesKeepTheirClaimUntilDestroyed) {
  std::vector<std::string> names;
  for (int idx = 0; idx < 40000; ++idx) names.push_back("contig_" + std::to_string(idx));
  std::vector<std::uint8_t> payload =
      header_bytes(0, "", static_cast<std::uint32_t>(names.size()), names);
  path_ = scratch_.file("many.bam");
  test::write_file_bytes(path_, test::make_bgzf(payload, 60000, true));
  FileDescriptor fd(open(path_.c_str(), O_RDONLY));
  MemoryBudget reader_budget(16 * config::kMiB);
  BgzfReader reader(fd.get(), path_, 1, reader_budget);
  MemoryBudget budget(64 * config::kMiB);
  {
    BamHeader header = BamHeader::read(reader, budget);
    EXPECT_EQ(header.reference_count(), 40000);
    EXPECT_GE(budget.reserved_bytes(), 40000u * 96);
    std::string serialized = header.serialize();
    EXPECT_EQ(std::vector<std::uint8_t>(serialized.begin(), serialized.end()), payload);
  }
  EXPECT_EQ(budget.reserved_bytes(), 0u);
}

struct BadText {
  const char* text;
  const char* needle;
};

TEST_F(HeaderChecksTest, MalformedTextIsAFormatErrorNamingTheLine) {
  MemoryBudget budget(64 * config::kMiB);
  const BadText cases[] = {
      {"@HD\tVN:1.6\nXSQ\tSN:chr1\tLN:10\n", "line 2 does not start with '@'"},
      {"@HD\tVN:1.6\n@SQ\tSN=chr1\tLN:10\n", "line 2 has a malformed TAG:value"},
      {"@HD\tVN:1.6\n@S\n@SQ\tSN:chr1\tLN:10\n", "line 2 does not start with '@' and a two"},
      {"@SQ\tLN:10\n", "malformed BAM header text"},  // no SN: htslib refuses, lines look fine
  };
  for (const BadText& bad : cases) {
    // htslib's logging is silenced while it parses: nothing may reach stderr.
    testing::internal::CaptureStderr();
    std::string text = bad.text;
    std::string error =
        read_error(header_bytes(static_cast<std::uint32_t>(text.size()), text, 0, {}), budget);
    std::string logged = testing::internal::GetCapturedStderr();
    EXPECT_TRUE(test::contains(error, "malformed BAM header text")) << bad.text << error;
    EXPECT_TRUE(test::contains(error, bad.needle)) << bad.text << error;
    EXPECT_EQ(logged, "");
  }
}

TEST_F(HeaderChecksTest, WellFormedTextStillReads) {
  MemoryBudget budget(64 * config::kMiB);
  std::string text = "@HD\tVN:1.6\n@SQ\tSN:chr1\tLN:1000\n@CO\tfree text: anything\tgoes\n";
  EXPECT_EQ(
      read_error(header_bytes(static_cast<std::uint32_t>(text.size()), text, 1, {"chr1"}), budget),
      "");
}

}  // namespace
}  // namespace samsort
