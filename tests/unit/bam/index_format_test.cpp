// BAI/CSI reading and writing: bin geometry agrees with htslib's, an htslib index is read back
// section by section with its offsets moved, hand-made defects are named, and a written index
// loads in htslib.
#include "samsort/bam/index_format.hpp"

#include <gtest/gtest.h>
#include <htslib/hts.h>

#include <cstdint>
#include <string>
#include <vector>

#include "samsort/core/byte_order.hpp"
#include "samsort/core/errors.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

TEST(IndexFormatTest, BinWindowsAgreeWithHtslib) {
  for (int depth : {5, 6}) {
    auto bins = static_cast<std::uint32_t>(((1u << (3 * depth + 3)) - 1) / 7);
    for (std::uint32_t bin = 0; bin < bins; bin += depth == 5 ? 1 : 97) {
      BinWindows windows = bin_windows(bin, depth);
      int level = hts_bin_level(static_cast<int>(bin));
      EXPECT_EQ(windows.first,
                static_cast<std::uint64_t>(hts_bin_bot(static_cast<int>(bin), depth)));
      EXPECT_EQ(windows.end - windows.first, std::uint64_t{1} << (3 * (depth - level))) << bin;
    }
  }
}

// An htslib BAI of three references: two records on reference 0, none on 1, one unmapped
// record placed on 2, and two unplaced records; offsets made up (blocks 1-3).
std::string htslib_index(const test::ScratchDir& dir) {
  hts_idx_t* index = hts_idx_init(3, HTS_FMT_BAI, 0, 14, 5);
  EXPECT_EQ(hts_idx_push(index, 0, 100, 200, (1u << 16) | 50, 1), 0);
  EXPECT_EQ(hts_idx_push(index, 0, 20'000, 20'100, (1u << 16) | 90, 1), 0);
  EXPECT_EQ(hts_idx_push(index, 2, 5, 6, (2u << 16) | 10, 0), 0);
  EXPECT_EQ(hts_idx_push(index, -1, -1, 0, (2u << 16) | 40, 0), 0);
  EXPECT_EQ(hts_idx_push(index, -1, -1, 0, (2u << 16) | 70, 0), 0);
  EXPECT_EQ(hts_idx_finish(index, 3u << 16), 0);
  std::string path = dir.file("three.bai");
  EXPECT_EQ(hts_idx_save_as(index, "three", path.c_str(), HTS_FMT_BAI), 0);
  hts_idx_destroy(index);
  return path;
}

TEST(IndexFormatTest, ReadsHtslibsIndexWithOffsetsMoved) {
  test::ScratchDir dir;
  IndexReader reader(htslib_index(dir));
  EXPECT_FALSE(reader.layout().csi);
  EXPECT_EQ(reader.layout().reference_count, 3);
  MemoryBudget budget(16 << 20);
  ReservedGrowth growth(budget);
  const OffsetShift shift{1000, 3};
  const std::uint64_t moved = std::uint64_t{1000} << 16;
  IndexSection section;

  reader.read_section(shift, growth, section);
  ASSERT_TRUE(section.has_meta);
  EXPECT_EQ(section.first_offset, moved);
  EXPECT_EQ(section.last_offset, moved + ((1u << 16) | 90));
  EXPECT_EQ(section.mapped, 2u);
  EXPECT_EQ(section.unmapped, 0u);
  ASSERT_EQ(section.chunks.size(), 2u);  // windows 0 and 1: bins 4681 and 4682
  EXPECT_EQ(section.chunks[0].bin + section.chunks[1].bin, 4681u + 4682u);
  ASSERT_EQ(section.linear.size(), 2u);
  EXPECT_EQ(section.linear[0], moved);
  EXPECT_EQ(section.linear[1], moved + ((1u << 16) | 50));

  reader.read_section(shift, growth, section);
  EXPECT_TRUE(section.empty());
  reader.read_section(shift, growth, section);
  EXPECT_EQ(section.unmapped, 1u);
  EXPECT_EQ(reader.read_no_coor_count(), 2u);
  EXPECT_GT(budget.reserved_bytes(), 0u);
}

// A hand-made uncompressed BAI: one reference with the given section words.
std::string hand_made(const test::ScratchDir& dir, const std::vector<std::uint64_t>& words,
                      const std::vector<int>& widths) {
  std::vector<std::uint8_t> bytes = {'B', 'A', 'I', 1, 1, 0, 0, 0};
  for (std::size_t idx = 0; idx < words.size(); ++idx) {
    std::uint8_t word[8];
    store_le64(word, words[idx]);
    bytes.insert(bytes.end(), word, word + widths[idx]);
  }
  std::string path = dir.file("hand.bai");
  test::write_file_bytes(path, bytes);
  return path;
}

std::string section_error(const std::string& path) {
  MemoryBudget budget(16 << 20);
  ReservedGrowth growth(budget);
  IndexSection section;
  auto message = test::thrown_message<Error>([&] {
    IndexReader reader(path);
    reader.read_section(OffsetShift{0, 100}, growth, section);
  });
  return message.value_or("");
}

TEST(IndexFormatTest, NamesDefects) {
  test::ScratchDir dir;
  // n_bin 2, bin 4681 with one chunk, twice.
  std::string twice =
      hand_made(dir, {2, 4681, 1, 0, 10, 4681, 1, 20, 30, 0}, {4, 4, 4, 8, 8, 4, 4, 8, 8, 4});
  EXPECT_TRUE(test::contains(section_error(twice), "a bin listed twice")) << section_error(twice);
  std::string meta = hand_made(dir, {1, 37450, 1, 0, 10, 0}, {4, 4, 4, 8, 8, 4});
  EXPECT_TRUE(test::contains(section_error(meta), "pseudo-bin without 2 chunks"));
  std::string negative = hand_made(dir, {0xffffffff}, {4});
  EXPECT_TRUE(test::contains(section_error(negative), "negative n_bin"));
  std::string beyond =
      hand_made(dir, {1, 4681, 1, 0, std::uint64_t{101} << 16, 0}, {4, 4, 4, 8, 8, 4});
  EXPECT_TRUE(test::contains(section_error(beyond), "beyond the part's 100 bytes"));
  std::string out_of_range = hand_made(dir, {1, 37449, 0, 0}, {4, 4, 4, 4});
  EXPECT_TRUE(test::contains(section_error(out_of_range), "bin 37449 out of range"));
  std::string backwards = hand_made(dir, {1, 4681, 1, 20, 10, 0}, {4, 4, 4, 8, 8, 4});
  EXPECT_TRUE(test::contains(section_error(backwards), "chunk ends before it begins"));
  std::string huge = hand_made(dir, {1, 4681, 0x7fffffff, 0, 10}, {4, 4, 4, 8, 8});
  EXPECT_TRUE(test::contains(section_error(huge), "truncated in chunks"));  // not a budget error
}

TEST(IndexFormatTest, WrittenIndexLoadsInHtslib) {
  test::ScratchDir dir;
  for (bool csi : {false, true}) {
    IndexLayout layout;
    layout.csi = csi;
    layout.depth = csi ? 6 : 5;
    layout.reference_count = 2;
    std::string path = dir.file(csi ? "empty.csi" : "empty.bai");
    IndexWriter writer(path, path, layout);
    writer.put_empty_reference();
    writer.put_empty_reference();
    writer.put_u64(5);
    writer.close();
    hts_idx_t* index = hts_idx_load2("absent.bam", path.c_str());
    ASSERT_NE(index, nullptr);
    EXPECT_EQ(hts_idx_fmt(index), csi ? HTS_FMT_CSI : HTS_FMT_BAI);
    EXPECT_EQ(hts_idx_nseq(index), 2);
    EXPECT_EQ(hts_idx_get_n_no_coor(index), 5u);
    hts_idx_destroy(index);
  }
}

}  // namespace
}  // namespace samsort
