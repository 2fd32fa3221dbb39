// One BGZF block: deflate/inflate round trips at several levels, header validation, CRC and
// ISIZE checks, the EOF marker block, and samtools' -l to libdeflate level map.
#include "samsort/io/bgzf_block.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "samsort/core/byte_order.hpp"
#include "samsort/core/config.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

constexpr std::size_t kMaxBlock = config::kBgzfMaxBlockBytes;
constexpr std::size_t kMaxPayload = config::kBgzfMaxPayloadBytes;

struct Block {
  std::vector<std::uint8_t> bytes;
};

Block deflate_block(int level, const std::vector<std::uint8_t>& payload) {
  BlockDeflater deflater(level);
  std::vector<std::uint8_t> out(kMaxBlock, 0xee);
  std::size_t size = deflater.deflate(payload.data(), payload.size(), out.data());
  EXPECT_GE(size, config::kBgzfHeaderBytes + config::kBgzfFooterBytes);
  EXPECT_LE(size, kMaxBlock);
  out.resize(size);
  return Block{out};
}

BlockStatus inflate_block(const std::vector<std::uint8_t>& block, std::vector<std::uint8_t>* out) {
  BlockInflater inflater;
  out->assign(kMaxBlock, 0);
  std::size_t out_bytes = ~std::size_t{0};
  BlockStatus status = inflater.inflate(block.data(), block.size(), out->data(), &out_bytes);
  if (status == BlockStatus::kOk) out->resize(out_bytes);
  return status;
}

void check_round_trip(int level, const std::vector<std::uint8_t>& payload) {
  SCOPED_TRACE("level " + std::to_string(level) + ", " + std::to_string(payload.size()) + " bytes");
  Block block = deflate_block(level, payload);
  std::size_t parsed = 0;
  ASSERT_EQ(parse_block_header(block.bytes.data(), &parsed), BlockStatus::kOk);
  EXPECT_EQ(parsed, block.bytes.size());
  // The footer holds CRC32 and ISIZE of the payload.
  EXPECT_EQ(load_le32(block.bytes.data() + block.bytes.size() - 4), payload.size());
  std::vector<std::uint8_t> out;
  ASSERT_EQ(inflate_block(block.bytes, &out), BlockStatus::kOk);
  EXPECT_EQ(out, payload);
}

TEST(BgzfBlockTest, RoundTripsRandomPayloadsAtEveryLevelUsed) {
  for (int level : {0, 1, 6, 12}) {
    for (std::size_t bytes :
         {std::size_t{0}, std::size_t{1}, std::size_t{1000}, std::size_t{40000}, kMaxPayload}) {
      check_round_trip(level, test::random_bytes(bytes, 17 + bytes));
    }
  }
}

TEST(BgzfBlockTest, RoundTripsCompressiblePayloadsAndShrinksThem) {
  for (int level : {0, 1, 6, 12}) {
    std::vector<std::uint8_t> payload = test::compressible_bytes(kMaxPayload, 5);
    check_round_trip(level, payload);
    Block block = deflate_block(level, payload);
    if (level == 0) {
      EXPECT_GT(block.bytes.size(), payload.size());
    } else {
      EXPECT_LT(block.bytes.size(), payload.size() / 2) << "level " << level;
    }
  }
  check_round_trip(6, std::vector<std::uint8_t>(kMaxPayload, 'A'));
}

TEST(BgzfBlockTest, IncompressibleFullPayloadFitsOneBlock) {
  // 0xff00 random bytes need stored blocks; the block must still fit 64 KiB.
  for (int level : {1, 6, 9, 12}) {
    Block block = deflate_block(level, test::random_bytes(kMaxPayload, 99));
    EXPECT_LE(block.bytes.size(), kMaxBlock) << "level " << level;
  }
}

TEST(BgzfBlockTest, HeaderIsTheStandardBgzfHeader) {
  Block block = deflate_block(6, test::compressible_bytes(5000, 1));
  const std::uint8_t* header = block.bytes.data();
  EXPECT_EQ(header[0], 0x1f);
  EXPECT_EQ(header[1], 0x8b);
  EXPECT_EQ(header[2], 8);
  EXPECT_EQ(header[3], 4);
  EXPECT_EQ(header[10] | (header[11] << 8), 6);
  EXPECT_EQ(header[12], 'B');
  EXPECT_EQ(header[13], 'C');
  EXPECT_EQ(header[14] | (header[15] << 8), 2);
  EXPECT_EQ(static_cast<std::size_t>(header[16] | (header[17] << 8)) + 1, block.bytes.size());
}

TEST(BgzfBlockTest, EofBlockParsesAndInflatesToNothing) {
  std::size_t parsed = 0;
  ASSERT_EQ(parse_block_header(kBgzfEofBlock, &parsed), BlockStatus::kOk);
  EXPECT_EQ(parsed, 28u);
  std::vector<std::uint8_t> eof(kBgzfEofBlock, kBgzfEofBlock + 28);
  std::vector<std::uint8_t> out;
  ASSERT_EQ(inflate_block(eof, &out), BlockStatus::kOk);
  EXPECT_TRUE(out.empty());
}

class BadHeaderTest : public ::testing::Test {
 protected:
  BlockStatus parse_with(std::size_t at, std::uint8_t value) {
    std::vector<std::uint8_t> header(kBgzfEofBlock, kBgzfEofBlock + 18);
    header[at] = value;
    block_bytes_ = 12345;
    return parse_block_header(header.data(), &block_bytes_);
  }
  std::size_t block_bytes_ = 0;
};

TEST_F(BadHeaderTest, RejectsBadMagic) {
  EXPECT_EQ(parse_with(0, 0x1e), BlockStatus::kBadHeader);
  EXPECT_EQ(block_bytes_, 12345u);  // untouched on failure
  EXPECT_EQ(parse_with(1, 0x8a), BlockStatus::kBadHeader);
  EXPECT_EQ(parse_with(2, 7), BlockStatus::kBadHeader);  // compression method not deflate
  EXPECT_EQ(parse_with(3, 0), BlockStatus::kBadHeader);  // no FEXTRA
}

TEST_F(BadHeaderTest, RejectsBadExtraField) {
  EXPECT_EQ(parse_with(10, 7), BlockStatus::kBadHeader);    // XLEN 7
  EXPECT_EQ(parse_with(11, 1), BlockStatus::kBadHeader);    // XLEN 262
  EXPECT_EQ(parse_with(12, 'X'), BlockStatus::kBadHeader);  // SI1
  EXPECT_EQ(parse_with(13, 'D'), BlockStatus::kBadHeader);  // SI2
  EXPECT_EQ(parse_with(14, 3), BlockStatus::kBadHeader);    // SLEN 3
}

TEST_F(BadHeaderTest, RejectsBlockSizeTooSmallForHeaderAndFooter) {
  EXPECT_EQ(parse_with(16, 24), BlockStatus::kBadSize);  // 25 bytes < 18 + 8
  EXPECT_EQ(parse_with(16, 0), BlockStatus::kBadSize);
  EXPECT_EQ(block_bytes_, 12345u);
  EXPECT_EQ(parse_with(16, 25), BlockStatus::kOk);  // 26 bytes: the smallest legal block
  EXPECT_EQ(block_bytes_, 26u);
}

TEST_F(BadHeaderTest, AcceptsTheLargestBlockSize) {
  std::vector<std::uint8_t> header(kBgzfEofBlock, kBgzfEofBlock + 18);
  header[16] = 0xff;
  header[17] = 0xff;
  std::size_t parsed = 0;
  EXPECT_EQ(parse_block_header(header.data(), &parsed), BlockStatus::kOk);
  EXPECT_EQ(parsed, 65536u);
}

TEST(BgzfBlockTest, CorruptCrcIsDetected) {
  Block block = deflate_block(6, test::compressible_bytes(20000, 3));
  block.bytes[block.bytes.size() - 8] ^= 0x01;
  std::vector<std::uint8_t> out;
  EXPECT_EQ(inflate_block(block.bytes, &out), BlockStatus::kBadCrc);
}

TEST(BgzfBlockTest, CorruptStoredPayloadIsDetectedByCrc) {
  // Level 0 stores the payload verbatim after a 5-byte stored-block header.
  Block block = deflate_block(0, test::random_bytes(3000, 8));
  block.bytes[config::kBgzfHeaderBytes + 5 + 1000] ^= 0x40;
  std::vector<std::uint8_t> out;
  EXPECT_EQ(inflate_block(block.bytes, &out), BlockStatus::kBadCrc);
}

TEST(BgzfBlockTest, WrongIsizeIsDetected) {
  Block block = deflate_block(6, test::compressible_bytes(20000, 4));
  std::uint8_t* isize = block.bytes.data() + block.bytes.size() - 4;
  isize[0] ^= 0x01;
  std::vector<std::uint8_t> out;
  EXPECT_EQ(inflate_block(block.bytes, &out), BlockStatus::kBadLength);
  // An ISIZE beyond 64 KiB is refused before inflating.
  std::uint32_t huge = 70000;
  std::memcpy(isize, &huge, 4);
  EXPECT_EQ(inflate_block(block.bytes, &out), BlockStatus::kBadLength);
}

TEST(BgzfBlockTest, CorruptDeflateStreamIsDetected) {
  Block block = deflate_block(6, test::compressible_bytes(20000, 5));
  block.bytes[config::kBgzfHeaderBytes] = 0x07;  // BFINAL with the reserved block type 3
  std::vector<std::uint8_t> out;
  EXPECT_EQ(inflate_block(block.bytes, &out), BlockStatus::kBadData);
}

TEST(BgzfBlockTest, CorruptionAnywhereInTheBodyIsNeverAccepted) {
  std::vector<std::uint8_t> payload = test::compressible_bytes(30000, 6);
  Block block = deflate_block(6, payload);
  // The last deflate byte is skipped: its unused padding bits are legitimately ignored.
  std::size_t deflate_end = block.bytes.size() - config::kBgzfFooterBytes - 1;
  for (std::size_t at = config::kBgzfHeaderBytes; at < block.bytes.size(); at += 97) {
    if (at == deflate_end) continue;
    std::vector<std::uint8_t> damaged = block.bytes;
    damaged[at] ^= 0x10;
    std::vector<std::uint8_t> out;
    EXPECT_NE(inflate_block(damaged, &out), BlockStatus::kOk) << "byte " << at;
  }
}

TEST(BgzfBlockTest, StatusTextsAreDistinctAndDescriptive) {
  std::set<std::string> texts;
  for (BlockStatus status :
       {BlockStatus::kOk, BlockStatus::kBadHeader, BlockStatus::kBadSize, BlockStatus::kBadData,
        BlockStatus::kBadCrc, BlockStatus::kBadLength}) {
    std::string text = block_status_text(status);
    EXPECT_FALSE(text.empty());
    texts.insert(text);
  }
  EXPECT_EQ(texts.size(), 6u);
  EXPECT_TRUE(test::contains(block_status_text(BlockStatus::kBadCrc), "CRC"));
}

TEST(BgzfBlockTest, SamtoolsLevelMapMatchesHtslibWithLibdeflate) {
  const int kExpected[10] = {0, 1, 2, 3, 5, 6, 7, 8, 10, 12};
  for (int level = 0; level <= 9; ++level) {
    EXPECT_EQ(libdeflate_level_for_samtools_level(level), kExpected[level]) << level;
  }
  // -1 is "default": samtools sort's level 6, which is libdeflate's 7.
  EXPECT_EQ(libdeflate_level_for_samtools_level(-1), 7);
  EXPECT_EQ(libdeflate_level_for_samtools_level(10), 12);
}

}  // namespace
}  // namespace samsort
