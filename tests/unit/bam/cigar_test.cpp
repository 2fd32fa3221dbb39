// CigarView over stored and CG-tag CIGARs; spans and clips as htslib computes them.
#include "samsort/bam/cigar.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "samsort/bam/bam_flags.hpp"
#include "test_records.hpp"

namespace samsort::bam {
namespace {

std::vector<std::uint8_t> mapped(std::int32_t pos, const char* cigar, std::uint16_t flag = 0) {
  test::RecordSpec spec;
  spec.pos = pos;
  spec.flag = flag;
  spec.cigar = test::parse_cigar(cigar);
  spec.seq_length = test::kSeqFromCigar;
  return test::make_record(spec);
}

TEST(Cigar, OperationsCodesAndLengths) {
  std::vector<std::uint8_t> record = mapped(100, "3H5S10M2D1I4S");
  CigarView cigar = CigarView::stored(record.data());
  ASSERT_EQ(cigar.size(), 6u);
  EXPECT_FALSE(cigar.empty());
  EXPECT_EQ(cigar.code(0), kCigarHardClip);
  EXPECT_EQ(cigar.length(0), 3u);
  EXPECT_EQ(cigar.code(2), kCigarMatch);
  EXPECT_EQ(cigar.length(2), 10u);
  EXPECT_EQ(cigar.code(3), kCigarDeletion);
  EXPECT_EQ(cigar.raw(4), (1u << 4) | kCigarInsertion);
}

TEST(Cigar, SpansMatchHtslib) {
  // Reference: M D N = X (10 + 2 + 7 + 3 + 1); query: M I S = X (5 + 10 + 1 + 3 + 1 + 4).
  std::vector<std::uint8_t> record = mapped(0, "5S10M2D1I7N3=1X4S2H2P");
  CigarView cigar = CigarView::stored(record.data());
  EXPECT_EQ(cigar.reference_span(), 23);
  EXPECT_EQ(cigar.query_span(), 24);
  EXPECT_EQ(CigarView{}.reference_span(), 0);
  EXPECT_TRUE(CigarView{}.empty());
}

TEST(Cigar, ClipsStepOverHardClipsAndStopAtOtherOps) {
  std::vector<std::uint8_t> record = mapped(0, "2S3H4S10M1S2H3S");
  CigarView cigar = CigarView::stored(record.data());
  EXPECT_EQ(cigar.leading_soft_clips(), 6);
  EXPECT_EQ(cigar.trailing_soft_clips(), 4);
  record = mapped(0, "2I4S10M");
  EXPECT_EQ(CigarView::stored(record.data()).leading_soft_clips(), 0);
}

TEST(Cigar, EndPositionIsBamEndpos) {
  EXPECT_EQ(end_position(mapped(100, "10M2D5M").data()), 117);
  // No reference ops, or unmapped: one base, as bam_endpos.
  EXPECT_EQ(end_position(mapped(50, "4I").data()), 51);
  EXPECT_EQ(end_position(mapped(50, "10M", kUnmapped).data()), 51);
}

TEST(Cigar, LongCigarFromCgTag) {
  // bam_write1's layout: "<l_seq>S<ref_len>N" placeholder, the real CIGAR in CG:B,I.
  std::vector<std::uint32_t> real = test::parse_cigar("4S6M3D");
  test::RecordSpec spec;
  spec.pos = 10;
  spec.seq_length = 10;
  spec.cigar = test::parse_cigar("10S9N");
  std::vector<std::int64_t> ops(real.begin(), real.end());
  spec.aux = test::Aux().array("CG", 'I', ops).bytes();
  std::vector<std::uint8_t> record = test::make_record(spec);
  EXPECT_EQ(CigarView::stored(record.data()).size(), 2u);
  CigarView cigar = CigarView::of_record(record.data());
  ASSERT_EQ(cigar.size(), 3u);
  EXPECT_EQ(cigar.code(2), kCigarDeletion);
  EXPECT_EQ(cigar.leading_soft_clips(), 4);
  EXPECT_EQ(end_position(record.data()), 10 + 9);
  // Unplaced: the placeholder stays, as in bam_tag2cigar.
  spec.pos = -1;
  record = test::make_record(spec);
  EXPECT_EQ(CigarView::of_record(record.data()).size(), 2u);
}

}  // namespace
}  // namespace samsort::bam
