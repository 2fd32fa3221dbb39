// output_settings_for: what a sort and a merge both write with. The index only for
// coordinate-sorted output, the SAM record share and CRAM encoder threads from the budget
// (a merge used to pass every thread to htslib's CRAM encoder whatever the budget).
#include "samsort/cli/output_settings.hpp"

#include <gtest/gtest.h>
#include <htslib/sam.h>

#include <string>

#include "samsort/bam/bam_header.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/memory_budget.hpp"

namespace samsort {
namespace {

BamHeader small_header(MemoryBudget& budget) {
  std::string text = "@HD\tVN:1.6\n@SQ\tSN:chr1\tLN:1000\n";
  return BamHeader::adopt(sam_hdr_parse(text.size(), text.c_str()), budget);
}

TEST(OutputSettingsTest, IndexOnlyForCoordinateOrder) {
  MemoryBudget budget(256 * config::kMiB);
  BamHeader header = small_header(budget);
  SortOptions options;
  options.index_path = "out.bam.csi";
  options.write_md5 = true;
  options.samtools_level = 1;
  OutputSettings coordinate = output_settings_for(options, 4, budget, true, header);
  EXPECT_EQ(coordinate.index_path, "out.bam.csi");
  EXPECT_TRUE(coordinate.coordinate_sorted);
  EXPECT_TRUE(coordinate.write_md5);
  EXPECT_EQ(coordinate.samtools_level, 1);
  EXPECT_EQ(coordinate.threads, 4u);
  EXPECT_EQ(coordinate.sam_record_bytes, 0u);
  OutputSettings names = output_settings_for(options, 4, budget, false, header);
  EXPECT_TRUE(names.index_path.empty());
}

TEST(OutputSettingsTest, SamRecordShareFromTheBudget) {
  MemoryBudget budget(4 * config::kGiB);
  BamHeader header = small_header(budget);
  SortOptions options;
  options.output_format = OutputFormat::kSam;
  OutputSettings settings = output_settings_for(options, 2, budget, true, header);
  EXPECT_EQ(settings.sam_record_bytes, 4 * config::kGiB / config::kSamRecordBudgetShare);
}

TEST(OutputSettingsTest, CramEncoderThreadsFitTheBudget) {
  SortOptions options;
  options.output_format = OutputFormat::kCram;
  options.output_format_options = {"no_ref=1"};
  MemoryBudget small(128 * config::kMiB);
  BamHeader header = small_header(small);
  std::size_t few = output_settings_for(options, 16, small, true, header).threads;
  EXPECT_GE(few, 1u);
  EXPECT_LT(few, 16u);
  MemoryBudget large(64 * config::kGiB);
  EXPECT_EQ(output_settings_for(options, 16, large, true, header).threads, 16u);
}

}  // namespace
}  // namespace samsort
