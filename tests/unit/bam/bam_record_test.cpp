// Raw BAM record field accessors and check_record: sane records pass; each structural defect
// (lengths, overruns, reference ids, missing NUL) is named. refresh_bin agrees with htslib.
#include "samsort/bam/bam_record.hpp"

#include <gtest/gtest.h>
#include <htslib/hts.h>

#include <limits>
#include <string>
#include <vector>

#include "samsort/core/byte_order.hpp"
#include "test_records.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

constexpr std::int32_t kReferences = 5;

std::string problem(const std::vector<std::uint8_t>& record,
                    std::int32_t references = kReferences) {
  const char* text = bam::check_record(record.data(), references);
  return text == nullptr ? "" : text;
}

test::RecordSpec full_spec() {
  test::RecordSpec spec;
  spec.name = "read/1";
  spec.tid = 2;
  spec.pos = 12345;
  spec.flag = 0x63;
  spec.seq_length = 7;
  spec.cigar = {(5u << 4) | 0, (2u << 4) | 4};
  spec.aux = {'N', 'M', 'C', 1};
  spec.mate_tid = 2;
  spec.mate_pos = 12400;
  spec.template_length = 150;
  return spec;
}

TEST(BamRecordTest, AccessorsReadTheFixedFields) {
  std::vector<std::uint8_t> record = test::make_record(full_spec());
  // 32 fixed + 7 name + 8 cigar + 4 seq + 7 qual + 4 aux
  EXPECT_EQ(record.size(), 4u + 32 + 7 + 8 + 4 + 7 + 4);
  EXPECT_EQ(bam::record_bytes(record.data()), record.size());
  EXPECT_EQ(bam::ref_id(record.data()), 2);
  EXPECT_EQ(bam::pos(record.data()), 12345);
  EXPECT_EQ(bam::read_name_bytes(record.data()), 7);
  EXPECT_EQ(bam::cigar_op_count(record.data()), 2);
  EXPECT_EQ(bam::flag(record.data()), 0x63);
  EXPECT_EQ(bam::seq_length(record.data()), 7);
  EXPECT_EQ(bam::mate_ref_id(record.data()), 2);
  EXPECT_STREQ(bam::read_name(record.data()), "read/1");
}

TEST(BamRecordTest, SaneRecordsPass) {
  EXPECT_EQ(problem(test::make_record(full_spec())), "");
  EXPECT_EQ(problem(test::make_record("r", 0, 0)), "");
  EXPECT_EQ(problem(test::make_record("r", kReferences - 1, 2000000000, 0x10, 151)), "");
  EXPECT_EQ(problem(test::make_record("unmapped", -1, -1, 0x4, 50)), "");
  EXPECT_EQ(problem(test::make_record("no_refs", -1, -1, 0x4), 0), "");
  EXPECT_EQ(problem(test::make_record("odd", 1, 5, 0, 1)), "");
  // Aux data beyond the sequence is allowed (it is not parsed here).
  EXPECT_EQ(problem(test::make_record("aux", 1, 5, 0, 3, std::vector<std::uint8_t>(1000, 'x'))),
            "");
}

TEST(BamRecordTest, ZeroNameLengthIsRefused) {
  std::vector<std::uint8_t> record = test::make_record("r", 0, 0);
  test::store_u8(record, test::kNameBytesAt, 0);
  EXPECT_TRUE(test::contains(problem(record), "l_read_name")) << problem(record);
}

TEST(BamRecordTest, NegativeSequenceLengthIsRefused) {
  std::vector<std::uint8_t> record = test::make_record("r", 0, 0, 0, 10);
  test::store_i32(record, test::kSeqLengthAt, -1);
  EXPECT_TRUE(test::contains(problem(record), "negative l_seq")) << problem(record);
  test::store_i32(record, test::kSeqLengthAt, std::numeric_limits<std::int32_t>::min());
  EXPECT_TRUE(test::contains(problem(record), "negative l_seq")) << problem(record);
}

TEST(BamRecordTest, FieldsOverrunningBlockSizeAreRefused) {
  std::vector<std::uint8_t> exact = test::make_record("name", 0, 0, 0, 9);
  std::uint32_t block_size = static_cast<std::uint32_t>(exact.size() - 4);
  std::vector<std::uint8_t> short_block = exact;
  test::store_u32(short_block, test::kBlockSizeAt, block_size - 1);
  EXPECT_TRUE(test::contains(problem(short_block), "overrun")) << problem(short_block);

  std::vector<std::uint8_t> long_seq = exact;
  test::store_i32(long_seq, test::kSeqLengthAt, 10);  // 5 + 10 bytes instead of 5 + 9
  EXPECT_TRUE(test::contains(problem(long_seq), "overrun")) << problem(long_seq);

  std::vector<std::uint8_t> huge_seq = exact;
  test::store_i32(huge_seq, test::kSeqLengthAt, std::numeric_limits<std::int32_t>::max());
  EXPECT_TRUE(test::contains(problem(huge_seq), "overrun")) << problem(huge_seq);

  std::vector<std::uint8_t> cigar = exact;
  test::store_u16(cigar, test::kCigarCountAt, 1);
  EXPECT_TRUE(test::contains(problem(cigar), "overrun")) << problem(cigar);

  std::vector<std::uint8_t> name = exact;
  test::store_u8(name, test::kNameBytesAt, 255);
  EXPECT_TRUE(test::contains(problem(name), "overrun")) << problem(name);
}

TEST(BamRecordTest, BlockSizeShorterThanFixedFieldsIsRefused) {
  std::vector<std::uint8_t> record = test::make_record("r", 0, 0);
  test::store_u32(record, test::kBlockSizeAt, 31);
  EXPECT_TRUE(test::contains(problem(record), "shorter")) << problem(record);
  test::store_u32(record, test::kBlockSizeAt, 0);
  EXPECT_FALSE(problem(record).empty());
}

TEST(BamRecordTest, ReferenceIdsOutsideTheHeaderAreRefused) {
  EXPECT_TRUE(test::contains(problem(test::make_record("r", kReferences, 0)), "reference id"));
  EXPECT_TRUE(test::contains(problem(test::make_record("r", -2, 0)), "reference id"));
  EXPECT_TRUE(test::contains(problem(test::make_record("r", 0, 0), 0), "reference id"));
  test::RecordSpec mate;
  mate.mate_tid = kReferences;
  EXPECT_TRUE(test::contains(problem(test::make_record(mate)), "mate reference id"));
  mate.mate_tid = -2;
  EXPECT_TRUE(test::contains(problem(test::make_record(mate)), "mate reference id"));
}

// htslib's bam_read1 accepts them and samtools sorts them; so does samsort.
TEST(BamRecordTest, PositionBelowMinusOneIsAccepted) {
  EXPECT_EQ(problem(test::make_record("r", 0, -2)), "");
  EXPECT_EQ(problem(test::make_record("r", 0, -1)), "");
  EXPECT_EQ(problem(test::make_record("r", 1, INT32_MIN)), "");
}

TEST(BamRecordTest, NameWithoutNulIsRefused) {
  std::vector<std::uint8_t> record = test::make_record("abc", 0, 0);
  record[test::kNameAt + 3] = 'd';  // the NUL replaced, l_read_name still 4
  EXPECT_TRUE(test::contains(problem(record), "NUL")) << problem(record);
}

// bam_read1 recomputes bin as hts_reg2bin(pos, pos + reference length, 14, 5) for records with
// a CIGAR (reference length 1 when unmapped or zero); a stale bin is replaced, no CIGAR keeps it.
TEST(BamRecordTest, RefreshBinMatchesHtslib) {
  struct Case {
    std::int32_t pos;
    const char* cigar;
    std::uint16_t flag;
    hts_pos_t reference_bytes;
  };
  const Case cases[] = {{12345, "100M", 0, 100}, {16383, "2M", 0, 2},
                        {16383, "1M", 0, 1},     {-16, "10M5D5N3I", 0, 20},
                        {INT32_MIN, "5M", 0, 5}, {1 << 29, "50S100M", 0, 100},
                        {4000, "5S5I", 0, 1},    {4000, "100M", 0x4, 1},
                        {-1, "10M", 0x4, 1},     {70000, "1M1I1M1D1=1X1P1H", 0, 5}};
  for (const Case& test_case : cases) {
    test::RecordSpec spec;
    spec.pos = test_case.pos;
    spec.flag = test_case.flag;
    spec.cigar = test::parse_cigar(test_case.cigar);
    spec.seq_length = test::kSeqFromCigar;
    std::vector<std::uint8_t> record = test::make_record(spec);
    test::store_u16(record, 14, 0xdead);  // stale
    bam::refresh_bin(record.data());
    std::uint16_t expected = static_cast<std::uint16_t>(
        hts_reg2bin(test_case.pos, test_case.pos + test_case.reference_bytes, 14, 5));
    EXPECT_EQ(load_le16(record.data() + 14), expected) << test_case.pos << " " << test_case.cigar;
  }
  std::vector<std::uint8_t> no_cigar = test::make_record("r", 0, 100);
  test::store_u16(no_cigar, 14, 4681);
  bam::refresh_bin(no_cigar.data());
  EXPECT_EQ(load_le16(no_cigar.data() + 14), 4681);
}

}  // namespace
}  // namespace samsort
