// bam_aux: finding aux fields like htslib's bam_aux_get, value readers, malformed aux areas.
#include "samsort/bam/bam_aux.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "test_records.hpp"

namespace samsort {
namespace {

using test::Aux;
using test::record_with_aux;

std::vector<std::uint8_t> all_types_record() {
  Aux aux;
  aux.character("XA", 'q')
      .integer("Xc", 'c', -5)
      .integer("XC", 'C', 255)
      .integer("Xs", 's', -30000)
      .integer("XS", 'S', 65535)
      .integer("Xi", 'i', -2000000000)
      .integer("XI", 'I', 4000000000)
      .real("Xf", 1.5f)
      .real64("Xd", 0.1)
      .text("XZ", "hello")
      .text("XH", "1AFF", 'H')
      .array("XB", 's', {-1, 2, 300})
      .text("XE", "");
  return record_with_aux(aux.bytes());
}

TEST(BamAux, FindsEveryTypeAndReadsItsValue) {
  std::vector<std::uint8_t> record = all_types_record();
  const std::uint8_t* rec = record.data();

  const std::uint8_t* field = bam::find_aux(rec, "XA");
  ASSERT_NE(field, nullptr);
  EXPECT_EQ(bam::aux_type(field), 'A');
  EXPECT_EQ(bam::aux_char(field), 'q');

  struct IntegerCase {
    const char* tag;
    char type;
    std::int64_t value;
  };
  for (const IntegerCase& expected :
       {IntegerCase{"Xc", 'c', -5}, IntegerCase{"XC", 'C', 255}, IntegerCase{"Xs", 's', -30000},
        IntegerCase{"XS", 'S', 65535}, IntegerCase{"Xi", 'i', -2000000000},
        IntegerCase{"XI", 'I', 4000000000}}) {
    field = bam::find_aux(rec, expected.tag);
    ASSERT_NE(field, nullptr) << expected.tag;
    EXPECT_EQ(bam::aux_type(field), expected.type);
    EXPECT_TRUE(bam::aux_is_integer(field));
    EXPECT_EQ(bam::aux_integer(field), expected.value) << expected.tag;
    EXPECT_EQ(bam::aux_real(field), static_cast<double>(expected.value));
  }

  field = bam::find_aux(rec, "Xf");
  ASSERT_NE(field, nullptr);
  EXPECT_TRUE(bam::aux_is_real(field));
  EXPECT_EQ(bam::aux_real(field), 1.5);

  field = bam::find_aux(rec, "Xd");
  ASSERT_NE(field, nullptr);
  EXPECT_TRUE(bam::aux_is_real(field));
  EXPECT_EQ(bam::aux_real(field), 0.1);

  field = bam::find_aux(rec, "XZ");
  ASSERT_NE(field, nullptr);
  EXPECT_TRUE(bam::aux_is_string(field));
  EXPECT_EQ(bam::aux_string(field), "hello");

  field = bam::find_aux(rec, "XH");
  ASSERT_NE(field, nullptr);
  EXPECT_TRUE(bam::aux_is_string(field));
  EXPECT_EQ(bam::aux_string(field), "1AFF");

  field = bam::find_aux(rec, "XB");
  ASSERT_NE(field, nullptr);
  EXPECT_EQ(bam::aux_type(field), 'B');
  EXPECT_EQ(bam::aux_array_type(field), 's');
  EXPECT_EQ(bam::aux_array_count(field), 3u);
  std::int16_t third;
  std::memcpy(&third, bam::aux_array_data(field) + 4, 2);
  EXPECT_EQ(third, 300);

  field = bam::find_aux(rec, "XE");
  ASSERT_NE(field, nullptr);
  EXPECT_EQ(bam::aux_string(field), "");

  EXPECT_EQ(bam::find_aux(rec, "ZZ"), nullptr);
  EXPECT_EQ(bam::find_aux(rec, "xa"), nullptr);  // tags are case-sensitive
}

TEST(BamAux, ReadersFallBackOnOtherTypes) {
  std::vector<std::uint8_t> record = all_types_record();
  const std::uint8_t* text = bam::find_aux(record.data(), "XZ");
  EXPECT_EQ(bam::aux_integer(text), 0);
  EXPECT_EQ(bam::aux_char(text), 0);
  EXPECT_FALSE(bam::aux_is_integer(text));
  const std::uint8_t* number = bam::find_aux(record.data(), "Xi");
  EXPECT_EQ(bam::aux_string(number), "");
}

TEST(BamAux, FirstOccurrenceWins) {
  std::vector<std::uint8_t> record =
      record_with_aux(Aux().text("RG", "first").integer("RG", 'i', 7).text("RG", "third").bytes());
  const std::uint8_t* field = bam::find_aux(record.data(), "RG");
  ASSERT_NE(field, nullptr);
  EXPECT_EQ(bam::aux_string(field), "first");
}

TEST(BamAux, EmptyAndTinyAuxAreas) {
  EXPECT_EQ(bam::find_aux(record_with_aux({}).data(), "XX"), nullptr);
  // One or two stray bytes after the last field are ignored, as by htslib.
  std::vector<std::uint8_t> record =
      record_with_aux(Aux().integer("XX", 'C', 1).raw({'Y', 'Y'}).bytes());
  EXPECT_NE(bam::find_aux(record.data(), "XX"), nullptr);
  EXPECT_EQ(bam::find_aux(record.data(), "YY"), nullptr);
  // Three bytes make a field header; a fixed type then needs its value.
  record = record_with_aux(Aux().raw({'Y', 'Y', 'A'}).bytes());
  EXPECT_EQ(bam::find_aux(record.data(), "YY"), nullptr);
  record = record_with_aux(Aux().raw({'Y', 'Y', 'A', 'z'}).bytes());
  ASSERT_NE(bam::find_aux(record.data(), "YY"), nullptr);
}

TEST(BamAux, MalformedFieldEndsTheWalk) {
  // An unknown type: fields before it are found, it and everything after it are not.
  std::vector<std::uint8_t> record = record_with_aux(
      Aux().integer("AA", 'i', 1).raw({'B', 'B', 'q', 0, 0, 0, 0}).integer("CC", 'i', 3).bytes());
  EXPECT_NE(bam::find_aux(record.data(), "AA"), nullptr);
  EXPECT_EQ(bam::find_aux(record.data(), "BB"), nullptr);
  EXPECT_EQ(bam::find_aux(record.data(), "CC"), nullptr);

  // A NUL type byte is unknown too.
  record = record_with_aux(Aux().raw({'B', 'B', 0, 1}).integer("CC", 'i', 3).bytes());
  EXPECT_EQ(bam::find_aux(record.data(), "CC"), nullptr);
}

TEST(BamAux, TruncatedValuesAreNotReturned) {
  for (char type : {'c', 's', 'i', 'I', 'f', 'd'}) {
    std::vector<std::uint8_t> field = {'T', 'T', static_cast<std::uint8_t>(type), 1};
    std::vector<std::uint8_t> record = record_with_aux(Aux().text("OK", "x").raw(field).bytes());
    bool fits = type == 'c';
    EXPECT_EQ(bam::find_aux(record.data(), "TT") != nullptr, fits) << type;
    EXPECT_NE(bam::find_aux(record.data(), "OK"), nullptr);
  }
}

TEST(BamAux, UnterminatedStringRunsToTheEnd) {
  std::vector<std::uint8_t> record =
      record_with_aux(Aux().integer("AA", 'i', 1).raw({'Z', 'Z', 'Z', 'a', 'b', 'c'}).bytes());
  EXPECT_NE(bam::find_aux(record.data(), "AA"), nullptr);
  EXPECT_EQ(bam::find_aux(record.data(), "ZZ"), nullptr);
  EXPECT_EQ(bam::find_aux(record.data(), "QQ"), nullptr);
  // An empty unterminated value is also incomplete.
  record = record_with_aux(Aux().raw({'Z', 'Z', 'H'}).bytes());
  EXPECT_EQ(bam::find_aux(record.data(), "ZZ"), nullptr);
}

TEST(BamAux, ArraysAreChecked) {
  // Truncated array header.
  std::vector<std::uint8_t> record = record_with_aux(Aux().raw({'B', 'B', 'B', 'i', 1, 0}).bytes());
  EXPECT_EQ(bam::find_aux(record.data(), "BB"), nullptr);
  // Count larger than the data (and one that would overflow 32-bit arithmetic).
  record = record_with_aux(Aux().raw({'B', 'B', 'B', 'i', 2, 0, 0, 0, 1, 0, 0, 0}).bytes());
  EXPECT_EQ(bam::find_aux(record.data(), "BB"), nullptr);
  record = record_with_aux(
      Aux().raw({'B', 'B', 'B', 'i', 1, 0, 0, 0x40, 1, 0, 0, 0}).integer("CC", 'C', 1).bytes());
  EXPECT_EQ(bam::find_aux(record.data(), "BB"), nullptr);
  EXPECT_EQ(bam::find_aux(record.data(), "CC"), nullptr);
  // Unknown element type.
  record = record_with_aux(Aux().raw({'B', 'B', 'B', 'q', 0, 0, 0, 0}).bytes());
  EXPECT_EQ(bam::find_aux(record.data(), "BB"), nullptr);
  // An empty array is fine, and the walk continues after it.
  record = record_with_aux(Aux().array("BB", 'I', {}).integer("CC", 'C', 9).bytes());
  EXPECT_NE(bam::find_aux(record.data(), "BB"), nullptr);
  const std::uint8_t* after = bam::find_aux(record.data(), "CC");
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(bam::aux_integer(after), 9);
}

TEST(BamAux, RecordWhoseFieldsOverrunHasNoAux) {
  test::RecordSpec rec;
  rec.seq_length = 4;
  rec.aux = Aux().integer("XX", 'C', 1).bytes();
  std::vector<std::uint8_t> record = test::make_record(rec);
  ASSERT_NE(bam::find_aux(record.data(), "XX"), nullptr);
  // Claim a longer sequence than the record holds.
  std::int32_t too_long = 1000;
  std::memcpy(record.data() + 20, &too_long, 4);
  EXPECT_EQ(bam::aux_offset(record.data()), bam::record_bytes(record.data()));
  EXPECT_EQ(bam::find_aux(record.data(), "XX"), nullptr);
  std::int32_t negative = -1;
  std::memcpy(record.data() + 20, &negative, 4);
  EXPECT_EQ(bam::find_aux(record.data(), "XX"), nullptr);
}

TEST(BamAux, AuxOffsetCountsEveryVariableField) {
  test::RecordSpec rec;
  rec.name = "abc";
  rec.cigar = test::parse_cigar("3M2S");
  rec.seq_length = test::kSeqFromCigar;
  rec.aux = Aux().integer("XX", 'C', 1).bytes();
  std::vector<std::uint8_t> record = test::make_record(rec);
  // 36 fixed + 4 name + 8 CIGAR + 3 packed bases + 5 qualities.
  EXPECT_EQ(bam::aux_offset(record.data()), 36u + 4 + 8 + 3 + 5);
  EXPECT_EQ(bam::find_aux(record.data(), "XX"), record.data() + 56 + 2);
}

// find_aux_fields must agree with find_aux on every tag, whatever the bytes.
TEST(BamAux, ManyTagWalkAgreesWithSingleWalkOnRandomAreas) {
  std::mt19937_64 random(20240611);
  const char tags[] = "RGMCCBMIXXRG";  // RG twice on purpose
  const std::vector<std::uint8_t> type_pool = {'A', 'c', 'C', 's', 'S', 'i', 'I',
                                               'f', 'd', 'Z', 'H', 'B', 'q', 0};
  for (int trial = 0; trial < 20000; ++trial) {
    std::vector<std::uint8_t> aux;
    int fields = static_cast<int>(random() % 6);
    for (int idx = 0; idx < fields; ++idx) {
      std::size_t pick = random() % 5;
      aux.push_back(static_cast<std::uint8_t>(tags[2 * pick]));
      aux.push_back(static_cast<std::uint8_t>(tags[2 * pick + 1]));
      aux.push_back(type_pool[random() % type_pool.size()]);
      std::size_t value_bytes = random() % 9;
      for (std::size_t byte = 0; byte < value_bytes; ++byte) {
        aux.push_back(random() % 4 == 0 ? 0 : static_cast<std::uint8_t>(random() % 8));
      }
    }
    std::vector<std::uint8_t> record = record_with_aux(aux);
    const std::uint8_t* found[6];
    bam::find_aux_fields(record.data(), tags, 6, found);
    for (int idx = 0; idx < 6; ++idx) {
      const std::uint8_t* single = bam::find_aux(record.data(), tags + 2 * idx);
      ASSERT_EQ(found[idx], single) << "trial " << trial << " tag " << idx;
      if (single != nullptr) {
        // What is returned lies inside the record, strings terminated inside it.
        ASSERT_LT(single, record.data() + record.size());
        if (bam::aux_is_string(single)) {
          ASSERT_NE(std::memchr(single + 1, 0, record.data() + record.size() - single - 1),
                    nullptr);
        }
      }
    }
  }
}

}  // namespace
}  // namespace samsort
