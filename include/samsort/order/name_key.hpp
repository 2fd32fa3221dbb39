// Read-name orders (samtools sort -n / -N): samtools' natural compare (the newest
// strnum_cmp: numbers by value, leading zeros ignored entirely), plain byte compare (-N), the
// flag tie-break key, and order-preserving byte encodings of names so that the engine can sort
// on fixed-width big-endian prefixes and finish ties with memcmp. No allocation.
#pragma once
#include <cstddef>
#include <cstdint>

#include "samsort/bam/bam_flags.hpp"

namespace samsort {

// Longest read name a BAM record can hold, without its NUL (l_read_name <= 255).
inline constexpr std::size_t kMaxReadNameBytes = 254;

// samtools' strnum_cmp on NUL-terminated names (bytes unsigned): <0, 0, >0. Digit runs compare
// by value with leading zeros ignored ("a1" == "a01" == "a001", "x0" == "x00" > "x"); a digit
// against a non-digit compares as bytes. Thread-safe.
int natural_compare(const char* a, const char* b) noexcept;

// strcmp on unsigned bytes: a proper prefix sorts first (samtools -N). Thread-safe.
int lexicographic_compare(const char* a, const char* b) noexcept;

// The queryname tie-break after equal names: READ1/READ2 bits on top, then SECONDARY, then
// SUPPLEMENTARY, so neither < READ1 < READ2 < both, and within each primary < supplementary <
// secondary < secondary+supplementary. Compare as an unsigned integer.
constexpr std::uint16_t name_flag_key(std::uint16_t flag) noexcept {
  return static_cast<std::uint16_t>(((flag & (bam::kRead1 | bam::kRead2)) << 8) |
                                    ((flag & bam::kSecondary) << 3) |
                                    ((flag & bam::kSupplementary) >> 3));
}

// Bytes encode_natural may write for a name of `name_bytes` bytes: each digit run grows by at
// most one byte (two for runs of 9+ significant digits, which are long enough to pay for it).
constexpr std::size_t natural_encoding_capacity(std::size_t name_bytes) noexcept {
  return name_bytes + (name_bytes + 1) / 2;
}
inline constexpr std::size_t kMaxNaturalEncodingBytes =
    natural_encoding_capacity(kMaxReadNameBytes);  // 381

// Writes an encoding of the name (its first `name_bytes` bytes, stopping early at a NUL) to
// `out` (room for natural_encoding_capacity(name_bytes)) and returns its length. Encodings
// compared with compare_encoded order exactly like natural_compare, and are equal iff
// natural_compare returns 0. Non-digit bytes are copied; a digit run becomes a marker and its
// significant digits (leading zeros dropped): marker '0' + n for n = 0..8 significant digits,
// or '9' then the byte n - 8 for n >= 9. Markers lie in '0'..'9', so against a non-digit they
// compare as any digit would. Encodings never contain a zero byte, so zero padding (as in
// load_prefix_be) is the same as "string ended". Thread-safe.
std::size_t encode_natural(const char* name, std::size_t name_bytes, std::uint8_t* out) noexcept;

// The lexicographic encoding: the name itself (up to `name_bytes` or a NUL), `out` needs
// `name_bytes` bytes. Same compare_encoded / zero-free contract as encode_natural.
std::size_t encode_lexicographic(const char* name, std::size_t name_bytes,
                                 std::uint8_t* out) noexcept;

// memcmp order with a proper prefix first: <0, 0, >0.
int compare_encoded(const std::uint8_t* a, std::size_t a_bytes, const std::uint8_t* b,
                    std::size_t b_bytes) noexcept;

// The 16 encoding bytes starting at `skip` as two big-endian words (out[0] first), zero-padded
// past the end (all zero when skip >= enc_bytes). For encodings sharing their first `skip`
// bytes, (out[0], out[1]) compared as a 128-bit integer orders like compare_encoded whenever
// the words differ; equal words decide nothing unless both encodings end within the 16 bytes.
void load_prefix_be(const std::uint8_t* enc, std::size_t enc_bytes, std::size_t skip,
                    std::uint64_t out[2]) noexcept;

// The read name's length without NUL padding: strnlen(name, l_read_name) of a raw record.
std::size_t read_name_length(const std::uint8_t* record) noexcept;

}  // namespace samsort
