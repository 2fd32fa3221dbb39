// merge_index_fragments: a coordinate-sorted record set cut into parts, each written headerless
// with its own htslib index fragment (BAI and CSI) and gathered behind a header; the merged index
// must give htslib's idxstats and answer every region as a scan and as htslib's own index of the
// gathered file do. Its tables are compared with htslib's too: identical for one part; for more,
// the same pseudo-bins and BAI linear index, CSI loffsets never above htslib's.
#include "samsort/bam/index_merge.hpp"

#include <gtest/gtest.h>
#include <htslib/bgzf.h>
#include <htslib/hts.h>
#include <htslib/sam.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <map>
#include <ostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gathered_parts.hpp"
#include "samsort/core/byte_order.hpp"
#include "samsort/core/memory_budget.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

using namespace samsort::test;  // NOLINT(google-build-using-namespace): the shared fixture

// A region: reference (HTS_IDX_NOCOOR for "*"), 0-based half-open bounds.
struct Region {
  int tid;
  std::int64_t begin;
  std::int64_t end;
};

std::string region_text(const Region& region) {
  if (region.tid == HTS_IDX_NOCOOR) return "*";
  std::string name = kReferences[region.tid].name;
  if (region.begin == 0 && region.end == kReferences[region.tid].length) return name;
  return name + ":" + std::to_string(region.begin + 1) + "-" + std::to_string(region.end);
}

// The records a scan of the file finds in `region`, by index, in file order.
std::vector<std::size_t> scanned(const Region& region) {
  std::vector<std::size_t> found;
  const auto& records = dataset().records;
  for (std::size_t idx = 0; idx < records.size(); ++idx) {
    const bam1_t* record = records[idx].get();
    bool hit = region.tid == HTS_IDX_NOCOOR
                   ? record->core.tid < 0
                   : record->core.tid == region.tid && record->core.pos < region.end &&
                         bam_endpos(record) > region.begin;
    if (hit) found.push_back(idx);
  }
  return found;
}

// The gathered BAM opened with one index, for region queries.
class IndexedBam {
 public:
  IndexedBam(const Gathered& gathered, const std::string& index_path)
      : file_(sam_open(gathered.bam_path.c_str(), "r")), header_(sam_hdr_read(file_.get())) {
    index_.reset(sam_index_load2(file_.get(), gathered.bam_path.c_str(), index_path.c_str()));
  }
  hts_idx_t* index() const noexcept { return index_.get(); }

  // The records sam_itr_querys returns for `region`, by index, in the order returned.
  std::vector<std::size_t> query(const Region& region) {
    ItrPtr iterator(sam_itr_querys(index_.get(), header_.get(), region_text(region).c_str()));
    EXPECT_NE(iterator, nullptr) << region_text(region);
    std::vector<std::size_t> found;
    if (iterator == nullptr) return found;
    RecordPtr record(bam_init1());
    int status = 0;
    while ((status = sam_itr_next(file_.get(), iterator.get(), record.get())) >= 0) {
      found.push_back(std::stoul(bam_get_qname(record.get()) + 1));
    }
    EXPECT_EQ(status, -1) << region_text(region);
    return found;
  }

 private:
  SamPtr file_;
  HeaderPtr header_;
  IndexPtr index_;
};

std::vector<Region> regions_to_check() {
  std::vector<Region> regions;
  for (int tid = 0; tid < kReferenceCount; ++tid) {
    regions.push_back({tid, 0, kReferences[tid].length});
  }
  regions.push_back({HTS_IDX_NOCOOR, 0, 0});
  // Inside long records whose later neighbours went to the next part; at the dense cuts; in
  // empty references.
  regions.push_back({0, 1'500'000, 1'500'100});
  regions.push_back({0, 148'000, 148'010});
  regions.push_back({2, 20'000'000, 20'000'010});
  regions.push_back({2, 47'000'000, 47'100'000});
  regions.push_back({2, 50'049'990, 50'050'100});
  regions.push_back({1, 1'000, 2'000});
  regions.push_back({4, 0, 1});
  std::mt19937_64 rng(99);
  const std::int64_t widths[] = {1, 10, 1'000, 20'000, 300'000, 5'000'000};
  for (int idx = 0; idx < 200; ++idx) {
    int tid = static_cast<int>(rng() % kReferenceCount);
    auto begin = static_cast<std::int64_t>(rng() % kReferences[tid].length);
    std::int64_t end = std::min(begin + widths[rng() % 6], kReferences[tid].length);
    regions.push_back({tid, begin, end});
  }
  // One-base windows at records' own starts.
  const auto& records = dataset().records;
  for (int idx = 0; idx < 100; ++idx) {
    const bam1_t* record = records[rng() % records.size()].get();
    if (record->core.tid >= 0) {
      regions.push_back({record->core.tid, record->core.pos, record->core.pos + 1});
    }
  }
  return regions;
}

// An index file's tables, read independently of the module: bins by number (pseudo-bin apart).
struct ParsedBin {
  std::uint64_t loffset;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> chunks;
  bool operator==(const ParsedBin&) const = default;
};
struct ParsedReference {
  std::map<std::uint32_t, ParsedBin> bins;
  std::vector<std::uint64_t> pseudo_bin;
  std::vector<std::uint64_t> linear;
};
struct ParsedIndex {
  std::vector<ParsedReference> references;
  std::uint64_t no_coor_count = 0;
};

ParsedIndex parse_index(const std::string& path) {
  BGZF* file = bgzf_open(path.c_str(), "r");
  std::vector<std::uint8_t> bytes;
  std::uint8_t buffer[65536];
  ssize_t got = 0;
  while ((got = bgzf_read(file, buffer, sizeof buffer)) > 0) {
    bytes.insert(bytes.end(), buffer, buffer + got);
  }
  bgzf_close(file);
  std::size_t at = 0;
  auto u32 = [&] { return load_le32(bytes.data() + (at += 4) - 4); };
  auto u64 = [&] { return load_le64(bytes.data() + (at += 8) - 8); };
  bool csi = std::memcmp(bytes.data(), "CSI\1", 4) == 0;
  at = 4;
  std::uint32_t meta_bin = 37450;
  if (csi) {
    u32();
    std::uint32_t depth = u32();
    at += u32();
    meta_bin = static_cast<std::uint32_t>(((std::uint64_t{1} << (3 * depth + 3)) - 1) / 7 + 1);
  }
  ParsedIndex parsed;
  parsed.references.resize(u32());
  for (ParsedReference& reference : parsed.references) {
    for (std::uint32_t bins = u32(); bins > 0; --bins) {
      std::uint32_t bin = u32();
      ParsedBin entry{csi ? u64() : 0, {}};
      for (std::uint32_t chunks = u32(); chunks > 0; --chunks) {
        std::uint64_t begin = u64();
        entry.chunks.emplace_back(begin, u64());
      }
      if (bin == meta_bin) {
        for (const auto& [first, second] : entry.chunks) {
          reference.pseudo_bin.push_back(first);
          reference.pseudo_bin.push_back(second);
        }
      } else {
        reference.bins[bin] = entry;
      }
    }
    if (!csi) {
      for (std::uint32_t entries = u32(); entries > 0; --entries) reference.linear.push_back(u64());
    }
  }
  parsed.no_coor_count = u64();
  EXPECT_EQ(at, bytes.size()) << path;
  return parsed;
}

// Identical tables for one part; otherwise the parts' shared structure, and the chunk layout
// reported (it may differ: index_merge.hpp).
void compare_tables(const std::string& merged_path, const std::string& own_path,
                    std::size_t part_count, bool csi) {
  ParsedIndex merged = parse_index(merged_path);
  ParsedIndex own = parse_index(own_path);
  ASSERT_EQ(merged.references.size(), own.references.size());
  EXPECT_EQ(merged.no_coor_count, own.no_coor_count);
  bool same_bins = true;
  for (std::size_t tid = 0; tid < own.references.size(); ++tid) {
    const ParsedReference& ours = merged.references[tid];
    const ParsedReference& theirs = own.references[tid];
    EXPECT_EQ(ours.pseudo_bin, theirs.pseudo_bin) << tid;
    EXPECT_EQ(ours.linear, theirs.linear) << tid;
    same_bins = same_bins && ours.bins == theirs.bins;
    if (part_count == 1) {
      EXPECT_TRUE(ours.bins == theirs.bins) << tid;
    }
    for (const auto& [bin, entry] : ours.bins) {
      auto theirs_bin = theirs.bins.find(bin);
      if (theirs_bin != theirs.bins.end()) {
        EXPECT_LE(entry.loffset, theirs_bin->second.loffset) << tid << " bin " << bin;
      }
    }
  }
  std::cout << "[ info     ] " << (csi ? "CSI" : "BAI") << " from " << part_count
            << " fragments: bins and chunks " << (same_bins ? "identical to" : "differ from")
            << " htslib's own index\n";
}

// Merges `gathered`'s fragments and checks the index against htslib's own and a scan; the tables
// too when the fragments took their offsets as htslib's indexer does (a record ending a block
// is at the block's end while writing, at the next block's start when read back).
void check_merged(const ScratchDir& dir, const Gathered& gathered, bool csi,
                  FragmentOffsets offsets) {
  SCOPED_TRACE(csi ? "CSI" : "BAI");
  std::string merged_path = dir.file(csi ? "merged.csi" : "merged.bai");
  std::string own_path = dir.file(csi ? "own.csi" : "own.bai");
  MemoryBudget budget(64 << 20);
  merge_index_fragments(gathered.fragments[csi], gathered.header_bytes, merged_path, budget);
  EXPECT_EQ(budget.reserved_bytes(), 0u);
  ASSERT_EQ(
      sam_index_build3(gathered.bam_path.c_str(), own_path.c_str(), csi ? kCsiMinShift : 0, 1), 0);
  if (offsets == FragmentOffsets::kReadBack) {
    compare_tables(merged_path, own_path, gathered.fragments[csi].size(), csi);
  }

  IndexedBam merged(gathered, merged_path);
  IndexedBam own(gathered, own_path);
  ASSERT_NE(merged.index(), nullptr);
  ASSERT_NE(own.index(), nullptr);
  EXPECT_EQ(hts_idx_fmt(merged.index()), csi ? HTS_FMT_CSI : HTS_FMT_BAI);
  EXPECT_EQ(hts_idx_nseq(merged.index()), hts_idx_nseq(own.index()));
  for (int tid = 0; tid < kReferenceCount; ++tid) {
    std::uint64_t stats[2][2] = {};
    int merged_rc = hts_idx_get_stat(merged.index(), tid, &stats[0][0], &stats[0][1]);
    int own_rc = hts_idx_get_stat(own.index(), tid, &stats[1][0], &stats[1][1]);
    EXPECT_EQ(merged_rc, own_rc) << tid;
    EXPECT_EQ(stats[0][0], stats[1][0]) << tid;
    EXPECT_EQ(stats[0][1], stats[1][1]) << tid;
  }
  EXPECT_EQ(hts_idx_get_n_no_coor(merged.index()), hts_idx_get_n_no_coor(own.index()));

  for (const Region& region : regions_to_check()) {
    std::vector<std::size_t> expected = scanned(region);
    EXPECT_EQ(merged.query(region), expected) << region_text(region);
    EXPECT_EQ(own.query(region), expected) << region_text(region);
  }
}

struct Cuts {
  const char* name;
  std::vector<std::size_t> (*make)();
};

const Cuts kCutSets[] = {
    {"one_part", [] { return std::vector<std::size_t>{}; }},
    {"two_parts_inside_a_leaf_bin",
     [] { return std::vector<std::size_t>{at_position(0, 148'003)}; }},
    {"five_parts_reference_boundary_empty_part_unmapped_part",
     [] {
       std::size_t unplaced = reference_start(-1);
       return std::vector<std::size_t>{at_position(0, 148'003), reference_start(2), unplaced,
                                       unplaced};
     }},
    {"five_parts_after_long_records",
     [] {
       return std::vector<std::size_t>{after_record(0, 1'000'000), after_record(2, 10'000'000),
                                       at_position(2, 50'050'000), reference_start(3)};
     }},
    {"five_parts_empty_first_single_record_part",
     [] {
       std::size_t r2 = reference_start(2);
       return std::vector<std::size_t>{0, r2, r2 + 1, after_record(2, 45'000'000)};
     }},
    {"seven_random_parts",
     [] {
       std::mt19937_64 rng(5);
       std::vector<std::size_t> cuts;
       for (int idx = 0; idx < 6; ++idx) cuts.push_back(rng() % dataset().records.size());
       std::sort(cuts.begin(), cuts.end());
       return cuts;
     }},
};

void PrintTo(const Cuts& cuts, std::ostream* out) { *out << cuts.name; }

class IndexMergeTest : public ::testing::TestWithParam<Cuts> {};

TEST_P(IndexMergeTest, FragmentsIndexedWhileWritingAnswerAsHtslibsOwn) {
  ScratchDir dir;
  Gathered gathered = gather(dir, GetParam().make(), FragmentOffsets::kWhileWriting);
  check_merged(dir, gathered, false, FragmentOffsets::kWhileWriting);
  check_merged(dir, gathered, true, FragmentOffsets::kWhileWriting);
}

TEST_P(IndexMergeTest, FragmentsIndexedReadingBackMatchHtslibsOwnTables) {
  ScratchDir dir;
  Gathered gathered = gather(dir, GetParam().make(), FragmentOffsets::kReadBack);
  check_merged(dir, gathered, false, FragmentOffsets::kReadBack);
  check_merged(dir, gathered, true, FragmentOffsets::kReadBack);
}

INSTANTIATE_TEST_SUITE_P(CutSets, IndexMergeTest, ::testing::ValuesIn(kCutSets),
                         [](const ::testing::TestParamInfo<Cuts>& param) {
                           return param.param.name;
                         });

}  // namespace
}  // namespace samsort
