// Conversion between htslib's bam1_t and samsort's raw record layout (BAM's on-disk record:
// block_size, fixed fields, name, CIGAR, sequence, qualities, aux), for the SAM/CRAM paths.
#pragma once
#include <cstddef>
#include <cstdint>

struct bam1_t;

namespace samsort {

// Bytes the raw form of `record` takes (block_size included). Returns 0 and sets *problem
// when the record cannot be held in BAM's layout (position beyond 2^31, > 65535 CIGAR ops).
std::size_t raw_record_bytes(const bam1_t* record, const char** problem) noexcept;
// Writes the raw form (raw_record_bytes() bytes) to `out`.
void to_raw_record(const bam1_t* record, std::uint8_t* out) noexcept;
// Fills `record` from a raw record (reusing its data buffer). False when memory ran out.
bool from_raw_record(const std::uint8_t* raw, bam1_t* record) noexcept;

}  // namespace samsort
