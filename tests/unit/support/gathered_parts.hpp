// Gathered parts for the index merge tests: a coordinate-sorted record set (several references,
// two of them empty, a dense stretch, records spanning bins at levels 1-4, unmapped records placed
// and unplaced), cut into parts written headerless with their own htslib BAI and CSI fragments,
// and the gathered BAM: header + parts + EOF block.
#pragma once
#include <gtest/gtest.h>
#include <htslib/bgzf.h>
#include <htslib/hts.h>
#include <htslib/sam.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "hts_test_records.hpp"
#include "samsort/bam/index_merge.hpp"
#include "test_support.hpp"

namespace samsort::test {

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

inline std::int64_t query_length(const std::string& cigar) {
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
inline std::vector<Spec> make_specs() {
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

inline std::string sam_line(const Spec& spec, std::size_t idx, std::mt19937_64& rng) {
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

// Made once per test program.
inline const Dataset& dataset() {
  static const Dataset data = [] {
    Dataset made;
    std::string text = "@HD\tVN:1.6\tSO:coordinate\n";
    for (const Reference& reference : kReferences) {
      text += std::string("@SQ\tSN:") + reference.name +
              "\tLN:" + std::to_string(reference.length) + "\n";
    }
    made.header.reset(sam_hdr_parse(text.size(), text.c_str()));
    std::mt19937_64 rng(7);
    std::vector<Spec> specs = make_specs();
    for (std::size_t idx = 0; idx < specs.size(); ++idx) {
      made.records.push_back(parse_sam(made.header.get(), sam_line(specs[idx], idx, rng)));
    }
    return made;
  }();
  return data;
}

// Index of the first record satisfying `wanted`.
template <class Wanted>
inline std::size_t first_record(Wanted&& wanted) {
  const auto& records = dataset().records;
  for (std::size_t idx = 0; idx < records.size(); ++idx) {
    if (wanted(records[idx]->core)) return idx;
  }
  return records.size();
}

inline std::size_t reference_start(int tid) {
  return first_record([&](const bam1_core_t& core) {
    return tid < 0 ? core.tid < 0 : core.tid >= tid || core.tid < 0;
  });
}

// The samtools parameters BamIndexBuilder uses: BAI, or CSI at min_shift 14 with the depth the
// longest reference needs.
inline hts_idx_t* new_fragment(bool csi) {
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
inline const std::uint8_t kEofBlock[28] = {0x1f, 0x8b, 8,    4,    0, 0, 0,    0, 0, 0xff,
                                           6,    0,    0x42, 0x43, 2, 0, 0x1b, 0, 3, 0,
                                           0,    0,    0,    0,    0, 0, 0,    0};

// bgzf_close ends every BGZF file with the EOF block; a part and the header go without it.
inline std::uint64_t drop_eof_block(const std::string& path) {
  std::vector<std::uint8_t> bytes = read_file_bytes(path);
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

// How a part's fragment learns its records' virtual offsets.
enum class FragmentOffsets {
  kWhileWriting,  // as sam_write1 indexes on the fly: a record that does not fit the current
                  // block starts a new one; its end is bgzf_tell after writing it (the end of
                  // a block when it filled one)
  kReadBack,      // as sam_index_build: bgzf_tell after reading each record back
};

inline void push_record(hts_idx_t* const (&indexes)[2], const bam1_t* record,
                        std::int64_t end_offset) {
  for (hts_idx_t* index : indexes) {
    EXPECT_EQ(
        hts_idx_push(index, record->core.tid, record->core.pos, bam_endpos(record),
                     static_cast<std::uint64_t>(end_offset), !(record->core.flag & BAM_FUNMAP)),
        0);
  }
}

// Writes records [begin, end) as a headerless BGZF part (flushed: no block shared with the next
// part, no EOF block) and its BAI and CSI fragments, `fragment_prefix` + ".bai"/".csi".
inline std::uint64_t write_part(const std::string& path, std::size_t begin, std::size_t end,
                                const std::string& fragment_prefix, FragmentOffsets offsets) {
  BGZF* file = bgzf_open(path.c_str(), "w");
  EXPECT_NE(file, nullptr);
  hts_idx_t* const indexes[2] = {new_fragment(false), new_fragment(true)};
  for (std::size_t idx = begin; idx < end; ++idx) {
    const bam1_t* record = dataset().records[idx].get();
    if (offsets == FragmentOffsets::kWhileWriting) {
      EXPECT_EQ(bgzf_flush_try(file, 4 + 32 + record->l_data - record->core.l_extranul), 0);
    }
    EXPECT_GE(bam_write1(file, record), 0);
    if (offsets == FragmentOffsets::kWhileWriting) push_record(indexes, record, bgzf_tell(file));
  }
  EXPECT_EQ(bgzf_flush(file), 0);
  auto final_offset = static_cast<std::uint64_t>(bgzf_tell(file));
  EXPECT_EQ(bgzf_close(file), 0);
  if (offsets == FragmentOffsets::kReadBack) {  // before the EOF block goes: htslib warns without
    BGZF* part = bgzf_open(path.c_str(), "r");
    RecordPtr record(bam_init1());
    while (bam_read1(part, record.get()) >= 0) push_record(indexes, record.get(), bgzf_tell(part));
    bgzf_close(part);
  }
  std::uint64_t bytes = drop_eof_block(path);
  EXPECT_EQ(final_offset, bytes << 16);
  for (int csi = 0; csi < 2; ++csi) {
    EXPECT_EQ(hts_idx_finish(indexes[csi], final_offset), 0);
    std::string fragment = fragment_prefix + (csi ? ".csi" : ".bai");
    EXPECT_EQ(hts_idx_save_as(indexes[csi], path.c_str(), fragment.c_str(),
                              csi ? HTS_FMT_CSI : HTS_FMT_BAI),
              0);
    hts_idx_destroy(indexes[csi]);
  }
  return bytes;
}

// Header (its own BGZF block), the parts cut at `cuts` (record indices), EOF block.
inline Gathered gather(const ScratchDir& dir, const std::vector<std::size_t>& cuts,
                       FragmentOffsets offsets) {
  Gathered gathered;
  std::string header_path = dir.file("header.bgzf");
  BGZF* header = bgzf_open(header_path.c_str(), "w");
  EXPECT_EQ(bam_hdr_write(header, dataset().header.get()), 0);
  EXPECT_EQ(bgzf_close(header), 0);
  gathered.header_bytes = drop_eof_block(header_path);
  std::vector<std::uint8_t> bam = read_file_bytes(header_path);

  std::vector<std::size_t> bounds = {0};
  bounds.insert(bounds.end(), cuts.begin(), cuts.end());
  bounds.push_back(dataset().records.size());
  for (std::size_t part = 0; part + 1 < bounds.size(); ++part) {
    std::string part_path = dir.file("part" + std::to_string(part));
    std::uint64_t bytes = write_part(part_path, bounds[part], bounds[part + 1], part_path, offsets);
    for (int csi = 0; csi < 2; ++csi) {
      gathered.fragments[csi].push_back({part_path + (csi ? ".csi" : ".bai"), bytes});
    }
    std::vector<std::uint8_t> part_bytes = read_file_bytes(part_path);
    bam.insert(bam.end(), part_bytes.begin(), part_bytes.end());
  }
  bam.insert(bam.end(), std::begin(kEofBlock), std::end(kEofBlock));
  gathered.bam_path = dir.file("gathered.bam");
  write_file_bytes(gathered.bam_path, bam);
  return gathered;
}

inline std::size_t after_record(int tid, std::int64_t pos) {
  return first_record([&](const bam1_core_t& core) { return core.tid == tid && core.pos == pos; }) +
         1;
}
inline std::size_t at_position(int tid, std::int64_t pos) {
  return first_record([&](const bam1_core_t& core) { return core.tid == tid && core.pos >= pos; });
}

}  // namespace samsort::test
