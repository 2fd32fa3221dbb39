// Wide records (bam_record.hpp): SAM/CRAM records whose pos, mpos or isize do not fit 32 bits
// keep BAM's layout plus a trailing 64-bit field; they round-trip through hts_record.cpp, their
// other aux fields stay findable, and the coordinate key orders them as samtools'
// (tid as u32, (uint64_t)(pos + 1), reverse) at every reference count.
#include <gtest/gtest.h>
#include <htslib/kstring.h>
#include <htslib/sam.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "hts_test_records.hpp"
#include "samsort/bam/bam_aux.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/io/hts_record.hpp"
#include "samsort/order/coordinate_key.hpp"

namespace samsort {
namespace {

using test::format_sam;
using test::HeaderPtr;
using test::parse_sam;
using test::RecordPtr;

constexpr const char* kHeader =
    "@SQ\tSN:short\tLN:1000\n@SQ\tSN:long\tLN:11000000000\n"
    "@SQ\tSN:huge\tLN:100000000000000100\n";

HeaderPtr make_header() { return HeaderPtr(sam_hdr_parse(std::strlen(kHeader), kHeader)); }

std::vector<std::uint8_t> to_raw(const bam1_t* record) {
  const char* problem = nullptr;
  std::size_t bytes = raw_record_bytes(record, &problem);
  EXPECT_NE(bytes, 0u) << (problem != nullptr ? problem : "");
  std::vector<std::uint8_t> raw(bytes);
  if (bytes != 0) to_raw_record(record, raw.data());
  return raw;
}

std::string line_at(const char* ref, std::int64_t pos1, int flag, const char* mate_ref,
                    std::int64_t mate_pos1, std::int64_t isize) {
  return std::string("r1\t") + std::to_string(flag) + "\t" + ref + "\t" + std::to_string(pos1) +
         "\t30\t4M\t" + mate_ref + "\t" + std::to_string(mate_pos1) + "\t" + std::to_string(isize) +
         "\tACGT\tIIII\tNM:i:1\tRG:Z:grp";
}

TEST(WideRecordTest, RoundTripsAndKeepsAuxFindable) {
  HeaderPtr header = make_header();
  for (const std::string& line : {line_at("long", 10000000003, 0, "=", 10000000200, 297),
                                  line_at("long", 17, 0, "=", 10000000200, 10000000183),
                                  line_at("huge", 100000000000000000, 16, "*", 0, 0),
                                  line_at("short", 5, 0, "long", 3000000000, 0)}) {
    RecordPtr record = parse_sam(header.get(), line);
    std::vector<std::uint8_t> raw = to_raw(record.get());
    ASSERT_TRUE(bam::is_wide(raw.data())) << line;
    EXPECT_EQ(bam::record_bytes(raw.data()), raw.size());
    EXPECT_EQ(bam::pos(raw.data()), record->core.pos);
    EXPECT_EQ(bam::mate_pos(raw.data()), record->core.mpos);
    EXPECT_EQ(bam::insert_size(raw.data()), record->core.isize);
    EXPECT_NE(bam::find_aux(raw.data(), "NM"), nullptr);
    EXPECT_NE(bam::find_aux(raw.data(), "RG"), nullptr);
    EXPECT_EQ(bam::find_aux(raw.data(), "XX"), nullptr);
    RecordPtr back(bam_init1());
    ASSERT_TRUE(from_raw_record(raw.data(), back.get()));
    EXPECT_EQ(format_sam(header.get(), back.get()), line);
  }
}

TEST(WideRecordTest, NarrowRecordsStayBamRecords) {
  HeaderPtr header = make_header();
  RecordPtr record = parse_sam(header.get(), line_at("long", 2147483647, 0, "=", 5, -2147483642));
  std::vector<std::uint8_t> raw = to_raw(record.get());
  EXPECT_FALSE(bam::is_wide(raw.data()));
  EXPECT_FALSE(needs_wide_record(record.get()));
  EXPECT_EQ(bam::pos(raw.data()), 2147483646);
}

TEST(WideRecordTest, LongCigarAndWidePositionTogether) {
  HeaderPtr header = make_header();
  std::string cigar;
  std::string seq;
  for (int idx = 0; idx < 40'000; ++idx) {
    cigar += "1M1I";
    seq += "AC";
  }
  std::string line = "r\t0\tlong\t9000000000\t30\t" + cigar + "\t*\t0\t0\t" + seq + "\t*\tNM:i:2";
  RecordPtr record = parse_sam(header.get(), line);
  std::vector<std::uint8_t> raw = to_raw(record.get());
  ASSERT_TRUE(bam::is_wide(raw.data()));
  EXPECT_NE(bam::find_aux(raw.data(), "CG"), nullptr);
  EXPECT_EQ(bam::pos(raw.data()), 8999999999);
  RecordPtr back(bam_init1());
  ASSERT_TRUE(from_raw_record(raw.data(), back.get()));
  EXPECT_EQ(format_sam(header.get(), back.get()), line);
}

TEST(WideRecordTest, PositionsFarBeyondTwoToThe31AreHeld) {
  HeaderPtr header = make_header();
  RecordPtr record = parse_sam(header.get(), line_at("huge", 100000000000000000, 0, "*", 0, 0));
  const char* problem = nullptr;
  EXPECT_NE(raw_record_bytes(record.get(), &problem), 0u);
}

// samtools' key, written from the contract: (tid as u32, (uint64_t)(pos + 1), reverse).
std::tuple<std::uint32_t, std::uint64_t, int> contract(const std::uint8_t* raw) {
  return {static_cast<std::uint32_t>(bam::ref_id(raw)),
          static_cast<std::uint64_t>(bam::pos(raw)) + 1u, (bam::flag(raw) & 0x10) != 0 ? 1 : 0};
}

TEST(WideRecordTest, CoordinateKeyMatchesTheContractAtEveryReferenceCount) {
  HeaderPtr header = make_header();
  std::vector<std::vector<std::uint8_t>> records;
  for (const char* ref : {"short", "long", "huge", "*"}) {
    for (std::int64_t pos1 :
         {std::int64_t{0}, std::int64_t{1}, std::int64_t{4096}, std::int64_t{2147483647},
          std::int64_t{2147483648}, std::int64_t{2147483649}, std::int64_t{10000000003},
          std::int64_t{1} << 40, (std::int64_t{1} << 43) + 5, std::int64_t{100000000000000000}}) {
      for (int flag : {0, 16}) {
        RecordPtr record = parse_sam(header.get(), line_at(ref, pos1, flag, "*", 0, 0));
        records.push_back(to_raw(record.get()));
      }
    }
  }
  // 3 references: the position keeps all 64 bits. 5000 and 2^20: wrapped to 63 and 55 bits,
  // so 10^17 is beyond the 55-bit key and refused (and fits the 63-bit one).
  for (std::uint64_t references : {std::uint64_t{3}, std::uint64_t{5000}, std::uint64_t{1} << 20}) {
    SCOPED_TRACE(references);
    CoordinateOrder order(references);
    std::vector<const std::uint8_t*> keyed;
    for (const auto& raw : records) {
      std::int64_t pos = bam::pos(raw.data());
      int position_bits = std::min(64, 76 - static_cast<int>(std::bit_width(references)));
      bool fits = position_bits >= 64 || pos < 0 ||
                  static_cast<std::uint64_t>(pos) <
                      (std::uint64_t{1} << position_bits) - (std::uint64_t{1} << 31) - 1;
      if (fits) {
        EXPECT_NO_THROW(static_cast<void>(order.make_entry(raw.data(), 0))) << pos;
        keyed.push_back(raw.data());
      } else {
        EXPECT_THROW(static_cast<void>(order.make_entry(raw.data(), 0)), Error) << pos;
      }
    }
    for (const std::uint8_t* a : keyed) {
      for (const std::uint8_t* b : keyed) {
        ASSERT_EQ(order.merge_less(order.merge_key(a), order.merge_key(b)),
                  contract(a) < contract(b))
            << bam::ref_id(a) << ":" << bam::pos(a) << " vs " << bam::ref_id(b) << ":"
            << bam::pos(b);
      }
    }
  }
}

}  // namespace
}  // namespace samsort
