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
