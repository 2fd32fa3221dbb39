// Conversion between htslib's bam1_t and samsort's raw record layout (BAM's on-disk record:
// block_size, fixed fields, name, CIGAR, sequence, qualities, aux), for the SAM/CRAM paths.
#pragma once
#include <cstddef>
#include <cstdint>

struct bam1_t;

namespace samsort {

// Whether `record` has a pos, mpos or isize beyond 32 bits: its raw form is then a wide record
// (bam_record.hpp), which only SAM and CRAM output can write.
bool needs_wide_record(const bam1_t* record) noexcept;
// Bytes the raw form of `record` takes (block_size included). Returns 0 and sets *problem
// when the record cannot be held (more than 65535 CIGAR operations spanning 2^28 or more
// reference bases, which samtools refuses too).
std::size_t raw_record_bytes(const bam1_t* record, const char** problem) noexcept;
// Writes the raw form (raw_record_bytes() bytes) to `out`, byte for byte what htslib's
// bam_write1 writes: more than 65535 CIGAR operations go to a CG:B,I tag appended to the aux
// data, behind a "<l_seq>S<ref_len>N" placeholder. A wide record ends in its 64-bit field.
void to_raw_record(const bam1_t* record, std::uint8_t* out) noexcept;
// Fills `record` from a raw record (reusing its data buffer) as htslib's bam_read1 would: a
// CIGAR kept in a CG:B,I tag is moved back in place (bam_tag2cigar), so SAM and CRAM output
// show the real CIGAR, and a wide record gets its 64-bit positions back. False when memory ran
// out.
bool from_raw_record(const std::uint8_t* raw, bam1_t* record) noexcept;

}  // namespace samsort
