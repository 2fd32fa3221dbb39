// The FLAG bits of a BAM record (SAM spec 1.4, column 2; htslib's BAM_F*).
#pragma once
#include <cstdint>

namespace samsort::bam {

inline constexpr std::uint16_t kPaired = 0x1;
inline constexpr std::uint16_t kProperPair = 0x2;
inline constexpr std::uint16_t kUnmapped = 0x4;
inline constexpr std::uint16_t kMateUnmapped = 0x8;
inline constexpr std::uint16_t kReverse = 0x10;
inline constexpr std::uint16_t kMateReverse = 0x20;
inline constexpr std::uint16_t kRead1 = 0x40;
inline constexpr std::uint16_t kRead2 = 0x80;
inline constexpr std::uint16_t kSecondary = 0x100;
inline constexpr std::uint16_t kQcFail = 0x200;
inline constexpr std::uint16_t kDuplicate = 0x400;
inline constexpr std::uint16_t kSupplementary = 0x800;

// True when any bit of `bits` is set in `flag`.
constexpr bool has_flag(std::uint16_t flag, std::uint16_t bits) noexcept {
  return (flag & bits) != 0;
}

}  // namespace samsort::bam
