// One BGZF block: header parsing, inflate with CRC/size checks, and deflate into a block.
// Shared by the input reader, the run reader and the block writer. libdeflate does the codec.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

struct libdeflate_decompressor;
struct libdeflate_compressor;

namespace samsort {

// The 28-byte empty block that ends every BGZF file.
extern const std::uint8_t kBgzfEofBlock[28];

enum class BlockStatus { kOk, kBadHeader, kBadSize, kBadData, kBadCrc, kBadLength };

// Parses the 18-byte BGZF header at `header`. On success stores the total block size
// (BSIZE + 1, header and footer included) and returns kOk.
BlockStatus parse_block_header(const std::uint8_t* header, std::size_t* block_bytes) noexcept;

// Human-readable text for a status, for error messages.
const char* block_status_text(BlockStatus status) noexcept;

// Per-thread libdeflate handles; not thread-safe, one per worker.
class BlockInflater {
 public:
  BlockInflater();
  ~BlockInflater();
  BlockInflater(const BlockInflater&) = delete;
  BlockInflater& operator=(const BlockInflater&) = delete;

  // Inflates the complete block `block` of `block_bytes` into `out` (capacity >= 64 KiB),
  // checking ISIZE and CRC32. Stores the payload length in *out_bytes.
  BlockStatus inflate(const std::uint8_t* block, std::size_t block_bytes, std::uint8_t* out,
                      std::size_t* out_bytes) noexcept;

 private:
  libdeflate_decompressor* decompressor_;
};

class BlockDeflater {
 public:
  // `libdeflate_level` 0..12; 0 writes stored blocks.
  explicit BlockDeflater(int libdeflate_level);
  ~BlockDeflater();
  BlockDeflater(const BlockDeflater&) = delete;
  BlockDeflater& operator=(const BlockDeflater&) = delete;

  // Compresses payload [in, in + in_bytes) (at most kBgzfMaxPayloadBytes) into a complete
  // BGZF block at `out` (capacity >= kBgzfMaxBlockBytes). Returns the block size.
  std::size_t deflate(const std::uint8_t* in, std::size_t in_bytes, std::uint8_t* out) noexcept;

 private:
  libdeflate_compressor* compressor_;
  libdeflate_compressor* stored_compressor_;  // level 0 fallback for incompressible data
};

// samtools' -l scale (0-9) to libdeflate's level, as htslib maps it when built with
// libdeflate: 1-9 -> 1,2,3,5,6,7,8,10,12; 0 -> stored.
int libdeflate_level_for_samtools_level(int samtools_level) noexcept;

}  // namespace samsort
