// BGZF block codec on libdeflate (SAM spec section 4.1).
#include "samsort/io/bgzf_block.hpp"

#include <libdeflate.h>

#include <cstring>
#include <new>

#include "samsort/core/byte_order.hpp"
#include "samsort/core/config.hpp"

namespace samsort {

const std::uint8_t kBgzfEofBlock[28] = {0x1f, 0x8b, 0x08, 0x04, 0,    0, 0,    0, 0,    0xff,
                                        0x06, 0,    0x42, 0x43, 0x02, 0, 0x1b, 0, 0x03, 0,
                                        0,    0,    0,    0,    0,    0, 0,    0};

BlockStatus parse_block_header(const std::uint8_t* header, std::size_t* block_bytes) noexcept {
  // gzip magic, CM=deflate, FLG.FEXTRA; XLEN=6 with one BC subfield of length 2 is what every
  // BGZF writer emits. Other extra layouts are legal gzip but htslib rejects them as well.
  if (header[0] != 0x1f || header[1] != 0x8b || header[2] != 0x08 || (header[3] & 0x04) == 0) {
    return BlockStatus::kBadHeader;
  }
  if (load_le16(header + 10) != 6 || header[12] != 'B' || header[13] != 'C' ||
      load_le16(header + 14) != 2) {
    return BlockStatus::kBadHeader;
  }
  std::size_t total = static_cast<std::size_t>(load_le16(header + 16)) + 1;
  if (total < config::kBgzfHeaderBytes + config::kBgzfFooterBytes) return BlockStatus::kBadSize;
  *block_bytes = total;
  return BlockStatus::kOk;
}

const char* block_status_text(BlockStatus status) noexcept {
  switch (status) {
    case BlockStatus::kOk:
      return "ok";
    case BlockStatus::kBadHeader:
      return "not a BGZF block (bad gzip/BGZF header)";
    case BlockStatus::kBadSize:
      return "BGZF block size out of range";
    case BlockStatus::kBadData:
      return "corrupt deflate data in BGZF block";
    case BlockStatus::kBadCrc:
      return "BGZF block CRC32 mismatch";
    case BlockStatus::kBadLength:
      return "BGZF block length mismatch";
  }
  return "unknown BGZF error";
}

BlockInflater::BlockInflater() : decompressor_(libdeflate_alloc_decompressor()) {
  if (decompressor_ == nullptr) throw std::bad_alloc();
}

BlockInflater::~BlockInflater() { libdeflate_free_decompressor(decompressor_); }

BlockStatus BlockInflater::inflate(const std::uint8_t* block, std::size_t block_bytes,
                                   std::uint8_t* out, std::size_t* out_bytes) noexcept {
  const std::uint8_t* footer = block + block_bytes - config::kBgzfFooterBytes;
  std::uint32_t expected_crc = load_le32(footer);
  std::uint32_t expected_bytes = load_le32(footer + 4);
  if (expected_bytes > config::kBgzfMaxBlockBytes) return BlockStatus::kBadLength;
  std::size_t actual = 0;
  libdeflate_result result = libdeflate_deflate_decompress(
      decompressor_, block + config::kBgzfHeaderBytes,
      block_bytes - config::kBgzfHeaderBytes - config::kBgzfFooterBytes, out,
      config::kBgzfMaxBlockBytes, &actual);
  if (result != LIBDEFLATE_SUCCESS) return BlockStatus::kBadData;
  if (actual != expected_bytes) return BlockStatus::kBadLength;
  if (libdeflate_crc32(0, out, actual) != expected_crc) return BlockStatus::kBadCrc;
  *out_bytes = actual;
  return BlockStatus::kOk;
}

BlockDeflater::BlockDeflater(int libdeflate_level)
    : compressor_(libdeflate_alloc_compressor(libdeflate_level)),
      stored_compressor_(libdeflate_alloc_compressor(0)) {
  if (compressor_ == nullptr || stored_compressor_ == nullptr) {
    libdeflate_free_compressor(compressor_);
    libdeflate_free_compressor(stored_compressor_);
    throw std::bad_alloc();
  }
}

BlockDeflater::~BlockDeflater() {
  libdeflate_free_compressor(compressor_);
  libdeflate_free_compressor(stored_compressor_);
}

std::size_t BlockDeflater::deflate(const std::uint8_t* in, std::size_t in_bytes,
                                   std::uint8_t* out) noexcept {
  constexpr std::size_t kRoom =
      config::kBgzfMaxBlockBytes - config::kBgzfHeaderBytes - config::kBgzfFooterBytes;
  std::uint8_t* body = out + config::kBgzfHeaderBytes;
  std::size_t body_bytes = libdeflate_deflate_compress(compressor_, in, in_bytes, body, kRoom);
  if (body_bytes == 0) {
    // Incompressible: stored blocks always fit because payloads are capped at 0xff00 bytes.
    body_bytes = libdeflate_deflate_compress(stored_compressor_, in, in_bytes, body, kRoom);
  }
  std::size_t total = config::kBgzfHeaderBytes + body_bytes + config::kBgzfFooterBytes;
  std::memcpy(out, kBgzfEofBlock, config::kBgzfHeaderBytes);
  out[16] = static_cast<std::uint8_t>((total - 1) & 0xff);
  out[17] = static_cast<std::uint8_t>((total - 1) >> 8);
  std::uint8_t* footer = body + body_bytes;
  store_le32(footer, libdeflate_crc32(0, in, in_bytes));
  store_le32(footer + 4, static_cast<std::uint32_t>(in_bytes));
  return total;
}

int libdeflate_level_for_samtools_level(int samtools_level) noexcept {
  static constexpr int kMap[10] = {0, 1, 2, 3, 5, 6, 7, 8, 10, 12};
  if (samtools_level < 0) samtools_level = config::kDefaultSamtoolsLevel;
  if (samtools_level > 9) samtools_level = 9;
  return kMap[samtools_level];
}

}  // namespace samsort
