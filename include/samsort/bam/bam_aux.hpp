// Aux (optional) fields of a raw BAM record (block_size first, as in bam_record.hpp): finding
// the first field with a tag and reading its value. The walk matches htslib's bam_aux_get, so a
// record's tags are found (or not) exactly as samtools finds them. No copies, no allocation.
#pragma once
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "samsort/bam/bam_record.hpp"
#include "samsort/core/byte_order.hpp"

namespace samsort::bam {

// Byte offset of the aux area from `record` (block_size counted). A record whose variable
// fields overrun its block_size (or has l_seq < 0) gets record_bytes(record): no aux at all.
std::size_t aux_offset(const std::uint8_t* record) noexcept;

// The first aux field tagged `tag` (two characters, no NUL needed), as a pointer at its type
// byte (the value starts one byte later), or nullptr. The field returned lies wholly inside
// the record, and a Z/H value is NUL-terminated inside it, so the readers below are safe on it.
// As htslib: a malformed field (unknown type, truncated value, bad B sub-type) ends the walk,
// so it and every tag after it are not found; 1-2 stray bytes at the end are ignored.
// Thread-safe; reads only the record.
const std::uint8_t* find_aux(const std::uint8_t* record, const char tag[2]) noexcept;

// Bytes of the whole field (tag, type and value) whose type byte find_aux() returned.
std::size_t aux_field_bytes(const std::uint8_t* record, const std::uint8_t* aux) noexcept;

// Several tags in one walk: found[idx] = find_aux(record, tags + 2 * idx) for idx < count.
// `tags` holds the tags back to back ("RGMCCBMI"). Cheaper than `count` calls.
void find_aux_fields(const std::uint8_t* record, const char* tags, std::size_t count,
                     const std::uint8_t** found) noexcept;

// Readers for a pointer returned by find_aux (type byte first). Each states which types it
// accepts; any other type gives the stated fallback.
inline char aux_type(const std::uint8_t* aux) noexcept { return static_cast<char>(aux[0]); }

inline bool aux_is_integer(const std::uint8_t* aux) noexcept {
  switch (aux[0]) {
    case 'c':
    case 'C':
    case 's':
    case 'S':
    case 'i':
    case 'I':
      return true;
    default:
      return false;
  }
}
// 'f' (float) or 'd' (double, an htslib extension).
inline bool aux_is_real(const std::uint8_t* aux) noexcept { return aux[0] == 'f' || aux[0] == 'd'; }
// 'Z' or 'H': what htslib's bam_aux2Z accepts as a string.
inline bool aux_is_string(const std::uint8_t* aux) noexcept {
  return aux[0] == 'Z' || aux[0] == 'H';
}

// Integer types c C s S i I as int64 (I is unsigned 32-bit, so never negative); else 0.
inline std::int64_t aux_integer(const std::uint8_t* aux) noexcept {
  const std::uint8_t* value = aux + 1;
  switch (aux[0]) {
    case 'c':
      return static_cast<std::int8_t>(value[0]);
    case 'C':
      return value[0];
    case 's':
      return static_cast<std::int16_t>(load_le16(value));
    case 'S':
      return load_le16(value);
    case 'i':
      return load_le<std::int32_t>(value);
    case 'I':
      return load_le32(value);
    default:
      return 0;
  }
}

// 'f' as the double of the stored float, 'd' as stored, integers converted (htslib's
// bam_aux2f); else 0.
inline double aux_real(const std::uint8_t* aux) noexcept {
  if (aux[0] == 'f') {
    return static_cast<double>(std::bit_cast<float>(load_le32(aux + 1)));
  }
  if (aux[0] == 'd') {
    return std::bit_cast<double>(load_le64(aux + 1));
  }
  return static_cast<double>(aux_integer(aux));
}

// 'A' as an unsigned byte; else 0.
inline std::uint8_t aux_char(const std::uint8_t* aux) noexcept {
  return aux[0] == 'A' ? aux[1] : 0;
}

// 'Z'/'H' text without its NUL (find_aux guarantees the NUL); else empty.
inline std::string_view aux_string(const std::uint8_t* aux) noexcept {
  if (!aux_is_string(aux)) return {};
  const char* text = reinterpret_cast<const char*>(aux + 1);
  return std::string_view(text, std::strlen(text));
}

// 'B' arrays: element type, element count and the first element (little-endian, unaligned).
// Meaningful only when aux_type(aux) == 'B'.
inline char aux_array_type(const std::uint8_t* aux) noexcept { return static_cast<char>(aux[1]); }
inline std::uint32_t aux_array_count(const std::uint8_t* aux) noexcept {
  return load_le32(aux + 2);
}
inline const std::uint8_t* aux_array_data(const std::uint8_t* aux) noexcept { return aux + 6; }

}  // namespace samsort::bam
