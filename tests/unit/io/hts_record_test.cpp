// bam1_t <-> raw record conversion: round trips, and CIGARs of more than 65535 operations in the
// layout htslib's bam_write1 writes (placeholder + CG:B,I at the end), restored on the way back.
#include "samsort/io/hts_record.hpp"

#include <gtest/gtest.h>
#include <htslib/bgzf.h>
#include <htslib/kstring.h>
#include <htslib/sam.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "hts_test_records.hpp"
#include "samsort/bam/bam_aux.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/core/byte_order.hpp"

namespace samsort {
namespace {

using test::format_sam;
using test::HeaderPtr;
using test::parse_sam;
using test::RecordPtr;

constexpr int kLongCigarPairs = 40'000;  // 80,000 operations

HeaderPtr make_header() {
  HeaderPtr header(
      sam_hdr_parse(std::strlen("@SQ\tSN:chr1\tLN:100000000\n"), "@SQ\tSN:chr1\tLN:100000000\n"));
  return header;
}

std::string long_line(const std::string& tags) {
  std::string cigar;
  for (int idx = 0; idx < kLongCigarPairs; ++idx) cigar += "2M1I";
  return "long\t0\tchr1\t1001\t60\t" + cigar + "\t*\t0\t0\t" +
         std::string(3 * kLongCigarPairs, 'A') + "\t*" + tags;
}

std::vector<std::uint8_t> to_raw(const bam1_t* record) {
  const char* problem = nullptr;
  std::size_t bytes = raw_record_bytes(record, &problem);
  EXPECT_GT(bytes, 0u) << (problem != nullptr ? problem : "");
  std::vector<std::uint8_t> raw(bytes);
  if (bytes > 0) to_raw_record(record, raw.data());
  return raw;
}

TEST(HtsRecordTest, ShortCigarRoundTrips) {
  HeaderPtr header = make_header();
  std::string line = "r1\t16\tchr1\t500\t30\t5S20M2D10M\t*\t0\t0\t" + std::string(35, 'C') + "\t" +
                     std::string(35, 'I') + "\tNM:i:2\tXY:Z:text";
  RecordPtr record = parse_sam(header.get(), line);
  std::vector<std::uint8_t> raw = to_raw(record.get());
  EXPECT_EQ(bam::cigar_op_count(raw.data()), 4);
  RecordPtr back(bam_init1());
  ASSERT_TRUE(from_raw_record(raw.data(), back.get()));
  EXPECT_EQ(format_sam(header.get(), back.get()), line);
}

TEST(HtsRecordTest, LongCigarGoesToTheCgTagAsHtslibWritesIt) {
  HeaderPtr header = make_header();
  RecordPtr record = parse_sam(header.get(), long_line("\tNM:i:0"));
  ASSERT_EQ(record->core.n_cigar, 2u * kLongCigarPairs);
  std::vector<std::uint8_t> raw = to_raw(record.get());
  ASSERT_FALSE(raw.empty());
  // Placeholder "<l_seq>S<ref_len>N": 120,000 query bases, 80,000 reference bases.
  ASSERT_EQ(bam::cigar_op_count(raw.data()), 2);
  const std::uint8_t* cigar = raw.data() + bam::kFixedBytes + bam::read_name_bytes(raw.data());
  EXPECT_EQ(load_le32(cigar), (3u * kLongCigarPairs) << 4 | BAM_CSOFT_CLIP);
  EXPECT_EQ(load_le32(cigar + 4), (2u * kLongCigarPairs) << 4 | BAM_CREF_SKIP);
  // The real CIGAR in CG:B,I, the last tag.
  const std::uint8_t* tag = bam::find_aux(raw.data(), "CG");
  ASSERT_NE(tag, nullptr);
  EXPECT_EQ(bam::aux_type(tag), 'B');
  EXPECT_EQ(bam::aux_array_type(tag), 'I');
  EXPECT_EQ(bam::aux_array_count(tag), 2u * kLongCigarPairs);
  EXPECT_EQ(bam::aux_array_data(tag) + 4u * 2 * kLongCigarPairs, raw.data() + raw.size());
  EXPECT_NE(bam::find_aux(raw.data(), "NM"), nullptr);

  // Byte for byte what bam_write1 writes (to an uncompressed in-memory BGZF stream).
  char path[] = "/tmp/samsort-hts-record-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  BGZF* out = bgzf_open(path, "wu");
  ASSERT_NE(out, nullptr);
  ASSERT_GE(bam_write1(out, record.get()), 0);
  bgzf_close(out);
  BGZF* in = bgzf_open(path, "r");
  std::vector<std::uint8_t> written(raw.size() + 16);
  ssize_t got = bgzf_read(in, written.data(), written.size());
  bgzf_close(in);
  unlink(path);
  ASSERT_EQ(got, static_cast<ssize_t>(raw.size()));
  written.resize(raw.size());
  EXPECT_TRUE(written == raw);

  // Back to bam1_t: the real CIGAR again, no CG tag, the same SAM line.
  RecordPtr back(bam_init1());
  ASSERT_TRUE(from_raw_record(raw.data(), back.get()));
  EXPECT_EQ(back->core.n_cigar, 2u * kLongCigarPairs);
  EXPECT_EQ(bam_aux_get(back.get(), "CG"), nullptr);
  EXPECT_EQ(format_sam(header.get(), back.get()), long_line("\tNM:i:0"));
}

TEST(HtsRecordTest, LongCigarSpanningTooManyBasesIsRefused) {
  HeaderPtr header(
      sam_hdr_parse(std::strlen("@SQ\tSN:chr1\tLN:1000000000\n"), "@SQ\tSN:chr1\tLN:1000000000\n"));
  std::string cigar;
  for (int idx = 0; idx < kLongCigarPairs; ++idx) cigar += "1M7000N";
  RecordPtr record = parse_sam(header.get(), "gap\t0\tchr1\t1\t60\t" + cigar + "\t*\t0\t0\t*\t*");
  const char* problem = nullptr;
  EXPECT_EQ(raw_record_bytes(record.get(), &problem), 0u);
  ASSERT_NE(problem, nullptr);
  EXPECT_NE(std::string(problem).find("2^28"), std::string::npos);
}

}  // namespace
}  // namespace samsort
