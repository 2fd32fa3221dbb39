// Field access on a raw BAM record as stored in the arena and in run files: the 4-byte
// block_size followed by the fixed fields (SAM spec 4.2). No copies, no allocation.
#pragma once
#include <cstddef>
#include <cstdint>

#include "samsort/core/byte_order.hpp"

namespace samsort::bam {

// Bytes before the variable-length data, counting block_size.
inline constexpr std::size_t kFixedBytes = 36;

// Wide records: SAM and CRAM allow positions beyond BAM's 32-bit fields (references longer
// than 2 Gbp; htslib keeps 64-bit positions). Such a record keeps BAM's layout with bit 31 of
// block_size set (never set by a BAM file: its records are refused beyond 1 GiB) and ends in
// one aux-shaped field, name 0xff 0xff (no SAM tag is spelled so), type B:I with six elements:
// pos, mpos and isize as little-endian 64-bit integers. Its 32-bit pos/mpos/isize fields hold
// -1, -1, 0; the accessors below read the wide values. Such records are written as SAM or CRAM
// only (io/hts_record.cpp restores the 64-bit fields); BAM output refuses them as samtools does.
inline constexpr std::uint32_t kWideBit = std::uint32_t{1} << 31;
inline constexpr std::size_t kWideFieldBytes = 4 + 4 + 24;  // name, B, I, count, 3 x 64 bits

// `record` points at block_size.
inline std::uint32_t record_bytes(const std::uint8_t* record) noexcept {
  return (load_le32(record) & ~kWideBit) + 4;
}
inline bool is_wide(const std::uint8_t* record) noexcept {
  return (load_le32(record) & kWideBit) != 0;
}
// Value `index` (0 pos, 1 mpos, 2 isize) of a wide record's trailing field.
inline std::int64_t wide_value(const std::uint8_t* record, unsigned index) noexcept {
  return load_le<std::int64_t>(record + record_bytes(record) - 24 + 8 * index);
}
inline std::int32_t ref_id(const std::uint8_t* record) noexcept {
  return load_le<std::int32_t>(record + 4);
}
inline std::int64_t pos(const std::uint8_t* record) noexcept {
  if (is_wide(record)) [[unlikely]]
    return wide_value(record, 0);
  return load_le<std::int32_t>(record + 8);
}
inline std::uint8_t read_name_bytes(const std::uint8_t* record) noexcept { return record[12]; }
inline std::uint8_t mapq(const std::uint8_t* record) noexcept { return record[13]; }
inline std::uint16_t cigar_op_count(const std::uint8_t* record) noexcept {
  return load_le16(record + 16);
}
inline std::uint16_t flag(const std::uint8_t* record) noexcept { return load_le16(record + 18); }
inline std::int32_t seq_length(const std::uint8_t* record) noexcept {
  return load_le<std::int32_t>(record + 20);
}
inline std::int32_t mate_ref_id(const std::uint8_t* record) noexcept {
  return load_le<std::int32_t>(record + 24);
}
inline std::int64_t mate_pos(const std::uint8_t* record) noexcept {
  if (is_wide(record)) [[unlikely]]
    return wide_value(record, 1);
  return load_le<std::int32_t>(record + 28);
}
inline std::int64_t insert_size(const std::uint8_t* record) noexcept {
  if (is_wide(record)) [[unlikely]]
    return wide_value(record, 2);
  return load_le<std::int32_t>(record + 32);
}
inline const char* read_name(const std::uint8_t* record) noexcept {
  return reinterpret_cast<const char*>(record + kFixedBytes);
}

// Checks the fixed fields of a record whose block_size is `block_size` against its length and
// the header's reference count. Returns nullptr if sane, else a static description. Positions
// below -1 pass, as in htslib's bam_read1 (samtools sorts them after the reference's other
// records); a read name must end in its NUL (record sources repair one that does not first).
const char* check_record(const std::uint8_t* record, std::int32_t reference_count) noexcept;

// BAI binning (SAM spec 5.3): 16 kbp minimum bins, 5 levels.
inline constexpr int kBinMinShift = 14;
inline constexpr int kBinLevels = 5;

// Sets the bin field of a record with a CIGAR as htslib's bam_read1 recomputes it (from pos and
// the CIGAR's reference length, 1 when unmapped or empty), so samsort writes what
// `samtools sort` writes even for inputs whose bin is stale (e.g. a position below -1).
// Records without CIGAR keep theirs. The record must have passed check_record().
void refresh_bin(std::uint8_t* record) noexcept;

}  // namespace samsort::bam
