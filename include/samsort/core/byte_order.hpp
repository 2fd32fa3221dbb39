// Little-endian loads and stores of fixed-width integers at unaligned addresses: every
// on-disk integer samsort reads or writes (BGZF, BAM header and records, run files) goes
// through here. memcpy compiles to one plain load or store; a big-endian host byte-swaps.
#pragma once
#include <bit>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace samsort {

namespace byte_order_detail {
template <std::unsigned_integral U>
constexpr U byteswap(U value) noexcept {
  U swapped = 0;
  for (std::size_t byte = 0; byte < sizeof(U); ++byte) {
    swapped = static_cast<U>((swapped << 8) | (value & 0xff));
    value = static_cast<U>(value >> 8);
  }
  return swapped;
}
template <std::unsigned_integral U>
constexpr U to_little(U value) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    return value;
  } else {
    return byteswap(value);
  }
}
}  // namespace byte_order_detail

// The integer T stored little-endian at `at` (any alignment). Signed types read two's
// complement, as BAM stores them.
template <std::integral T>
inline T load_le(const void* at) noexcept {
  std::make_unsigned_t<T> raw;
  std::memcpy(&raw, at, sizeof raw);
  return static_cast<T>(byte_order_detail::to_little(raw));
}

// Stores `value` little-endian at `at` (any alignment).
template <std::integral T>
inline void store_le(void* at, T value) noexcept {
  auto raw = byte_order_detail::to_little(static_cast<std::make_unsigned_t<T>>(value));
  std::memcpy(at, &raw, sizeof raw);
}

inline std::uint16_t load_le16(const void* at) noexcept { return load_le<std::uint16_t>(at); }
inline std::uint32_t load_le32(const void* at) noexcept { return load_le<std::uint32_t>(at); }
inline std::uint64_t load_le64(const void* at) noexcept { return load_le<std::uint64_t>(at); }
inline void store_le16(void* at, std::uint16_t value) noexcept { store_le(at, value); }
inline void store_le32(void* at, std::uint32_t value) noexcept { store_le(at, value); }
inline void store_le64(void* at, std::uint64_t value) noexcept { store_le(at, value); }

}  // namespace samsort
