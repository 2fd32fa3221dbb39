// A read-only view of a record's packed CIGAR: little-endian u32 operations, each
// length << 4 | code (SAM spec 4.2.2), at any alignment. No copies, no allocation.
#pragma once
#include <cstddef>
#include <cstdint>

#include "samsort/core/byte_order.hpp"

namespace samsort::bam {

// CIGAR operation codes (htslib's BAM_C*).
inline constexpr std::uint32_t kCigarMatch = 0;      // M
inline constexpr std::uint32_t kCigarInsertion = 1;  // I
inline constexpr std::uint32_t kCigarDeletion = 2;   // D
inline constexpr std::uint32_t kCigarSkip = 3;       // N
inline constexpr std::uint32_t kCigarSoftClip = 4;   // S
inline constexpr std::uint32_t kCigarHardClip = 5;   // H
inline constexpr std::uint32_t kCigarPadding = 6;    // P
inline constexpr std::uint32_t kCigarEqual = 7;      // =
inline constexpr std::uint32_t kCigarDifferent = 8;  // X

// htslib's bam_cigar_type: M D N = X consume the reference; M I S = X consume the query.
// Codes 9-15 (not in the spec) consume neither, as in htslib.
constexpr bool consumes_reference(std::uint32_t code) noexcept {
  return code == kCigarMatch || code == kCigarDeletion || code == kCigarSkip ||
         code == kCigarEqual || code == kCigarDifferent;
}
constexpr bool consumes_query(std::uint32_t code) noexcept {
  return code == kCigarMatch || code == kCigarInsertion || code == kCigarSoftClip ||
         code == kCigarEqual || code == kCigarDifferent;
}

class CigarView {
 public:
  CigarView() noexcept = default;
  CigarView(const std::uint8_t* ops, std::uint32_t count) noexcept : ops_(ops), count_(count) {}

  // The CIGAR stored in the record's CIGAR field. The record must have passed check_record().
  static CigarView stored(const std::uint8_t* record) noexcept;
  // The CIGAR as htslib sees it after reading: the stored one, or, for a placed record stored
  // with a placeholder "<l_seq>S<n>N" CIGAR, the real one in its CG:B:I tag (bam_tag2cigar).
  static CigarView of_record(const std::uint8_t* record) noexcept;

  std::uint32_t size() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }
  // Operation `idx` < size() packed as length << 4 | code, its code and its length.
  std::uint32_t raw(std::size_t idx) const noexcept { return load_le32(ops_ + 4 * idx); }
  std::uint32_t code(std::size_t idx) const noexcept { return raw(idx) & 0xf; }
  std::uint32_t length(std::size_t idx) const noexcept { return raw(idx) >> 4; }

  // Bases of reference covered (htslib's bam_cigar2rlen) and of query (bam_cigar2qlen).
  std::int64_t reference_span() const noexcept;
  std::int64_t query_span() const noexcept;
  // Soft-clipped bases before the first (after the last) operation that is neither a soft
  // nor a hard clip; hard clips are stepped over.
  std::int64_t leading_soft_clips() const noexcept;
  std::int64_t trailing_soft_clips() const noexcept;

 private:
  const std::uint8_t* ops_ = nullptr;
  std::uint32_t count_ = 0;
};

// htslib's bam_endpos: the 0-based end (exclusive) of a record that passed check_record: pos
// plus its reference span (CigarView::of_record), or pos + 1 when unmapped or the span is 0.
std::int64_t end_position(const std::uint8_t* record) noexcept;

}  // namespace samsort::bam
