// Tag order (samtools sort -t XY): the value of a record's first
// XY field, normalised as samtools' bam1_cmp_by_tag does. This is the primary key only; equal
// values fall through to the coordinate or name key, then input order. No allocation.
#pragma once
#include <cstddef>
#include <cstdint>

namespace samsort {

// Normalised type classes, declared in the order of samtools' type-letter compare on a
// mismatch ('A' < 'B' < 'H' < 'c' < 'f'); kAbsent sorts before all. kInteger and kReal are
// one class for ordering: they compare as doubles.
enum class TagClass : std::uint8_t { kAbsent = 0, kChar, kArray, kString, kInteger, kReal };

struct TagValue {
  TagClass type_class = TagClass::kAbsent;
  std::int64_t integer = 0;    // kInteger: the value; kChar: the byte (unsigned)
  double real = 0.0;           // kReal: the value (an 'f' field as the double of its float)
  const char* text = nullptr;  // kString: NUL-terminated, inside the record
};

// Normalises a field found by bam::find_aux (nullptr = absent): c C s S i I -> kInteger,
// f d -> kReal, Z H -> kString, A -> kChar, B -> kArray. Thread-safe.
TagValue tag_value(const std::uint8_t* aux) noexcept;

// <0, 0, >0 as samtools orders tag values: absent first; integer vs integer as int64, any
// number vs real as double; 'A' by unsigned byte; strings by strcmp; B arrays all equal; other
// class mismatches by class (A < B < string < number). 0 means "go to the secondary key".
// NaN (which samtools cannot order consistently) sorts after every number, equal to NaN.
int compare_tag_values(const TagValue& a, const TagValue& b) noexcept;

// The same on find_aux results (nullptr = absent).
int compare_tag_values(const std::uint8_t* aux_a, const std::uint8_t* aux_b) noexcept;

// Order-preserving encoding: compare_encoded (name_key.hpp) of two encodings has the sign of
// compare_tag_values, and encodings are equal iff it returns 0. Layout: a class byte
// (1 absent, 2 char, 3 array, 4 string, 5 number), then the byte (char), nothing (array), the
// text (string), or 8 big-endian bytes of the value as an order-preserving double (number:
// BAM integers are at most 32-bit, so exact as doubles; -0 as +0; NaN after +inf).
// tag_encoding_bytes gives the length; `out` needs that much room. Unlike name encodings,
// these may contain zero bytes, so an equal zero-padded prefix decides nothing.
std::size_t tag_encoding_bytes(const TagValue& value) noexcept;
std::size_t encode_tag_value(const TagValue& value, std::uint8_t* out) noexcept;

}  // namespace samsort
