// Natural and lexicographic name compares and their order-preserving encodings.
#include "samsort/order/name_key.hpp"

#include <algorithm>
#include <cstring>

#include "samsort/bam/bam_record.hpp"

namespace samsort {

namespace {

inline bool is_digit(unsigned char byte) noexcept {
  return static_cast<unsigned char>(byte - '0') < 10;
}

inline std::uint64_t load_be64(const std::uint8_t* bytes) noexcept {
  std::uint64_t value = 0;
  for (int idx = 0; idx < 8; ++idx) value = (value << 8) | bytes[idx];
  return value;
}

}  // namespace

// A line-by-line port of samtools' strnum_cmp (bam_sort.c, 1.23.1 and later).
int natural_compare(const char* a_chars, const char* b_chars) noexcept {
  const auto* a = reinterpret_cast<const unsigned char*>(a_chars);
  const auto* b = reinterpret_cast<const unsigned char*>(b_chars);
  while (*a != 0 && *b != 0) {
    if (!is_digit(*a) || !is_digit(*b)) {
      if (*a != *b) return static_cast<int>(*a) - static_cast<int>(*b);
      ++a;
      ++b;
      continue;
    }
    while (*a == '0') ++a;
    while (*b == '0') ++b;
    while (is_digit(*a) && *a == *b) {
      ++a;
      ++b;
    }
    // First mismatch of two equally long runs decides; a longer run is a larger number.
    int diff = static_cast<int>(*a) - static_cast<int>(*b);
    while (is_digit(*a) && is_digit(*b)) {
      ++a;
      ++b;
    }
    if (is_digit(*a)) return 1;
    if (is_digit(*b)) return -1;
    if (diff != 0) return diff;
  }
  return *a != 0 ? 1 : (*b != 0 ? -1 : 0);
}

int lexicographic_compare(const char* a, const char* b) noexcept {
  // strcmp compares as unsigned char (C11 7.24.4).
  return std::strcmp(a, b);
}

std::size_t encode_natural(const char* name, std::size_t name_bytes, std::uint8_t* out) noexcept {
  const auto* text = reinterpret_cast<const unsigned char*>(name);
  std::size_t in = 0;
  std::size_t written = 0;
  while (in < name_bytes && text[in] != 0) {
    unsigned char byte = text[in];
    if (!is_digit(byte)) {
      out[written++] = byte;
      ++in;
      continue;
    }
    while (in < name_bytes && text[in] == '0') ++in;
    std::size_t digits_at = in;
    while (in < name_bytes && is_digit(text[in])) ++in;
    std::size_t digit_count = in - digits_at;
    if (digit_count <= 8) {
      out[written++] = static_cast<std::uint8_t>('0' + digit_count);
    } else {
      // Never zero: digit_count - 8 is 1..246 for names of at most kMaxReadNameBytes.
      out[written++] = '9';
      out[written++] = static_cast<std::uint8_t>(digit_count - 8);
    }
    std::memcpy(out + written, text + digits_at, digit_count);
    written += digit_count;
  }
  return written;
}

std::size_t encode_lexicographic(const char* name, std::size_t name_bytes,
                                 std::uint8_t* out) noexcept {
  std::size_t length = strnlen(name, name_bytes);
  if (length != 0) std::memcpy(out, name, length);
  return length;
}

int compare_encoded(const std::uint8_t* a, std::size_t a_bytes, const std::uint8_t* b,
                    std::size_t b_bytes) noexcept {
  std::size_t common = std::min(a_bytes, b_bytes);
  int order = common == 0 ? 0 : std::memcmp(a, b, common);
  if (order != 0) return order;
  return a_bytes < b_bytes ? -1 : (a_bytes > b_bytes ? 1 : 0);
}

void load_prefix_be(const std::uint8_t* enc, std::size_t enc_bytes, std::size_t skip,
                    std::uint64_t out[2]) noexcept {
  std::uint8_t window[16] = {};
  if (skip < enc_bytes) {
    std::memcpy(window, enc + skip, std::min<std::size_t>(16, enc_bytes - skip));
  }
  out[0] = load_be64(window);
  out[1] = load_be64(window + 8);
}

std::size_t read_name_length(const std::uint8_t* record) noexcept {
  return strnlen(bam::read_name(record), bam::read_name_bytes(record));
}

}  // namespace samsort
