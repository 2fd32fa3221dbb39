// Run block codecs: BGZF and zstd blocks round-trip compressible and incompressible payloads;
// the zstd header's bounds; a damaged zstd block is reported, never returned; and the codec
// state figures the budget reserves cover what libdeflate and zstd really allocate.
#include "samsort/io/block_codec.hpp"

#include <gtest/gtest.h>
#include <malloc.h>

#include <random>
#include <vector>

#include "samsort/core/config.hpp"

namespace samsort {
namespace {

std::vector<std::uint8_t> payload(bool compressible, std::size_t bytes, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint8_t> data(bytes);
  for (std::size_t idx = 0; idx < bytes; ++idx) {
    data[idx] = compressible ? static_cast<std::uint8_t>("ACGT"[rng() % 4]) : rng() & 0xff;
  }
  return data;
}

class BlockCodecTest : public ::testing::TestWithParam<BlockCodec> {};

TEST_P(BlockCodecTest, RoundTripsEveryKindOfPayload) {
  BlockCompressor compressor(GetParam());
  BlockDecoder decoder(GetParam().format);
  std::vector<std::uint8_t> block(config::kBgzfMaxBlockBytes);
  std::vector<std::uint8_t> out(config::kBgzfMaxBlockBytes);
  for (bool compressible : {true, false}) {
    for (std::size_t bytes :
         {std::size_t{0}, std::size_t{1}, std::size_t{4000}, config::kBgzfMaxPayloadBytes}) {
      SCOPED_TRACE(std::to_string(bytes) + (compressible ? " compressible" : " random"));
      std::vector<std::uint8_t> data = payload(compressible, bytes, bytes + 1);
      std::size_t block_bytes = compressor.compress(data.data(), data.size(), block.data());
      ASSERT_LE(block_bytes, config::kBgzfMaxBlockBytes);
      if (compressible && bytes > 1000 && GetParam().level > 0) {
        EXPECT_LT(block_bytes, bytes / 2);
      }
      std::size_t parsed = 0;
      ASSERT_EQ(decoder.parse_header(block.data(), &parsed), BlockStatus::kOk);
      EXPECT_EQ(parsed, block_bytes);
      std::size_t got = 0;
      ASSERT_EQ(decoder.decode(block.data(), block_bytes, out.data(), &got), BlockStatus::kOk);
      ASSERT_EQ(got, bytes);
      EXPECT_TRUE(std::equal(data.begin(), data.end(), out.begin()));
    }
  }
}

TEST_P(BlockCodecTest, DamagedBlockIsReported) {
  BlockCompressor compressor(GetParam());
  BlockDecoder decoder(GetParam().format);
  std::vector<std::uint8_t> data = payload(true, 30000, 7);
  std::vector<std::uint8_t> block(config::kBgzfMaxBlockBytes);
  std::vector<std::uint8_t> out(config::kBgzfMaxBlockBytes);
  std::size_t block_bytes = compressor.compress(data.data(), data.size(), block.data());
  for (std::size_t at : {decoder.header_bytes() + 5, block_bytes / 2, block_bytes - 3}) {
    std::vector<std::uint8_t> damaged = block;
    damaged[at] ^= 0x21;
    std::size_t got = 0;
    EXPECT_NE(decoder.decode(damaged.data(), block_bytes, out.data(), &got), BlockStatus::kOk)
        << "byte " << at;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Codecs, BlockCodecTest,
    ::testing::Values(BlockCodec{BlockFormat::kBgzf, 0}, BlockCodec{BlockFormat::kBgzf, 6},
                      BlockCodec{BlockFormat::kZstd, 1}, BlockCodec{BlockFormat::kZstd, 19}),
    [](const ::testing::TestParamInfo<BlockCodec>& param_info) {
      return std::string(param_info.param.format == BlockFormat::kBgzf ? "Bgzf" : "Zstd") +
             std::to_string(param_info.param.level);
    });

TEST(ZstdBlockHeader, RejectsImpossibleSizes) {
  BlockDecoder decoder(BlockFormat::kZstd);
  EXPECT_EQ(decoder.header_bytes(), 8u);
  auto header = [](std::uint32_t total, std::uint32_t payload_bytes) {
    std::vector<std::uint8_t> bytes(8);
    for (int idx = 0; idx < 4; ++idx) {
      bytes[idx] = static_cast<std::uint8_t>(total >> (8 * idx));
      bytes[4 + idx] = static_cast<std::uint8_t>(payload_bytes >> (8 * idx));
    }
    return bytes;
  };
  std::size_t parsed = 0;
  EXPECT_EQ(decoder.parse_header(header(100, 200).data(), &parsed), BlockStatus::kOk);
  EXPECT_EQ(parsed, 100u);
  EXPECT_NE(decoder.parse_header(header(7, 0).data(), &parsed), BlockStatus::kOk);
  EXPECT_NE(decoder.parse_header(header(config::kBgzfMaxBlockBytes + 1, 10).data(), &parsed),
            BlockStatus::kOk);
  EXPECT_NE(decoder.parse_header(header(100, config::kBgzfMaxPayloadBytes + 1).data(), &parsed),
            BlockStatus::kOk);
}

// Heap bytes held now (small and mmap'ed allocations): what the C allocator reports. The test
// binary uses the system allocator, so libdeflate's and zstd's allocations show here.
std::size_t heap_in_use() {
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

TEST(CodecStateBytes, CoverWhatTheLibrariesAllocate) {
  std::vector<std::uint8_t> data = payload(true, config::kBgzfMaxPayloadBytes, 3);
  std::vector<std::uint8_t> block(config::kBgzfMaxBlockBytes);
  std::vector<BlockCodec> codecs;
  for (int level = 0; level <= 12; ++level) codecs.push_back({BlockFormat::kBgzf, level});
  for (int level = 1; level <= config::kMaxTempCompressionLevel; ++level) {
    codecs.push_back({BlockFormat::kZstd, level});
  }
  for (const BlockCodec& codec : codecs) {
    std::size_t before = heap_in_use();
    {
      BlockCompressor compressor(codec);
      compressor.compress(data.data(), data.size(), block.data());
      std::size_t used = heap_in_use() - before;
      EXPECT_LE(used, compressor_state_bytes(codec))
          << (codec.format == BlockFormat::kBgzf ? "libdeflate " : "zstd ") << codec.level;
    }
  }
  std::vector<std::uint8_t> out(config::kBgzfMaxBlockBytes);
  for (BlockFormat format : {BlockFormat::kBgzf, BlockFormat::kZstd}) {
    BlockCompressor compressor({format, 1});
    std::size_t block_bytes = compressor.compress(data.data(), data.size(), block.data());
    std::size_t before = heap_in_use();
    BlockDecoder decoder(format);
    std::size_t got = 0;
    ASSERT_EQ(decoder.decode(block.data(), block_bytes, out.data(), &got), BlockStatus::kOk);
    EXPECT_LE(heap_in_use() - before, decoder_state_bytes(format));
  }
}

}  // namespace
}  // namespace samsort
