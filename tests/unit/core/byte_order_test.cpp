#include "samsort/core/byte_order.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace samsort {
namespace {

// Bytes 01 02 .. 09 at an odd offset, so the loads are unaligned.
constexpr std::array<std::uint8_t, 10> kBytes = {0xee, 0x01, 0x02, 0x03, 0x04,
                                                 0x05, 0x06, 0x07, 0x08, 0x09};

TEST(ByteOrder, LoadsLittleEndianAtAnyAlignment) {
  EXPECT_EQ(load_le16(kBytes.data() + 1), 0x0201u);
  EXPECT_EQ(load_le32(kBytes.data() + 1), 0x04030201u);
  EXPECT_EQ(load_le64(kBytes.data() + 1), 0x0807060504030201ull);
  EXPECT_EQ(load_le32(kBytes.data() + 2), 0x05040302u);
}

TEST(ByteOrder, SignedLoadsAreTwosComplement) {
  const std::uint8_t minus_one[4] = {0xff, 0xff, 0xff, 0xff};
  const std::uint8_t minus_two[2] = {0xfe, 0xff};
  EXPECT_EQ(load_le<std::int32_t>(minus_one), -1);
  EXPECT_EQ(load_le<std::int16_t>(minus_two), -2);
  EXPECT_EQ(load_le<std::int32_t>(kBytes.data() + 1), 0x04030201);
}

TEST(ByteOrder, StoresLittleEndianAndRoundTrips) {
  std::array<std::uint8_t, 11> out{};
  store_le16(out.data() + 1, 0xbeef);
  EXPECT_EQ(out[1], 0xef);
  EXPECT_EQ(out[2], 0xbe);
  store_le32(out.data() + 3, 0x11223344u);
  EXPECT_EQ(out[3], 0x44);
  EXPECT_EQ(out[6], 0x11);
  out.fill(0);
  store_le64(out.data() + 1, 0x0102030405060708ull);
  EXPECT_EQ(out[1], 0x08);
  EXPECT_EQ(out[8], 0x01);
  EXPECT_EQ(out[0], 0x00);  // nothing written outside the field
  EXPECT_EQ(out[9], 0x00);
  EXPECT_EQ(load_le64(out.data() + 1), 0x0102030405060708ull);
  store_le<std::int32_t>(out.data() + 2, -5);
  EXPECT_EQ(load_le<std::int32_t>(out.data() + 2), -5);
  EXPECT_EQ(load_le32(out.data() + 2), 0xfffffffbu);
}

TEST(ByteOrder, ByteswapReversesBytes) {
  EXPECT_EQ(byte_order_detail::byteswap<std::uint32_t>(0x01020304u), 0x04030201u);
  EXPECT_EQ(byte_order_detail::byteswap<std::uint16_t>(0x0102), 0x0201);
  static_assert(byte_order_detail::byteswap<std::uint64_t>(0x0102030405060708ull) ==
                0x0807060504030201ull);
}

}  // namespace
}  // namespace samsort
