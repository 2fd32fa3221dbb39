// The BED reader of merge -L, line by line as samtools' bed_read reads it: BED and VCF-style
// lines, skipped lines, joined intervals, gzip input, errors; the reglist handed to htslib;
// the index memory estimate.
#include "samsort/io/region_query.hpp"

#include <gtest/gtest.h>
#include <htslib/hts.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

using Interval = BedRegions::Interval;

std::string write(const test::ScratchDir& scratch, const std::string& name,
                  const std::string& text) {
  std::string path = scratch.file(name);
  std::ofstream(path) << text;
  return path;
}

TEST(RegionQueryTest, ReadsBedAsSamtoolsDoes) {
  test::ScratchDir scratch;
  std::string path = write(scratch, "r.bed",
                           "# comment\n"
                           "track name=x\n"
                           "browser position chr1\n"
                           "\n"
                           "   \t\n"
                           "chr2\t50\t60\textra columns\n"
                           "chr1\t300\t400\n"
                           "chr1\t100\t200\r\n"
                           "chr1\t150\t250\n"    // overlaps: joined
                           "chr1\t250\t260\n"    // adjacent: joined
                           "chr1\t500\t500\n"    // empty, kept
                           "  chr1 1000\n"       // VCF-style position 1000: [999, 1000)
                           "chr1\t320\t330\n");  // contained
  BedRegions regions = read_bed_regions(path);
  ASSERT_EQ(regions.references.size(), 2u);
  EXPECT_EQ(regions.references[0].first, "chr2");
  EXPECT_EQ(regions.references[1].first, "chr1");
  const auto& chr1 = regions.references[1].second;
  ASSERT_EQ(chr1.size(), 4u);
  EXPECT_EQ(chr1[0].beg, 100);
  EXPECT_EQ(chr1[0].end, 260);
  EXPECT_EQ(chr1[1].beg, 300);
  EXPECT_EQ(chr1[1].end, 400);
  EXPECT_EQ(chr1[2].beg, 500);
  EXPECT_EQ(chr1[2].end, 500);
  EXPECT_EQ(chr1[3].beg, 999);
  EXPECT_EQ(chr1[3].end, 1000);
  EXPECT_EQ(regions.interval_count(), 5u);

  hts_reglist_t* list = regions.reglist();
  EXPECT_STREQ(list[1].reg, "chr1");
  EXPECT_EQ(list[1].count, 4u);
  EXPECT_EQ(list[1].max_end, 1000);
  EXPECT_EQ(list[0].intervals[0].beg, 50);
  // The interval of length 0 is widened for htslib 1.16; the reader filters.
  EXPECT_EQ(list[1].intervals[2].beg, 499);
  EXPECT_EQ(list[1].intervals[2].end, 501);
  hts_reglist_free(list, 2);
  EXPECT_TRUE(regions.needs_filter());
  regions.references.emplace_back(".", std::vector<Interval>{{5, 5}});
  EXPECT_FALSE(regions.needs_filter());  // "." reads the whole file anyway
}

TEST(RegionQueryTest, ReadsGzipBed) {
  test::ScratchDir scratch;
  std::string path = write(scratch, "r.bed", "chr1\t10\t20\n");
  ASSERT_EQ(std::system(("gzip " + path).c_str()), 0);
  BedRegions regions = read_bed_regions(path + ".gz");
  ASSERT_EQ(regions.references.size(), 1u);
  EXPECT_EQ(regions.references[0].second[0].end, 20);
}

TEST(RegionQueryTest, RefusesBadBedLines) {
  test::ScratchDir scratch;
  for (const char* text : {"chr1\n", "chr1\tx\t5\n", "chr1\t20\t10\n", "# only\ntrack\n", ""}) {
    std::string path = write(scratch, "bad.bed", text);
    EXPECT_THROW(read_bed_regions(path), Error) << text;
  }
  EXPECT_THROW(read_bed_regions(scratch.file("absent.bed")), IoError);
}

TEST(RegionQueryTest, IndexEstimateFollowsTheLargestIndexFile) {
  test::ScratchDir scratch;
  std::string bam = write(scratch, "in.bam", "");
  EXPECT_EQ(index_memory_estimate(bam, ""), config::kIndexMemoryBaseBytes);
  write(scratch, "in.bam.bai", std::string(1000, 'x'));
  write(scratch, "in.csi", std::string(3000, 'x'));
  EXPECT_EQ(index_memory_estimate(bam, ""),
            3000 * config::kIndexMemoryPerFileByte + config::kIndexMemoryBaseBytes);
  std::string custom = write(scratch, "custom.idx", std::string(10, 'x'));
  EXPECT_EQ(index_memory_estimate(bam, custom),
            10 * config::kIndexMemoryPerFileByte + config::kIndexMemoryBaseBytes);
}

}  // namespace
}  // namespace samsort
