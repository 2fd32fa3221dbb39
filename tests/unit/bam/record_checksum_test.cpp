// RecordChecksum: XXH64 against the reference vectors, and the multiset properties the
// end-of-sort check relies on.
#include "samsort/bam/record_checksum.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace samsort {
namespace {

std::uint64_t hash_of(const std::string& text) {
  return xxh64(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

TEST(Xxh64Test, MatchesReferenceVectors) {
  EXPECT_EQ(hash_of(""), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(hash_of("abc"), 0x44BC2CF5AD770999ULL);
}

// Inputs of 32 bytes and more go through XXH64's four-lane stripe loop, then the tail in 8-,
// 4- and 1-byte steps. Expected values from python3-xxhash 3.2.0 (Debian 12), cross-checked
// with `xxhsum -H1` 0.8.1: byte idx of the pattern is (idx * 7) mod 256.
TEST(Xxh64Test, MatchesReferenceVectorsOver32Bytes) {
  struct Vector {
    std::size_t length;
    std::uint64_t hash;
  };
  const Vector vectors[] = {
      {32, 0x91B0CB0931A8C629ULL},  {33, 0x931B043CF8D65B94ULL},   {63, 0x219110BF13E2FA26ULL},
      {64, 0xBF3052E3445775D0ULL},  {65, 0xED65E3510DF3611DULL},   {100, 0x8E2272C08247D5DBULL},
      {200, 0x6DAAA52505587DD5ULL}, {1000, 0x25275608A9CFC168ULL},
  };
  for (const Vector& vector : vectors) {
    std::vector<std::uint8_t> bytes(vector.length);
    for (std::size_t idx = 0; idx < bytes.size(); ++idx) {
      bytes[idx] = static_cast<std::uint8_t>(idx * 7);
    }
    EXPECT_EQ(xxh64(bytes.data(), bytes.size()), vector.hash) << vector.length << " bytes";
  }
  EXPECT_EQ(hash_of("The quick brown fox jumps over the lazy dog, twice over."),
            0xFB9F56CED8AD4FC4ULL);
}

TEST(Xxh64Test, EveryLengthAndEveryByteMatters) {
  std::vector<std::uint8_t> bytes(200);
  for (std::size_t idx = 0; idx < bytes.size(); ++idx)
    bytes[idx] = static_cast<std::uint8_t>(idx * 7);
  std::vector<std::uint64_t> seen;
  for (std::size_t length = 0; length <= bytes.size(); ++length) {
    seen.push_back(xxh64(bytes.data(), length));
  }
  for (std::size_t flip = 0; flip < bytes.size(); ++flip) {
    bytes[flip] ^= 1;
    seen.push_back(xxh64(bytes.data(), bytes.size()));
    bytes[flip] ^= 1;
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());
}

TEST(RecordChecksumTest, OrderIndependentButSensitiveToLossDuplicationAndDamage) {
  std::vector<std::string> records = {"record one", "a second record, longer than 32 bytes!", "3",
                                      "record one"};
  auto add = [](RecordChecksum& sum, const std::string& text) {
    sum.add(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  };
  RecordChecksum forward;
  RecordChecksum backward;
  for (const auto& record : records) add(forward, record);
  for (auto it = records.rbegin(); it != records.rend(); ++it) add(backward, *it);
  EXPECT_TRUE(forward == backward);
  EXPECT_EQ(forward.count(), 4u);

  RecordChecksum lost;
  for (std::size_t idx = 0; idx + 1 < records.size(); ++idx) add(lost, records[idx]);
  EXPECT_FALSE(lost == forward);

  RecordChecksum damaged;
  for (const auto& record : records) add(damaged, record == "3" ? std::string("4") : record);
  EXPECT_FALSE(damaged == forward);
  EXPECT_EQ(damaged.count(), forward.count());
  EXPECT_NE(damaged.value(), forward.value());
}

}  // namespace
}  // namespace samsort
