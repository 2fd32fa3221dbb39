// merge_index_fragments' refusals: unreadable, truncated, corrupt and mismatched fragments, offsets
// beyond their part, parts out of coordinate order, a budget too small; each leaves no index
// behind and the budget as it was.
#include <gtest/gtest.h>
#include <htslib/bgzf.h>
#include <htslib/hts.h>

#include <filesystem>
#include <string>
#include <vector>

#include "gathered_parts.hpp"
#include "samsort/bam/index_merge.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/memory_budget.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

using namespace samsort::test;  // NOLINT(google-build-using-namespace): the shared fixture

class IndexMergeChecksTest : public ::testing::Test {
 protected:
  // Parts: r0 head | r0 tail | r2 and r3 | unplaced records only.
  IndexMergeChecksTest()
      : gathered_(gather(dir_, {at_position(0, 148'003), reference_start(2), reference_start(-1)},
                         FragmentOffsets::kWhileWriting)) {}

  // The error merging `fragments` throws (empty if none), checking nothing is left behind.
  template <class Expected = Error>
  std::string merge_error(const std::vector<IndexFragment>& fragments,
                          std::size_t budget_bytes = 64 << 20) {
    MemoryBudget budget(budget_bytes);
    std::string index_path = dir_.file("merged.idx");
    auto message = thrown_message<Expected>(
        [&] { merge_index_fragments(fragments, gathered_.header_bytes, index_path, budget); });
    EXPECT_FALSE(std::filesystem::exists(index_path));
    EXPECT_EQ(budget.reserved_bytes(), 0u);
    std::size_t leftovers = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      leftovers += entry.path().filename().string().find("merged.idx") != std::string::npos;
    }
    EXPECT_EQ(leftovers, 0u);
    return message.value_or("");
  }

  std::vector<IndexFragment> fragments(bool csi) const { return gathered_.fragments[csi]; }

  ScratchDir dir_;
  Gathered gathered_;
};

TEST_F(IndexMergeChecksTest, MergesTheFixture) {
  for (bool csi : {false, true}) {
    MemoryBudget budget(64 << 20);
    std::string index_path = dir_.file(csi ? "ok.csi" : "ok.bai");
    merge_index_fragments(fragments(csi), gathered_.header_bytes, index_path, budget);
    EXPECT_TRUE(std::filesystem::exists(index_path));
    EXPECT_EQ(budget.reserved_bytes(), 0u);
    EXPECT_GT(budget.peak_reserved_bytes(), 0u);
  }
}

TEST_F(IndexMergeChecksTest, NoFragmentsIsAnError) {
  EXPECT_TRUE(contains(merge_error({}), "no index fragments"));
}

TEST_F(IndexMergeChecksTest, MissingFragmentIsAnIoError) {
  std::vector<IndexFragment> parts = fragments(true);
  parts[1].path = dir_.file("absent.csi");
  std::string message = merge_error<IoError>(parts);
  EXPECT_TRUE(contains(message, "absent.csi")) << message;
}

TEST_F(IndexMergeChecksTest, TruncatedFragmentIsCorrupt) {
  std::vector<IndexFragment> parts = fragments(false);  // BAI: stored uncompressed
  std::filesystem::resize_file(parts[2].path, std::filesystem::file_size(parts[2].path) / 2);
  std::string message = merge_error(parts);
  EXPECT_TRUE(contains(message, "corrupt index fragment: truncated")) << message;
  EXPECT_TRUE(contains(message, parts[2].path)) << message;
}

TEST_F(IndexMergeChecksTest, DamagedCompressionIsCorrupt) {
  std::vector<IndexFragment> parts = fragments(true);  // CSI: BGZF-compressed
  std::vector<std::uint8_t> bytes = read_file_bytes(parts[2].path);
  for (std::size_t at = 30; at < 60 && at < bytes.size(); ++at) bytes[at] ^= 0x5a;
  write_file_bytes(parts[2].path, bytes);
  std::string message = merge_error(parts);
  EXPECT_TRUE(contains(message, "corrupt index fragment")) << message;
}

TEST_F(IndexMergeChecksTest, NotAnIndexIsCorrupt) {
  std::vector<IndexFragment> parts = fragments(false);
  write_file_bytes(parts[0].path, compressible_bytes(4096, 3));
  EXPECT_TRUE(contains(merge_error(parts), "not a BAI or CSI index"));
}

TEST_F(IndexMergeChecksTest, MixedFormatsAreRefused) {
  std::vector<IndexFragment> parts = fragments(false);
  parts[1] = fragments(true)[1];
  std::string message = merge_error(parts);
  EXPECT_TRUE(contains(message, "is CSI, the first fragment BAI")) << message;
}

TEST_F(IndexMergeChecksTest, OtherReferenceCountIsRefused) {
  std::vector<IndexFragment> parts = fragments(true);
  hts_idx_t* index = hts_idx_init(3, HTS_FMT_CSI, 0, kCsiMinShift, 5);
  ASSERT_EQ(hts_idx_finish(index, 0), 0);
  std::string path = dir_.file("three.csi");
  ASSERT_EQ(hts_idx_save_as(index, "three", path.c_str(), HTS_FMT_CSI), 0);
  hts_idx_destroy(index);
  parts.push_back({path, 0});
  std::string message = merge_error(parts);
  EXPECT_TRUE(contains(message, "has 3 references, the first fragment 5")) << message;
}

TEST_F(IndexMergeChecksTest, OffsetBeyondItsPartIsRefused) {
  std::vector<IndexFragment> parts = fragments(false);
  parts[1].part_bytes /= 2;  // the sizes of another cut
  std::string message = merge_error(parts);
  EXPECT_TRUE(contains(message, "beyond the part's")) << message;
}

TEST_F(IndexMergeChecksTest, PartsOutOfCoordinateOrderAreRefused) {
  std::vector<IndexFragment> parts = fragments(true);
  std::swap(parts[0], parts[2]);  // r2 before r0
  std::string message = merge_error(parts);
  EXPECT_TRUE(contains(message, "out of coordinate order")) << message;
  parts = fragments(true);
  std::swap(parts[2], parts[3]);  // unplaced records before placed ones
  message = merge_error(parts);
  EXPECT_TRUE(contains(message, "out of coordinate order")) << message;
}

TEST_F(IndexMergeChecksTest, BudgetTooSmallIsAResourceError) {
  std::string message = merge_error<ResourceError>(fragments(false), 1 << 20);
  EXPECT_TRUE(contains(message, "index merge")) << message;
}

TEST_F(IndexMergeChecksTest, UnwritableIndexIsAnIoError) {
  MemoryBudget budget(64 << 20);
  auto message = thrown_message<Error>([&] {
    merge_index_fragments(fragments(true), gathered_.header_bytes,
                          dir_.file("no-such-dir/merged.csi"), budget);
  });
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(budget.reserved_bytes(), 0u);
}

}  // namespace
}  // namespace samsort
