// XXH64 for the record checksum, written from the xxHash specification
// (https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md).
#include "samsort/bam/record_checksum.hpp"

#include "samsort/core/byte_order.hpp"

namespace samsort {

namespace {

constexpr std::uint64_t kPrime1 = 0x9E3779B185EBCA87ULL;
constexpr std::uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;
constexpr std::uint64_t kPrime3 = 0x165667B19E3779F9ULL;
constexpr std::uint64_t kPrime4 = 0x85EBCA77C2B2AE63ULL;
constexpr std::uint64_t kPrime5 = 0x27D4EB2F165667C5ULL;

inline std::uint64_t rotl(std::uint64_t value, int bits) noexcept {
  return (value << bits) | (value >> (64 - bits));
}
inline std::uint64_t round(std::uint64_t acc, std::uint64_t lane) noexcept {
  return rotl(acc + lane * kPrime2, 31) * kPrime1;
}
inline std::uint64_t merge(std::uint64_t acc, std::uint64_t value) noexcept {
  return (acc ^ round(0, value)) * kPrime1 + kPrime4;
}

}  // namespace

std::uint64_t xxh64(const std::uint8_t* data, std::size_t bytes) noexcept {
  const std::uint8_t* at = data;
  const std::uint8_t* end = data + bytes;
  std::uint64_t hash;
  if (bytes >= 32) {
    std::uint64_t acc1 = kPrime1 + kPrime2;
    std::uint64_t acc2 = kPrime2;
    std::uint64_t acc3 = 0;
    std::uint64_t acc4 = 0 - kPrime1;
    do {
      acc1 = round(acc1, load_le64(at));
      acc2 = round(acc2, load_le64(at + 8));
      acc3 = round(acc3, load_le64(at + 16));
      acc4 = round(acc4, load_le64(at + 24));
      at += 32;
    } while (end - at >= 32);
    hash = rotl(acc1, 1) + rotl(acc2, 7) + rotl(acc3, 12) + rotl(acc4, 18);
    hash = merge(hash, acc1);
    hash = merge(hash, acc2);
    hash = merge(hash, acc3);
    hash = merge(hash, acc4);
  } else {
    hash = kPrime5;
  }
  hash += bytes;
  while (end - at >= 8) {
    hash = rotl(hash ^ round(0, load_le64(at)), 27) * kPrime1 + kPrime4;
    at += 8;
  }
  if (end - at >= 4) {
    hash = rotl(hash ^ (std::uint64_t{load_le32(at)} * kPrime1), 23) * kPrime2 + kPrime3;
    at += 4;
  }
  while (at < end) {
    hash = rotl(hash ^ (std::uint64_t{*at} * kPrime5), 11) * kPrime1;
    ++at;
  }
  hash ^= hash >> 33;
  hash *= kPrime2;
  hash ^= hash >> 29;
  hash *= kPrime3;
  hash ^= hash >> 32;
  return hash;
}

}  // namespace samsort
