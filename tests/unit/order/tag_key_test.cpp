// tag_key: samtools' -t TAG value order (absent first, type normalisation, class order,
// float32 values as doubles) and the order-preserving tag encoding.
#include "samsort/order/tag_key.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>
#include <vector>

#include "samsort/bam/bam_aux.hpp"
#include "samsort/order/name_key.hpp"
#include "test_records.hpp"

namespace samsort {
namespace {

using test::Aux;

int sign(int value) { return (value > 0) - (value < 0); }

// A record whose aux holds `aux` (expected to carry XT, or not).
struct TagRecord {
  std::vector<std::uint8_t> bytes;
  explicit TagRecord(const Aux& aux) : bytes(test::record_with_aux(aux.bytes())) {}
  const std::uint8_t* xt() const { return bam::find_aux(bytes.data(), "XT"); }
};

int compare(const Aux& a, const Aux& b) {
  TagRecord ra(a);
  TagRecord rb(b);
  return sign(compare_tag_values(ra.xt(), rb.xt()));
}

TEST(TagKey, AbsentSortsFirst) {
  Aux none = Aux().integer("XU", 'i', 1);
  Aux low = Aux().integer("XT", 'i', -1000000);
  EXPECT_EQ(compare(none, low), -1);
  EXPECT_EQ(compare(low, none), 1);
  EXPECT_EQ(compare(none, Aux()), 0);  // both absent: the secondary key decides
}

TEST(TagKey, OnlyTheFirstFieldCounts) {
  Aux a = Aux().integer("XT", 'i', 5).integer("XT", 'i', 1);
  Aux b = Aux().integer("XT", 'i', 5).integer("XT", 'i', 9);
  EXPECT_EQ(compare(a, b), 0);
}

TEST(TagKey, IntegersOfAnyWidthCompareAsInt64) {
  EXPECT_EQ(compare(Aux().integer("XT", 'c', -5), Aux().integer("XT", 'I', 4000000000)), -1);
  EXPECT_EQ(compare(Aux().integer("XT", 'C', 200), Aux().integer("XT", 's', 200)), 0);
  EXPECT_EQ(compare(Aux().integer("XT", 'i', -2147483648LL), Aux().integer("XT", 'c', -128)), -1);
  EXPECT_EQ(compare(Aux().integer("XT", 'S', 65535), Aux().integer("XT", 'i', 65536)), -1);
}

TEST(TagKey, IntegerAgainstFloatComparesAsDouble) {
  EXPECT_EQ(compare(Aux().integer("XT", 'i', 2), Aux().real("XT", 1.5f)), 1);
  EXPECT_EQ(compare(Aux().integer("XT", 'i', 7), Aux().real("XT", 7.0f)), 0);
  EXPECT_EQ(compare(Aux().real("XT", -2.0f), Aux().integer("XT", 'c', -1)), -1);
  EXPECT_EQ(compare(Aux().real("XT", 1e3f), Aux().integer("XT", 'I', 4000000000)), -1);
  // A float is compared as the double of the stored float32: 16777217 is stored as 16777216.
  EXPECT_EQ(compare(Aux().real("XT", 16777217.0f), Aux().integer("XT", 'i', 16777216)), 0);
  EXPECT_EQ(compare(Aux().real("XT", 16777217.0f), Aux().integer("XT", 'i', 16777217)), -1);
  // float32(0.1) > 0.1: the 'd' value (an htslib extension) stays a double.
  EXPECT_EQ(compare(Aux().real("XT", 0.1f), Aux().real64("XT", 0.1)), 1);
  EXPECT_EQ(compare(Aux().real("XT", 3.25f), Aux().real64("XT", 3.25)), 0);
}

TEST(TagKey, FloatsInOrderWithNanLast) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(compare(Aux().real("XT", -inf), Aux().real("XT", -1e30f)), -1);
  EXPECT_EQ(compare(Aux().real("XT", -0.0f), Aux().real("XT", 0.0f)), 0);
  EXPECT_EQ(compare(Aux().real("XT", inf), Aux().real("XT", nan)), -1);
  EXPECT_EQ(compare(Aux().real("XT", nan), Aux().integer("XT", 'i', 5)), 1);
  EXPECT_EQ(compare(Aux().real("XT", nan), Aux().real("XT", nan)), 0);
}

TEST(TagKey, CharsAsUnsignedBytes) {
  EXPECT_EQ(compare(Aux().character("XT", 'B'), Aux().character("XT", 'a')), -1);
  EXPECT_EQ(compare(Aux().character("XT", '!'), Aux().character("XT", 'z')), -1);
  EXPECT_EQ(compare(Aux().character("XT", '\xff'), Aux().character("XT", 'z')), 1);
  EXPECT_EQ(compare(Aux().character("XT", 'q'), Aux().character("XT", 'q')), 0);
}

TEST(TagKey, StringsByStrcmpWithZAndHAlike) {
  EXPECT_EQ(compare(Aux().text("XT", "a10"), Aux().text("XT", "a9")), -1);  // never natural
  EXPECT_EQ(compare(Aux().text("XT", ""), Aux().text("XT", " ")), -1);
  EXPECT_EQ(compare(Aux().text("XT", "a"), Aux().text("XT", "ab")), -1);
  EXPECT_EQ(compare(Aux().text("XT", "FF", 'H'), Aux().text("XT", "FF")), 0);
  EXPECT_EQ(compare(Aux().text("XT", "00", 'H'), Aux().text("XT", "1A", 'H')), -1);
  EXPECT_EQ(compare(Aux().text("XT", "\xe9"), Aux().text("XT", "z")), 1);  // unsigned
}

TEST(TagKey, ArraysAreAllEqual) {
  EXPECT_EQ(compare(Aux().array("XT", 'c', {-5, 1}), Aux().array("XT", 'I', {1, 2, 3})), 0);
  EXPECT_EQ(compare(Aux().array("XT", 'c', {}), Aux().array("XT", 'c', {9})), 0);
}

TEST(TagKey, TypeClassOrderOnMismatch) {
  // A < B < string < number, whatever the values.
  const std::vector<Aux> ascending = {
      Aux().character("XT", '\xff'),
      Aux().array("XT", 'c', {100}),
      Aux().text("XT", "\xff\xff"),
      Aux().integer("XT", 'i', -2000000000),
  };
  for (std::size_t low = 0; low < ascending.size(); ++low) {
    for (std::size_t high = low + 1; high < ascending.size(); ++high) {
      EXPECT_EQ(compare(ascending[low], ascending[high]), -1) << low << " " << high;
      EXPECT_EQ(compare(ascending[high], ascending[low]), 1) << low << " " << high;
    }
  }
  EXPECT_EQ(compare(Aux().text("XT", "zzz", 'H'), Aux().real("XT", -1e30f)), -1);
  EXPECT_EQ(compare(Aux().character("XT", 'z'), Aux().text("XT", "", 'H')), -1);
}

TEST(TagKey, ValueNormalisation) {
  TagRecord integer(Aux().integer("XT", 'I', 4000000000));
  TagValue value = tag_value(integer.xt());
  EXPECT_EQ(value.type_class, TagClass::kInteger);
  EXPECT_EQ(value.integer, 4000000000);
  TagRecord text(Aux().text("XT", "abc", 'H'));
  value = tag_value(text.xt());
  EXPECT_EQ(value.type_class, TagClass::kString);
  EXPECT_STREQ(value.text, "abc");
  TagRecord character(Aux().character("XT", '\xf0'));
  value = tag_value(character.xt());
  EXPECT_EQ(value.type_class, TagClass::kChar);
  EXPECT_EQ(value.integer, 0xf0);
  EXPECT_EQ(tag_value(nullptr).type_class, TagClass::kAbsent);
}

// A pool of values of every class, duplicates included, for the property tests.
std::vector<Aux> value_pool(std::mt19937_64& random) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<Aux> pool = {
      Aux(),
      Aux().real("XT", nan),
      Aux().real("XT", -0.0f),
      Aux().real("XT", std::numeric_limits<float>::infinity()),
      Aux().real("XT", -std::numeric_limits<float>::infinity()),
      Aux().real64("XT", 0.1),
      Aux().real64("XT", std::nan("")),
      Aux().character("XT", '\0'),
      Aux().text("XT", ""),
      Aux().text("XT", "", 'H'),
      Aux().array("XT", 'i', {}),
  };
  const std::vector<std::string> texts = {"a", "b", "a10", "a9", " ", "1A", "FF", "00", "ab"};
  const char int_types[] = {'c', 'C', 's', 'S', 'i', 'I'};
  for (int idx = 0; idx < 300; ++idx) {
    switch (random() % 6) {
      case 0: {
        char type = int_types[random() % 6];
        std::int64_t value = static_cast<std::int64_t>(random() % 601) - 300;
        if (type == 'C' || type == 'S' || type == 'I') value = std::abs(value);
        if (type == 'c') value = std::clamp<std::int64_t>(value, -128, 127);
        if (type == 'C') value = std::min<std::int64_t>(value, 255);
        if (random() % 10 == 0 && type == 'I') value = 4000000000;
        pool.push_back(Aux().integer("XT", type, value));
        break;
      }
      case 1: {
        const float reals[] = {1.5f, -2.0f, 0.1f, 7.0f, 3.25f, 1e3f, -300.0f, 0.0f};
        pool.push_back(Aux().real("XT", reals[random() % 8]));
        break;
      }
      case 2:
        pool.push_back(
            Aux().text("XT", texts[random() % texts.size()], random() % 2 == 0 ? 'Z' : 'H'));
        break;
      case 3:
        pool.push_back(Aux().character("XT", "aBz!\xff"[random() % 5]));
        break;
      case 4:
        pool.push_back(Aux().array("XT", 'c', {static_cast<std::int64_t>(random() % 11) - 5, 1}));
        break;
      default:
        pool.push_back(Aux().integer("XU", 'i', 1));  // XT absent
        break;
    }
  }
  return pool;
}

TEST(TagKey, CompareIsATotalOrder) {
  std::mt19937_64 random(5);
  std::vector<TagRecord> records;
  for (const Aux& aux : value_pool(random)) records.emplace_back(aux);
  std::vector<TagValue> values;
  for (const TagRecord& record : records) values.push_back(tag_value(record.xt()));
  for (const TagValue& a : values) {
    for (const TagValue& b : values) {
      int ab = compare_tag_values(a, b);
      ASSERT_EQ(ab, -compare_tag_values(b, a));
      if (ab > 0) continue;
      for (std::size_t idx = 0; idx < values.size(); idx += 7) {
        const TagValue& c = values[idx];
        int bc = compare_tag_values(b, c);
        if (bc <= 0) {
          int ac = compare_tag_values(a, c);
          ASSERT_LE(ac, 0);
          if (ab < 0 || bc < 0) {
            ASSERT_LT(ac, 0);
          }
        }
      }
    }
  }
}

TEST(TagKey, EncodingOrdersLikeCompare) {
  std::mt19937_64 random(9);
  std::vector<TagRecord> records;
  for (const Aux& aux : value_pool(random)) records.emplace_back(aux);
  std::vector<std::vector<std::uint8_t>> encodings;
  std::vector<TagValue> values;
  for (const TagRecord& record : records) {
    TagValue value = tag_value(record.xt());
    std::vector<std::uint8_t> encoding(tag_encoding_bytes(value));
    ASSERT_EQ(encode_tag_value(value, encoding.data()), encoding.size());
    values.push_back(value);
    encodings.push_back(encoding);
  }
  for (std::size_t a = 0; a < values.size(); ++a) {
    for (std::size_t b = 0; b < values.size(); ++b) {
      int expected = compare_tag_values(values[a], values[b]);
      int encoded = sign(compare_encoded(encodings[a].data(), encodings[a].size(),
                                         encodings[b].data(), encodings[b].size()));
      ASSERT_EQ(encoded, expected) << a << " " << b;
    }
  }
}

}  // namespace
}  // namespace samsort
