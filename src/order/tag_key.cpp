// Tag value normalisation and compare, after samtools' normalize_type / bam1_cmp_by_tag.
#include "samsort/order/tag_key.hpp"

#include <bit>
#include <cmath>
#include <cstring>

#include "samsort/bam/bam_aux.hpp"

namespace samsort {

namespace {

inline bool is_number(TagClass type_class) noexcept {
  return type_class == TagClass::kInteger || type_class == TagClass::kReal;
}

inline double as_double(const TagValue& value) noexcept {
  return value.type_class == TagClass::kInteger ? static_cast<double>(value.integer) : value.real;
}

inline int compare_doubles(double a, double b) noexcept {
  bool a_nan = std::isnan(a);
  bool b_nan = std::isnan(b);
  if (a_nan || b_nan) return a_nan == b_nan ? 0 : (a_nan ? 1 : -1);
  return a < b ? -1 : (a > b ? 1 : 0);
}

// Class bytes of the encoding; 0 is left unused.
inline std::uint8_t class_byte(TagClass type_class) noexcept {
  switch (type_class) {
    case TagClass::kAbsent:
      return 1;
    case TagClass::kChar:
      return 2;
    case TagClass::kArray:
      return 3;
    case TagClass::kString:
      return 4;
    case TagClass::kInteger:
    case TagClass::kReal:
      return 5;
  }
  return 0;
}

// IEEE-754 bits mapped so that unsigned order is numeric order; -0 as +0, every NaN above +inf.
inline std::uint64_t ordered_bits(double value) noexcept {
  if (std::isnan(value)) return 0xFFF8000000000000ull;
  if (value == 0.0) value = 0.0;
  auto bits = std::bit_cast<std::uint64_t>(value);
  return (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{1} << 63);
}

}  // namespace

TagValue tag_value(const std::uint8_t* aux) noexcept {
  TagValue value;
  if (aux == nullptr) return value;
  if (bam::aux_is_integer(aux)) {
    value.type_class = TagClass::kInteger;
    value.integer = bam::aux_integer(aux);
  } else if (bam::aux_is_real(aux)) {
    value.type_class = TagClass::kReal;
    value.real = bam::aux_real(aux);
  } else if (bam::aux_is_string(aux)) {
    value.type_class = TagClass::kString;
    value.text = reinterpret_cast<const char*>(aux + 1);
  } else if (bam::aux_type(aux) == 'A') {
    value.type_class = TagClass::kChar;
    value.integer = bam::aux_char(aux);
  } else if (bam::aux_type(aux) == 'B') {
    value.type_class = TagClass::kArray;
  }  // find_aux never returns another type; it stays absent
  return value;
}

int compare_tag_values(const TagValue& a, const TagValue& b) noexcept {
  if (a.type_class != b.type_class) {
    if (is_number(a.type_class) && is_number(b.type_class)) {
      return compare_doubles(as_double(a), as_double(b));
    }
    return a.type_class < b.type_class ? -1 : 1;
  }
  switch (a.type_class) {
    case TagClass::kInteger:
    case TagClass::kChar:
      return a.integer < b.integer ? -1 : (a.integer > b.integer ? 1 : 0);
    case TagClass::kReal:
      return compare_doubles(a.real, b.real);
    case TagClass::kString: {
      int order = std::strcmp(a.text, b.text);
      return order < 0 ? -1 : (order > 0 ? 1 : 0);
    }
    case TagClass::kAbsent:
    case TagClass::kArray:
      return 0;
  }
  return 0;
}

int compare_tag_values(const std::uint8_t* aux_a, const std::uint8_t* aux_b) noexcept {
  return compare_tag_values(tag_value(aux_a), tag_value(aux_b));
}

std::size_t tag_encoding_bytes(const TagValue& value) noexcept {
  switch (value.type_class) {
    case TagClass::kAbsent:
    case TagClass::kArray:
      return 1;
    case TagClass::kChar:
      return 2;
    case TagClass::kString:
      return 1 + std::strlen(value.text);
    case TagClass::kInteger:
    case TagClass::kReal:
      return 9;
  }
  return 1;
}

std::size_t encode_tag_value(const TagValue& value, std::uint8_t* out) noexcept {
  out[0] = class_byte(value.type_class);
  switch (value.type_class) {
    case TagClass::kAbsent:
    case TagClass::kArray:
      return 1;
    case TagClass::kChar:
      out[1] = static_cast<std::uint8_t>(value.integer);
      return 2;
    case TagClass::kString: {
      std::size_t length = std::strlen(value.text);
      std::memcpy(out + 1, value.text, length);
      return 1 + length;
    }
    case TagClass::kInteger:
    case TagClass::kReal: {
      std::uint64_t bits = ordered_bits(as_double(value));
      for (int idx = 0; idx < 8; ++idx) {
        out[1 + idx] = static_cast<std::uint8_t>(bits >> (56 - 8 * idx));
      }
      return 9;
    }
  }
  return 1;
}

}  // namespace samsort
