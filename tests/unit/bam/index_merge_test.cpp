// merge_index_fragments: a coordinate-sorted record set cut into parts, each part written
// headerless with its own htslib index fragment (BAI and CSI), gathered behind a header; the
// merged index must give htslib's idxstats and answer every region as a scan and as htslib's own
// index of the gathered file do. Corrupt and mismatched fragments are errors.
#include "samsort/bam/index_merge.hpp"

#include <gtest/gtest.h>
#include <htslib/bgzf.h>
#include <htslib/hts.h>
#include <htslib/sam.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "hts_test_records.hpp"
#include "samsort/core/errors.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

using test::HeaderPtr;
using test::RecordPtr;

struct Reference {
  const char* name;
  std::int64_t length;
};
// r1 and r4 stay empty; r2 needs a CSI depth of 5 at min_shift 14.
constexpr Reference kReferences[] = {
    {"r0", 3'000'000}, {"r1", 200'000}, {"r2", 100'000'000}, {"r3", 1'000}, {"r4", 500'000}};
constexpr int kReferenceCount = 5;
constexpr std::int32_t kCsiMinShift = 14;

struct IdxFree {
  void operator()(hts_idx_t* index) const { hts_idx_destroy(index); }
};
struct SamClose {
  void operator()(samFile* file) const { sam_close(file); }
};
struct ItrFree {
  void operator()(hts_itr_t* iterator) const { hts_itr_destroy(iterator); }
};
using IndexPtr = std::unique_ptr<hts_idx_t, IdxFree>;
using SamPtr = std::unique_ptr<samFile, SamClose>;
using ItrPtr = std::unique_ptr<hts_itr_t, ItrFree>;

// A record to make: reference (-1: unplaced), 0-based position, CIGAR ("*": unmapped).
struct Spec {
  int tid;
  std::int64_t pos;
  std::string cigar;
};

std::int64_t query_length(const std::string& cigar) {
  std::int64_t total = 0;
  std::int64_t number = 0;
  for (char symbol : cigar) {
    if (symbol >= '0' && symbol <= '9') {
      number = number * 10 + (symbol - '0');
      continue;
    }
    if (symbol == 'M' || symbol == 'I' || symbol == 'S') total += number;
    number = 0;
  }
  return total;
}

// The record set: a dense stretch (so some leaf bins outgrow htslib's 64 KiB folding), sparse
// records, records spanning bins at levels 1-4, unmapped records placed on references, and
// unplaced ones at the end.
std::vector<Spec> make_specs() {
  std::mt19937_64 rng(20261204);
  std::vector<Spec> specs;
  auto uniform = [&](std::int64_t below) {
    return static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(below));
  };
  for (int idx = 0; idx < 12000; ++idx) specs.push_back({0, 100'000 + idx * 8, "150M"});
  for (int idx = 0; idx < 400; ++idx) specs.push_back({0, uniform(2'900'000), "100M"});
  for (int idx = 0; idx < 60; ++idx) specs.push_back({0, uniform(2'900'000), "*"});
  specs.push_back({0, 50'000, "50M20000N50M"});
  specs.push_back({0, 400'000, "50M200000N50M"});
  specs.push_back({0, 1'000'000, "50M1900000N50M"});
  specs.push_back({0, 2'500'000, "50M300000N50M"});
  for (int idx = 0; idx < 5000; ++idx) specs.push_back({2, 50'000'000 + idx * 20, "100M"});
  for (int idx = 0; idx < 2000; ++idx) specs.push_back({2, uniform(99'900'000), "100M"});
  for (int idx = 0; idx < 40; ++idx) specs.push_back({2, uniform(99'900'000), "*"});
  specs.push_back({2, 10'000'000, "50M30000000N50M"});
  specs.push_back({2, 45'000'000, "50M5000000N50M"});
  specs.push_back({2, 70'000'000, "50M500000N50M"});
  specs.push_back({2, 80'000'000, "50M50000N50M"});
  for (int idx = 0; idx < 20; ++idx) specs.push_back({3, idx * 40, "50M"});
  for (int idx = 0; idx < 300; ++idx) specs.push_back({-1, -1, "*"});
  std::stable_sort(specs.begin(), specs.end(), [](const Spec& left, const Spec& right) {
    auto key = [](const Spec& spec) { return spec.tid < 0 ? kReferenceCount : spec.tid; };
    return key(left) != key(right) ? key(left) < key(right) : left.pos < right.pos;
  });
  return specs;
}

std::string sam_line(const Spec& spec, std::size_t idx, std::mt19937_64& rng) {
  static const char kBases[] = "ACGT";
  std::int64_t length = spec.cigar == "*" ? 100 : query_length(spec.cigar);
  std::string seq;
  std::string qual;
  for (std::int64_t base = 0; base < length; ++base) {
    seq += kBases[rng() % 4];
    qual += static_cast<char>('!' + rng() % 41);
  }
  std::string name = std::to_string(idx);
  name = "q" + std::string(6 - std::min<std::size_t>(6, name.size()), '0') + name;
  bool placed = spec.tid >= 0;
  std::string line = name + '\t' + (spec.cigar == "*" ? "4" : "0") + '\t' +
                     (placed ? kReferences[spec.tid].name : "*") + '\t' +
                     std::to_string(spec.pos + 1) + "\t" + (spec.cigar == "*" ? "0" : "60") + '\t' +
                     spec.cigar + "\t*\t0\t0\t" + seq + '\t' + qual;
  return line;
}

struct Dataset {
  HeaderPtr header;
  std::vector<RecordPtr> records;
};

const Dataset& dataset() {
  static const Dataset* data = [] {
    auto* made = new Dataset;
    std::string text = "@HD\tVN:1.6\tSO:coordinate\n";
    for (const Reference& reference : kReferences) {
      text += std::string("@SQ\tSN:") + reference.name +
              "\tLN:" + std::to_string(reference.length) + "\n";
    }
    made->header.reset(sam_hdr_parse(text.size(), text.c_str()));
    std::mt19937_64 rng(7);
    std::vector<Spec> specs = make_specs();
    for (std::size_t idx = 0; idx < specs.size(); ++idx) {
      made->records.push_back(test::parse_sam(made->header.get(), sam_line(specs[idx], idx, rng)));
    }
    return made;
  }();
  return *data;
}

// Index of the first record satisfying `wanted`.
template <class Wanted>
std::size_t first_record(Wanted&& wanted) {
  const auto& records = dataset().records;
  for (std::size_t idx = 0; idx < records.size(); ++idx) {
    if (wanted(records[idx]->core)) return idx;
  }
  return records.size();
}

std::size_t reference_start(int tid) {
  return first_record([&](const bam1_core_t& core) {
    return tid < 0 ? core.tid < 0 : core.tid >= tid || core.tid < 0;
  });
}

// The samtools parameters BamIndexBuilder uses: BAI, or CSI at min_shift 14 with the depth the
// longest reference needs.
hts_idx_t* new_fragment(bool csi) {
  int levels = 5;
  if (csi) {
    std::int64_t max_length = 0;
    for (const Reference& reference : kReferences) {
      max_length = std::max(max_length, reference.length);
    }
    max_length += 256;
    levels = 0;
    for (std::int64_t span = std::int64_t{1} << kCsiMinShift; max_length > span; span <<= 3) {
      ++levels;
    }
  }
  return hts_idx_init(kReferenceCount, csi ? HTS_FMT_CSI : HTS_FMT_BAI, 0, kCsiMinShift, levels);
}

// htslib's 28-byte BGZF EOF block.
const std::uint8_t kEofBlock[28] = {0x1f, 0x8b, 8,    4, 0, 0, 0, 0, 0, 0xff, 6, 0, 0x42, 0x43,
                                    2,    0,    0x1b, 0, 3, 0, 0, 0, 0, 0,    0, 0, 0,    0};

// bgzf_close ends every BGZF file with the EOF block; a part and the header go without it.
std::uint64_t drop_eof_block(const std::string& path) {
  std::vector<std::uint8_t> bytes = test::read_file_bytes(path);
  EXPECT_GE(bytes.size(), sizeof kEofBlock);
  EXPECT_TRUE(std::equal(bytes.end() - sizeof kEofBlock, bytes.end(), kEofBlock));
  std::filesystem::resize_file(path, bytes.size() - sizeof kEofBlock);
  return bytes.size() - sizeof kEofBlock;
}

// The gathered BAM and, for each format, its parts' fragments.
struct Gathered {
  std::string bam_path;
  std::uint64_t header_bytes = 0;
  std::vector<IndexFragment> fragments[2];  // [0] BAI, [1] CSI
};

// Writes records [begin, end) as a headerless BGZF part, indexed as it is written (each record
// pushed with the offset where it ends, as sam_write1 does), flushed so no block is shared.
std::uint64_t write_part(const std::string& path, std::size_t begin, std::size_t end,
                         const std::string& fragment_prefix) {
  BGZF* file = bgzf_open(path.c_str(), "w");
  EXPECT_NE(file, nullptr);
  hts_idx_t* indexes[2] = {new_fragment(false), new_fragment(true)};
  for (std::size_t idx = begin; idx < end; ++idx) {
    const bam1_t* record = dataset().records[idx].get();
    EXPECT_GE(bam_write1(file, record), 0);
    for (hts_idx_t* index : indexes) {
      EXPECT_EQ(hts_idx_push(index, record->core.tid, record->core.pos, bam_endpos(record),
                             bgzf_tell(file), !(record->core.flag & BAM_FUNMAP)),
                0);
    }
  }
  EXPECT_EQ(bgzf_flush(file), 0);
  std::uint64_t final_offset = static_cast<std::uint64_t>(bgzf_tell(file));
  for (int csi = 0; csi < 2; ++csi) {
    EXPECT_EQ(hts_idx_finish(indexes[csi], final_offset), 0);
    std::string fragment = fragment_prefix + (csi ? ".csi" : ".bai");
    EXPECT_EQ(hts_idx_save_as(indexes[csi], path.c_str(), fragment.c_str(),
                              csi ? HTS_FMT_CSI : HTS_FMT_BAI),
              0);
    hts_idx_destroy(indexes[csi]);
  }
  EXPECT_EQ(bgzf_close(file), 0);
  std::uint64_t bytes = drop_eof_block(path);
  EXPECT_EQ(final_offset, bytes << 16);
  return bytes;
}

Gathered gather(const test::ScratchDir& dir, const std::vector<std::size_t>& cuts) {
  Gathered gathered;
  std::string header_path = dir.file("header.bgzf");
  BGZF* header = bgzf_open(header_path.c_str(), "w");
  EXPECT_EQ(bam_hdr_write(header, dataset().header.get()), 0);
  EXPECT_EQ(bgzf_close(header), 0);
  gathered.header_bytes = drop_eof_block(header_path);
  std::vector<std::uint8_t> bam = test::read_file_bytes(header_path);

  std::vector<std::size_t> bounds = {0};
  bounds.insert(bounds.end(), cuts.begin(), cuts.end());
  bounds.push_back(dataset().records.size());
  for (std::size_t part = 0; part + 1 < bounds.size(); ++part) {
    std::string part_path = dir.file("part" + std::to_string(part));
    std::uint64_t bytes = write_part(part_path, bounds[part], bounds[part + 1], part_path);
    for (int csi = 0; csi < 2; ++csi) {
      gathered.fragments[csi].push_back({part_path + (csi ? ".csi" : ".bai"), bytes});
    }
    std::vector<std::uint8_t> part_bytes = test::read_file_bytes(part_path);
    bam.insert(bam.end(), part_bytes.begin(), part_bytes.end());
  }
  bam.insert(bam.end(), std::begin(kEofBlock), std::end(kEofBlock));
  gathered.bam_path = dir.file("gathered.bam");
  test::write_file_bytes(gathered.bam_path, bam);
  return gathered;
}

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

std::vector<std::size_t> queried(const Gathered& gathered, const std::string& index_path,
                                 const Region& region) {
  SamPtr file(sam_open(gathered.bam_path.c_str(), "r"));
  HeaderPtr header(sam_hdr_read(file.get()));
  IndexPtr index(sam_index_load2(file.get(), gathered.bam_path.c_str(), index_path.c_str()));
  EXPECT_NE(index, nullptr) << index_path;
  if (index == nullptr) return {};
  ItrPtr iterator(sam_itr_querys(index.get(), header.get(), region_text(region).c_str()));
  EXPECT_NE(iterator, nullptr) << region_text(region);
  std::vector<std::size_t> found;
  RecordPtr record(bam_init1());
  int status = 0;
  while (iterator != nullptr &&
         (status = sam_itr_next(file.get(), iterator.get(), record.get())) >= 0) {
    found.push_back(std::stoul(bam_get_qname(record.get()) + 1));
  }
  EXPECT_EQ(status, -1) << region_text(region);
  return found;
}

std::vector<Region> regions_to_check() {
  std::vector<Region> regions;
  for (int tid = 0; tid < kReferenceCount; ++tid)
    regions.push_back({tid, 0, kReferences[tid].length});
  regions.push_back({HTS_IDX_NOCOOR, 0, 0});
  // Inside long records whose later neighbours went to the next part; at the dense cut.
  regions.push_back({0, 1'500'000, 1'500'100});
  regions.push_back({0, 148'000, 148'010});
  regions.push_back({2, 20'000'000, 20'000'010});
  regions.push_back({2, 47'000'000, 47'100'000});
  regions.push_back({2, 50'049'990, 50'050'100});
  std::mt19937_64 rng(99);
  const std::int64_t widths[] = {1, 10, 1'000, 20'000, 300'000, 5'000'000};
  for (int idx = 0; idx < 150; ++idx) {
    int tid = static_cast<int>(rng() % kReferenceCount);
    std::int64_t begin = static_cast<std::int64_t>(rng() % kReferences[tid].length);
    std::int64_t end = std::min(begin + widths[rng() % 6], kReferences[tid].length);
    regions.push_back({tid, begin, end});
  }
  // One-base windows at records' own starts.
  const auto& records = dataset().records;
  for (int idx = 0; idx < 60; ++idx) {
    const bam1_t* record = records[rng() % records.size()].get();
    if (record->core.tid >= 0) {
      regions.push_back({record->core.tid, record->core.pos, record->core.pos + 1});
    }
  }
  return regions;
}

std::vector<std::uint8_t> decompressed(const std::string& path) {
  BGZF* file = bgzf_open(path.c_str(), "r");
  std::vector<std::uint8_t> bytes;
  std::uint8_t buffer[65536];
  ssize_t got = 0;
  while ((got = bgzf_read(file, buffer, sizeof buffer)) > 0)
    bytes.insert(bytes.end(), buffer, buffer + got);
  bgzf_close(file);
  return bytes;
}

void check_merged(const test::ScratchDir& dir, const Gathered& gathered, bool csi) {
  SCOPED_TRACE(csi ? "CSI" : "BAI");
  std::string merged_path = dir.file(csi ? "merged.csi" : "merged.bai");
  std::string own_path = dir.file(csi ? "own.csi" : "own.bai");
  MemoryBudget budget(64 << 20);
  merge_index_fragments(gathered.fragments[csi], gathered.header_bytes, merged_path, budget);
  EXPECT_EQ(budget.reserved_bytes(), 0u);
  ASSERT_EQ(
      sam_index_build3(gathered.bam_path.c_str(), own_path.c_str(), csi ? kCsiMinShift : 0, 1), 0);

  SamPtr file(sam_open(gathered.bam_path.c_str(), "r"));
  IndexPtr merged(sam_index_load2(file.get(), gathered.bam_path.c_str(), merged_path.c_str()));
  IndexPtr own(sam_index_load2(file.get(), gathered.bam_path.c_str(), own_path.c_str()));
  ASSERT_NE(merged, nullptr);
  ASSERT_NE(own, nullptr);
  EXPECT_EQ(hts_idx_fmt(merged.get()), csi ? HTS_FMT_CSI : HTS_FMT_BAI);
  EXPECT_EQ(hts_idx_nseq(merged.get()), hts_idx_nseq(own.get()));
  for (int tid = 0; tid < kReferenceCount; ++tid) {
    std::uint64_t stats[2][2] = {};
    int merged_rc = hts_idx_get_stat(merged.get(), tid, &stats[0][0], &stats[0][1]);
    int own_rc = hts_idx_get_stat(own.get(), tid, &stats[1][0], &stats[1][1]);
    EXPECT_EQ(merged_rc, own_rc) << tid;
    EXPECT_EQ(stats[0][0], stats[1][0]) << tid;
    EXPECT_EQ(stats[0][1], stats[1][1]) << tid;
  }
  EXPECT_EQ(hts_idx_get_n_no_coor(merged.get()), hts_idx_get_n_no_coor(own.get()));

  for (const Region& region : regions_to_check()) {
    std::vector<std::size_t> expected = scanned(region);
    EXPECT_EQ(queried(gathered, merged_path, region), expected) << region_text(region);
    EXPECT_EQ(queried(gathered, own_path, region), expected) << region_text(region);
  }
  // Informative: the chunk layout may differ from htslib's (index_merge.hpp).
  bool identical = decompressed(merged_path) == decompressed(own_path);
  std::cout << "[ info     ] " << (csi ? "CSI" : "BAI") << " merged from "
            << gathered.fragments[csi].size() << " fragments is "
            << (identical ? "byte-identical to" : "different in bytes from")
            << " htslib's own index\n";
}

struct Cuts {
  const char* name;
  std::vector<std::size_t> (*make)();
};

std::size_t after_record(int tid, std::int64_t pos) {
  return first_record([&](const bam1_core_t& core) { return core.tid == tid && core.pos == pos; }) +
         1;
}
std::size_t at_position(int tid, std::int64_t pos) {
  return first_record([&](const bam1_core_t& core) { return core.tid == tid && core.pos >= pos; });
}

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

class IndexMergeTest : public ::testing::TestWithParam<Cuts> {};

TEST_P(IndexMergeTest, MergedIndexAnswersAsHtslibsOwn) {
  test::ScratchDir dir;
  Gathered gathered = gather(dir, GetParam().make());
  check_merged(dir, gathered, false);
  check_merged(dir, gathered, true);
}

INSTANTIATE_TEST_SUITE_P(CutSets, IndexMergeTest, ::testing::ValuesIn(kCutSets),
                         [](const ::testing::TestParamInfo<Cuts>& param) {
                           return param.param.name;
                         });

}  // namespace
}  // namespace samsort
