// BGZF (libdeflate) and zstd run blocks behind one compressor/decoder pair.
#include "samsort/io/block_codec.hpp"

#include <zstd.h>
#include <zstd_errors.h>

#include <new>
#include <string>

#include "samsort/core/byte_order.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"

namespace samsort {

namespace {
constexpr std::size_t kZstdHeaderBytes = 8;  // u32 block bytes, u32 payload bytes
constexpr std::size_t kZstdRoom = config::kBgzfMaxBlockBytes - kZstdHeaderBytes;
}  // namespace

std::size_t compressor_state_bytes(const BlockCodec& codec) noexcept {
  if (codec.format == BlockFormat::kZstd) {
    return codec.level <= 1   ? config::kZstdLevel1CompressorBytes
           : codec.level <= 3 ? config::kZstdLevel3CompressorBytes
                              : config::kZstdCompressorBytes;
  }
  // libdeflate 10 and 12 use near-optimal parsing (~9 MB); 2-9 hash chains; 1 a small table.
  if (codec.level >= 10) return config::kLibdeflateOptimalCompressorBytes;
  if (codec.level >= 2) return config::kLibdeflateCompressorBytes;
  return config::kLibdeflateFastCompressorBytes;
}

std::size_t decoder_state_bytes(BlockFormat format) noexcept {
  return config::kLibdeflateDecompressorBytes +
         (format == BlockFormat::kZstd ? config::kZstdDecompressorBytes : 0);
}

struct BlockCompressor::ZstdState {
  ZSTD_CCtx* context = nullptr;
  ~ZstdState() { ZSTD_freeCCtx(context); }
};

BlockCompressor::BlockCompressor(const BlockCodec& codec) : format_(codec.format) {
  if (format_ == BlockFormat::kBgzf) {
    deflater_ = std::make_unique<BlockDeflater>(codec.level);
    return;
  }
  zstd_ = std::make_unique<ZstdState>();
  zstd_->context = ZSTD_createCCtx();
  if (zstd_->context == nullptr ||
      ZSTD_isError(ZSTD_CCtx_setParameter(zstd_->context, ZSTD_c_compressionLevel, codec.level)) ||
      ZSTD_isError(ZSTD_CCtx_setParameter(zstd_->context, ZSTD_c_checksumFlag, 1))) {
    throw std::bad_alloc();
  }
}

BlockCompressor::~BlockCompressor() = default;

std::size_t BlockCompressor::compress(const std::uint8_t* in, std::size_t in_bytes,
                                      std::uint8_t* out) {
  if (format_ == BlockFormat::kBgzf) return deflater_->deflate(in, in_bytes, out);
  // Incompressible data becomes raw zstd blocks (a few bytes over the payload), so the frame
  // always fits and always carries its checksum.
  std::uint8_t* body = out + kZstdHeaderBytes;
  std::size_t body_bytes = ZSTD_compress2(zstd_->context, body, kZstdRoom, in, in_bytes);
  if (ZSTD_isError(body_bytes)) {
    throw Error(std::string("zstd cannot compress a run block: ") + ZSTD_getErrorName(body_bytes));
  }
  std::size_t total = kZstdHeaderBytes + body_bytes;
  store_le32(out, static_cast<std::uint32_t>(total));
  store_le32(out + 4, static_cast<std::uint32_t>(in_bytes));
  return total;
}

struct BlockDecoder::ZstdState {
  ZSTD_DCtx* context = nullptr;
  ~ZstdState() { ZSTD_freeDCtx(context); }
};

BlockDecoder::BlockDecoder(BlockFormat format) : format_(format) {
  if (format_ != BlockFormat::kZstd) return;
  zstd_ = std::make_unique<ZstdState>();
  zstd_->context = ZSTD_createDCtx();
  if (zstd_->context == nullptr) throw std::bad_alloc();
}

BlockDecoder::~BlockDecoder() = default;

std::size_t BlockDecoder::header_bytes() const noexcept {
  return format_ == BlockFormat::kZstd ? kZstdHeaderBytes : config::kBgzfHeaderBytes;
}

BlockStatus BlockDecoder::parse_header(const std::uint8_t* header,
                                       std::size_t* block_bytes) const noexcept {
  if (format_ == BlockFormat::kBgzf) return parse_block_header(header, block_bytes);
  std::uint32_t total = load_le32(header);
  std::uint32_t payload = load_le32(header + 4);
  if (total < kZstdHeaderBytes || total > config::kBgzfMaxBlockBytes ||
      payload > config::kBgzfMaxPayloadBytes) {
    return BlockStatus::kBadHeader;
  }
  *block_bytes = total;
  return BlockStatus::kOk;
}

BlockStatus BlockDecoder::decode(const std::uint8_t* block, std::size_t block_bytes,
                                 std::uint8_t* out, std::size_t* out_bytes) noexcept {
  if (format_ == BlockFormat::kBgzf) return inflater_.inflate(block, block_bytes, out, out_bytes);
  std::size_t payload = load_le32(block + 4);
  std::size_t got = ZSTD_decompressDCtx(zstd_->context, out, config::kBgzfMaxBlockBytes,
                                        block + kZstdHeaderBytes, block_bytes - kZstdHeaderBytes);
  if (ZSTD_isError(got)) {
    return ZSTD_getErrorCode(got) == ZSTD_error_checksum_wrong ? BlockStatus::kBadCrc
                                                               : BlockStatus::kBadData;
  }
  if (got != payload) return BlockStatus::kBadLength;
  *out_bytes = payload;
  return BlockStatus::kOk;
}

}  // namespace samsort
