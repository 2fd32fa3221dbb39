// How blocks of a BgzfWriter are framed and compressed, and the matching decoder. kBgzf: BGZF
// blocks (libdeflate level 0-12, 0 stores), for the output and stored runs. kZstd: spilled
// runs only, each payload one zstd frame with its content checksum behind an 8-byte header
// (block bytes, payload bytes), so a run is still read back block by block. Measured choice and
// figures: bench/SPILL.md.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "samsort/io/bgzf_block.hpp"

namespace samsort {

enum class BlockFormat { kBgzf, kZstd };

struct BlockCodec {
  BlockFormat format = BlockFormat::kBgzf;
  int level = 6;  // libdeflate 0-12 (kBgzf) or zstd 1-19 (kZstd)
  bool operator==(const BlockCodec&) const = default;
};

// Heap bytes one compressor of `codec` allocates (libdeflate's and zstd's own state, measured
// with mallinfo2 on 64 KiB blocks), for the budget.
std::size_t compressor_state_bytes(const BlockCodec& codec) noexcept;
// Heap bytes one BlockDecoder of `format` allocates.
std::size_t decoder_state_bytes(BlockFormat format) noexcept;

// One per worker thread.
class BlockCompressor {
 public:
  explicit BlockCompressor(const BlockCodec& codec);  // throws std::bad_alloc
  ~BlockCompressor();
  BlockCompressor(const BlockCompressor&) = delete;
  BlockCompressor& operator=(const BlockCompressor&) = delete;

  // Compresses payload [in, in + in_bytes) (at most kBgzfMaxPayloadBytes) into one complete
  // block at `out` (capacity >= kBgzfMaxBlockBytes). Returns the block size. Throws Error if
  // zstd fails (it does not on valid input: incompressible data is framed raw).
  std::size_t compress(const std::uint8_t* in, std::size_t in_bytes, std::uint8_t* out);

 private:
  BlockFormat format_;
  std::unique_ptr<BlockDeflater> deflater_;
  struct ZstdState;
  std::unique_ptr<ZstdState> zstd_;
};

// Reads blocks of one format; one decoder serves any number of readers on one thread.
class BlockDecoder {
 public:
  explicit BlockDecoder(BlockFormat format);  // throws std::bad_alloc
  ~BlockDecoder();
  BlockDecoder(const BlockDecoder&) = delete;
  BlockDecoder& operator=(const BlockDecoder&) = delete;

  // Bytes to read before parse_header() can tell a block's size.
  std::size_t header_bytes() const noexcept;
  // The whole block's size from its first header_bytes() bytes.
  BlockStatus parse_header(const std::uint8_t* header, std::size_t* block_bytes) const noexcept;
  // Decodes the complete block into `out` (capacity >= kBgzfMaxBlockBytes), checking its
  // checksum and length. Stores the payload length in *out_bytes.
  BlockStatus decode(const std::uint8_t* block, std::size_t block_bytes, std::uint8_t* out,
                     std::size_t* out_bytes) noexcept;

 private:
  BlockFormat format_;
  BlockInflater inflater_;
  struct ZstdState;
  std::unique_ptr<ZstdState> zstd_;
};

}  // namespace samsort
