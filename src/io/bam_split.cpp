// Split guessing over pread: a verified BGZF block search (SAM spec 4.1) and a record-start
// search that accepts a candidate only when consecutive records parse from it (SAM spec 4.2).
#include "samsort/io/bam_split.hpp"

#include <htslib/sam.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "samsort/bam/bam_header.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/core/byte_order.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/io/bgzf_block.hpp"
#include "samsort/io/file_io.hpp"

namespace samsort {
namespace {

constexpr std::size_t kHeaderBytes = config::kBgzfHeaderBytes;
constexpr std::size_t kMaxBlockBytes = config::kBgzfMaxBlockBytes;
constexpr std::uint64_t kNoBlock = ~std::uint64_t{0};
// io/record_source refuses longer records, so no file samsort reads has one.
constexpr std::uint32_t kMaxRecordBlockSize = 1u << 30;
constexpr std::uint16_t kDefinedFlagBits = 0xfff;
constexpr std::uint32_t kLastCigarOp = BAM_CBACK;  // htslib's "MIDNSHP=XB"

// Reads up to `bytes` at `offset`; fewer only where the file ends. Throws IoError.
std::size_t read_at(int fd, void* out, std::size_t bytes, std::uint64_t offset) {
  long long got = pread_fully(fd, out, bytes, offset);
  if (got < 0) throw IoError("file descriptor " + std::to_string(fd), "pread", errno);
  return static_cast<std::size_t>(got);
}

// The BGZF file as blocks: headers read on demand, inflated blocks kept in a small LRU cache.
class BlockFile {
 public:
  struct Block {
    std::uint64_t offset = kNoBlock;
    std::size_t block_bytes = 0;
    std::size_t payload_bytes = 0;
    std::uint64_t last_use = 0;
    std::vector<std::uint8_t> payload;  // allocated at first use
  };

  BlockFile(int fd, std::uint64_t file_size) : fd_(fd), file_size_(file_size) {}

  std::uint64_t file_size() const noexcept { return file_size_; }

  // Sizes of the block at `offset` from its header and ISIZE, without inflating it; false
  // when no block header is there or the block runs past the end.
  bool sizes(std::uint64_t offset, std::size_t* block_bytes, std::size_t* payload_bytes) {
    if (const Block* cached = cached_block(offset)) {
      *block_bytes = cached->block_bytes;
      *payload_bytes = cached->payload_bytes;
      return true;
    }
    std::uint8_t footer[4];
    if (!header_at(offset, block_bytes) ||
        read_at(fd_, footer, sizeof footer, offset + *block_bytes - 4) != sizeof footer) {
      return false;
    }
    *payload_bytes = load_le32(footer);
    return *payload_bytes <= kMaxBlockBytes;
  }

  // The block at `offset`, inflated with CRC32 and ISIZE checked; nullptr when it is not a
  // valid block. The pointer lasts until the next load().
  const Block* load(std::uint64_t offset) {
    if (const Block* cached = cached_block(offset)) return cached;
    std::size_t block_bytes = 0;
    if (!header_at(offset, &block_bytes)) return nullptr;
    if (compressed_.empty()) compressed_.resize(kMaxBlockBytes);
    if (read_at(fd_, compressed_.data(), block_bytes, offset) != block_bytes) return nullptr;
    return inflate(offset, compressed_.data(), block_bytes);
  }

  // The first verified block at or after `from` (see find_bgzf_block), left in the cache.
  std::optional<std::uint64_t> find_block(std::uint64_t from) {
    // A window of two blocks and a header: a block starting in its first half ends, followed
    // by the next header, inside it.
    if (window_.empty()) window_.resize(2 * kMaxBlockBytes + kHeaderBytes);
    for (std::uint64_t base = from; base < file_size_; base += kMaxBlockBytes) {
      std::size_t window_bytes = read_at(
          fd_, window_.data(),
          static_cast<std::size_t>(std::min<std::uint64_t>(window_.size(), file_size_ - base)),
          base);
      std::size_t scan_bytes = std::min(window_bytes, kMaxBlockBytes);
      for (std::size_t at = 0; at < scan_bytes; ++at) {
        const void* magic = std::memchr(window_.data() + at, 0x1f, scan_bytes - at);
        if (magic == nullptr) break;
        at = static_cast<std::size_t>(static_cast<const std::uint8_t*>(magic) - window_.data());
        if (verified_block(base + at, window_.data() + at, window_bytes - at)) return base + at;
      }
    }
    return std::nullopt;
  }

 private:
  // Parses the header at `offset`; true when it is a BGZF header whose block fits the file.
  bool header_at(std::uint64_t offset, std::size_t* block_bytes) {
    if (offset >= file_size_ || file_size_ - offset < kHeaderBytes) return false;
    std::uint8_t header[kHeaderBytes];
    if (read_at(fd_, header, kHeaderBytes, offset) != kHeaderBytes) return false;
    return parse_block_header(header, block_bytes) == BlockStatus::kOk &&
           *block_bytes <= file_size_ - offset;
  }

  // Whether `bytes` (`available` of them read, at file `offset`) start a block that is followed
  // by another block header or the end of the file and inflates cleanly.
  bool verified_block(std::uint64_t offset, const std::uint8_t* bytes, std::size_t available) {
    std::size_t block_bytes = 0;
    if (available < kHeaderBytes || parse_block_header(bytes, &block_bytes) != BlockStatus::kOk ||
        block_bytes > available || block_bytes > file_size_ - offset) {
      return false;
    }
    std::uint64_t next = offset + block_bytes;
    if (next != file_size_) {
      std::size_t next_bytes = 0;
      if (available - block_bytes < kHeaderBytes ||
          parse_block_header(bytes + block_bytes, &next_bytes) != BlockStatus::kOk) {
        return false;
      }
    }
    return cached_block(offset) != nullptr || inflate(offset, bytes, block_bytes) != nullptr;
  }

  const Block* cached_block(std::uint64_t offset) noexcept {
    for (Block& block : cache_) {
      if (block.offset == offset) {
        block.last_use = ++use_clock_;
        return &block;
      }
    }
    return nullptr;
  }

  // Inflates a complete block into the least recently used cache slot.
  const Block* inflate(std::uint64_t offset, const std::uint8_t* bytes, std::size_t block_bytes) {
    Block& slot =
        *std::min_element(cache_.begin(), cache_.end(),
                          [](const Block& a, const Block& b) { return a.last_use < b.last_use; });
    if (slot.payload.empty()) slot.payload.resize(kMaxBlockBytes);
    slot.offset = kNoBlock;
    std::size_t payload_bytes = 0;
    if (inflater_.inflate(bytes, block_bytes, slot.payload.data(), &payload_bytes) !=
        BlockStatus::kOk) {
      return nullptr;
    }
    slot.offset = offset;
    slot.block_bytes = block_bytes;
    slot.payload_bytes = payload_bytes;
    slot.last_use = ++use_clock_;
    return &slot;
  }

  int fd_;
  std::uint64_t file_size_;
  BlockInflater inflater_;
  std::vector<std::uint8_t> compressed_;
  std::vector<std::uint8_t> window_;
  std::array<Block, config::kSplitCachedBlocks> cache_;
  std::uint64_t use_clock_ = 0;
};

// A position in the uncompressed stream: byte `in_block_` of the block at `offset_`. Bytes read
// come from inflated blocks; bytes skipped only need the blocks' sizes.
class PayloadCursor {
 public:
  PayloadCursor(BlockFile& file, std::uint64_t offset, std::size_t in_block)
      : file_(file), offset_(offset), in_block_(in_block) {
    valid_ = file_.sizes(offset_, &block_bytes_, &payload_bytes_) && in_block_ <= payload_bytes_;
  }

  bool read(std::uint8_t* out, std::size_t bytes) {
    while (bytes > 0) {
      const BlockFile::Block* block = next_bytes() ? file_.load(offset_) : nullptr;
      if (block == nullptr) return false;
      std::size_t take = std::min(bytes, payload_bytes_ - in_block_);
      std::memcpy(out, block->payload.data() + in_block_, take);
      in_block_ += take;
      out += take;
      bytes -= take;
    }
    return true;
  }

  bool skip(std::uint64_t bytes) {
    while (bytes > 0) {
      if (!next_bytes()) return false;
      std::size_t take =
          static_cast<std::size_t>(std::min<std::uint64_t>(bytes, payload_bytes_ - in_block_));
      in_block_ += take;
      bytes -= take;
    }
    return true;
  }

  // Skips a NUL-terminated string of at most `limit` bytes (NUL included); stores its length.
  bool skip_string(std::uint64_t limit, std::uint64_t* string_bytes) {
    std::uint64_t done = 0;
    while (done < limit) {
      const BlockFile::Block* block = next_bytes() ? file_.load(offset_) : nullptr;
      if (block == nullptr) return false;
      auto span = static_cast<std::size_t>(
          std::min<std::uint64_t>(limit - done, payload_bytes_ - in_block_));
      const std::uint8_t* start = block->payload.data() + in_block_;
      const void* nul = std::memchr(start, 0, span);
      std::size_t take = nul == nullptr ? span : static_cast<const std::uint8_t*>(nul) - start + 1;
      in_block_ += take;
      done += take;
      if (nul != nullptr) {
        *string_bytes = done;
        return true;
      }
    }
    return false;
  }

  // True when the stream ends here: only empty blocks or block ends up to the end of the file.
  bool at_end() {
    while (valid_ && in_block_ == payload_bytes_) {
      if (offset_ + block_bytes_ == file_.file_size()) return true;
      next_block();
    }
    return false;
  }

 private:
  // Moves past used-up blocks to one with bytes left; false at the end or a broken chain.
  bool next_bytes() {
    while (valid_ && in_block_ == payload_bytes_) next_block();
    return valid_;
  }
  void next_block() {
    std::uint64_t next = offset_ + block_bytes_;
    valid_ = file_.sizes(next, &block_bytes_, &payload_bytes_);
    offset_ = next;
    in_block_ = 0;
  }

  BlockFile& file_;
  std::uint64_t offset_;
  std::size_t block_bytes_ = 0;
  std::size_t payload_bytes_ = 0;
  std::size_t in_block_;
  bool valid_ = false;
};

bool is_qname_char(std::uint8_t ch) noexcept {
  return (ch >= '!' && ch <= '?') || (ch >= 'A' && ch <= '~');  // SAM's [!-?A-~]
}

bool is_alpha(std::uint8_t ch) noexcept { return (ch | 0x20) >= 'a' && (ch | 0x20) <= 'z'; }

// -1 with no reference, else within [-1, reference length] (any position >= -1 when the
// length is unknown).
bool position_fits(std::int32_t ref_idx, std::int64_t pos, const sam_hdr_t* header) noexcept {
  if (ref_idx < 0) return pos == -1;
  hts_pos_t length = sam_hdr_tid2len(header, ref_idx);
  return pos >= -1 && (length <= 0 || pos <= length);
}

// Bytes of one element of a B array's subtype, or 0 when unknown.
std::size_t array_element_bytes(std::uint8_t subtype) noexcept {
  switch (subtype) {
    case 'c':
    case 'C':
      return 1;
    case 's':
    case 'S':
      return 2;
    case 'i':
    case 'I':
    case 'f':
      return 4;
    default:
      return 0;
  }
}

// Walks `aux_bytes` of aux fields; true when they are well-formed and fill them exactly.
bool aux_fits(PayloadCursor& cursor, std::uint64_t aux_bytes) {
  while (aux_bytes > 0) {
    std::uint8_t field[3];
    if (aux_bytes < 3 || !cursor.read(field, 3)) return false;
    if (!is_alpha(field[0]) || !(is_alpha(field[1]) || (field[1] >= '0' && field[1] <= '9'))) {
      return false;
    }
    aux_bytes -= 3;
    std::uint64_t value_bytes = 0;
    switch (field[2]) {
      case 'A':
      case 'c':
      case 'C':
        value_bytes = 1;
        break;
      case 's':
      case 'S':
        value_bytes = 2;
        break;
      case 'i':
      case 'I':
      case 'f':
        value_bytes = 4;
        break;
      case 'd':  // not in the SAM spec, but htslib reads it
        value_bytes = 8;
        break;
      case 'Z':
      case 'H':
        if (!cursor.skip_string(aux_bytes, &value_bytes)) return false;
        aux_bytes -= value_bytes;
        continue;
      case 'B': {
        std::uint8_t array[5];
        if (aux_bytes < 5 || !cursor.read(array, 5)) return false;
        std::size_t element_bytes = array_element_bytes(array[0]);
        if (element_bytes == 0) return false;
        aux_bytes -= 5;
        value_bytes = std::uint64_t{load_le32(array + 1)} * element_bytes;
        break;
      }
      default:
        return false;
    }
    if (value_bytes > aux_bytes || !cursor.skip(value_bytes)) return false;
    aux_bytes -= value_bytes;
  }
  return true;
}

// The fixed fields' checks: lengths consistent with block_size, flag, reference ids and
// positions against the header.
bool fixed_fields_fit(const std::uint8_t* fixed, const BamHeader& header) noexcept {
  std::uint32_t block_size = load_le32(fixed);  // the wide bit is above the cap
  if (block_size < bam::kFixedBytes - 4 || block_size > kMaxRecordBlockSize) return false;
  std::int32_t seq_bases = bam::seq_length(fixed);
  if (bam::read_name_bytes(fixed) == 0 || seq_bases < 0 ||
      (bam::flag(fixed) & ~kDefinedFlagBits) != 0) {
    return false;
  }
  auto seq_bytes = static_cast<std::uint64_t>(seq_bases);
  if ((bam::kFixedBytes - 4) + bam::read_name_bytes(fixed) + 4ull * bam::cigar_op_count(fixed) +
          (seq_bytes + 1) / 2 + seq_bytes >
      block_size) {
    return false;
  }
  std::int32_t reference_count = header.reference_count();
  std::int32_t ref_idx = bam::ref_id(fixed);
  std::int32_t mate_ref_idx = bam::mate_ref_id(fixed);
  return ref_idx >= -1 && ref_idx < reference_count && mate_ref_idx >= -1 &&
         mate_ref_idx < reference_count &&
         position_fits(ref_idx, bam::pos(fixed), header.hts_header()) &&
         position_fits(mate_ref_idx, bam::mate_pos(fixed), header.hts_header());
}

// Parses one record at the cursor against the header; true when every check passes, with
// the cursor just past the record.
bool parse_record(PayloadCursor& cursor, const BamHeader& header) {
  std::uint8_t fixed[bam::kFixedBytes];
  if (!cursor.read(fixed, sizeof fixed) || !fixed_fields_fit(fixed, header)) return false;
  std::uint32_t block_size = load_le32(fixed);
  std::uint32_t name_bytes = bam::read_name_bytes(fixed);
  std::uint32_t cigar_ops = bam::cigar_op_count(fixed);
  auto seq_bytes = static_cast<std::uint64_t>(bam::seq_length(fixed));
  std::uint64_t used =
      (bam::kFixedBytes - 4) + name_bytes + 4ull * cigar_ops + (seq_bytes + 1) / 2 + seq_bytes;

  std::uint8_t buffer[256];  // a read name, or up to 64 CIGAR operations
  if (!cursor.read(buffer, name_bytes) || buffer[name_bytes - 1] != '\0' ||
      !std::all_of(buffer, buffer + name_bytes - 1, is_qname_char)) {
    return false;
  }
  std::uint64_t query_bases = 0;
  for (std::uint32_t left = cigar_ops; left > 0;) {
    std::uint32_t take = std::min<std::uint32_t>(left, sizeof buffer / 4);
    if (!cursor.read(buffer, 4 * take)) return false;
    for (std::uint32_t idx = 0; idx < take; ++idx) {
      std::uint32_t op = load_le32(buffer + 4 * idx);
      if (bam_cigar_op(op) > kLastCigarOp) return false;
      if ((bam_cigar_type(bam_cigar_op(op)) & 1) != 0) query_bases += bam_cigar_oplen(op);
    }
    left -= take;
  }
  // SEQ '*' (l_seq 0) may go with any CIGAR; otherwise they agree, as htslib's parser demands.
  if (cigar_ops > 0 && seq_bytes > 0 && query_bases != seq_bytes) return false;
  return cursor.skip((seq_bytes + 1) / 2 + seq_bytes) && aux_fits(cursor, block_size - used);
}

// Whether `confirm` records (or records up to the end of the file) parse from the candidate.
bool confirmed(BlockFile& file, std::uint64_t block_offset, std::size_t in_block,
               const BamHeader& header, unsigned confirm) {
  PayloadCursor cursor(file, block_offset, in_block);
  for (unsigned record_idx = 0; record_idx < std::max(confirm, 1u); ++record_idx) {
    if (record_idx > 0 && cursor.at_end()) return true;
    if (!parse_record(cursor, header)) return false;
  }
  return true;
}

}  // namespace

std::optional<std::uint64_t> find_bgzf_block(int fd, std::uint64_t file_size, std::uint64_t from) {
  BlockFile file(fd, file_size);
  return file.find_block(from);
}

std::optional<std::uint64_t> find_record_start(int fd, std::uint64_t file_size, std::uint64_t from,
                                               const BamHeader& header, unsigned confirm) {
  BlockFile file(fd, file_size);
  for (std::optional<std::uint64_t> block = file.find_block(from); block;) {
    std::uint64_t next = *block + 1;
    if (const BlockFile::Block* loaded = file.load(*block)) {
      std::size_t payload_bytes = loaded->payload_bytes;
      next = *block + loaded->block_bytes;
      for (std::size_t in_block = 0; in_block < payload_bytes; ++in_block) {
        // Most offsets fail the fixed fields: test those in place when they are in this block.
        if (in_block + bam::kFixedBytes <= payload_bytes &&
            !fixed_fields_fit(loaded->payload.data() + in_block, header)) {
          continue;
        }
        if (confirmed(file, *block, in_block, header, confirm)) return *block << 16 | in_block;
        loaded = file.load(*block);  // the confirmation may have evicted it
        if (loaded == nullptr) break;
      }
    }
    if (next >= file_size) break;
    block = file.find_block(next);
  }
  return std::nullopt;
}

}  // namespace samsort
