// minimiser_key, minimiser_index, minimiser_order: samtools' minhash on hand-worked reads
// (forward, reverse, -R, -H squash, the XOR salt, reads without a k-mer), its reverse
// complement (IUPAC table, Y -> Y, qualities, FLAG), the key's home in pos/mpos/isize, the
// -I index (repeats, budget refusal) and the order of entries and merge keys.
#include "samsort/order/minimiser_key.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "samsort/core/errors.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/order/minimiser_index.hpp"
#include "samsort/order/minimiser_order.hpp"
#include "test_records.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

constexpr std::uint64_t kBias = std::uint64_t{1} << 30;  // samtools adds 2^30 without -I
const char* const kCodes = "=ACMGRSVTWYHKDBN";

int code_of(char base) { return static_cast<int>(std::string_view(kCodes).find(base)); }

// An unplaced record with sequence `seq` and qualities 0, 1, 2, ...
std::vector<std::uint8_t> unplaced(const std::string& seq, std::uint16_t flag = 0x4) {
  test::RecordSpec spec;
  spec.tid = -1;
  spec.pos = -1;
  spec.flag = flag;
  spec.seq_length = static_cast<std::int32_t>(seq.size());
  std::vector<std::uint8_t> record = test::make_record(spec);
  std::size_t at = bam::kFixedBytes + bam::read_name_bytes(record.data());
  for (std::size_t idx = 0; idx < seq.size(); ++idx) {
    int shift = (idx & 1) != 0 ? 0 : 4;
    std::uint8_t& byte = record[at + idx / 2];
    byte = static_cast<std::uint8_t>((byte & ~(0xf << shift)) | (code_of(seq[idx]) << shift));
  }
  for (std::size_t idx = 0; idx < seq.size(); ++idx) {
    record[at + (seq.size() + 1) / 2 + idx] = static_cast<std::uint8_t>(idx);
  }
  return record;
}

std::string sequence_text(const std::vector<std::uint8_t>& record) {
  std::size_t at = bam::kFixedBytes + bam::read_name_bytes(record.data());
  std::string text;
  for (std::int32_t idx = 0; idx < bam::seq_length(record.data()); ++idx) {
    text += kCodes[(record[at + idx / 2] >> ((idx & 1) != 0 ? 0 : 4)) & 0xf];
  }
  return text;
}

MinimiserKey key_of(const std::string& seq, MinimiserSettings settings) {
  return minimiser_key(unplaced(seq).data(), settings, nullptr);
}

TEST(MinimiserKeyTest, ForwardStrandWinsWhenSmaller) {
  // k = 1: C is 1 forward, its complement G is 2: forward wins; term 65535 - start (0).
  MinimiserKey key = key_of("C", {.kmer = 1});
  EXPECT_EQ(key.key, 1 + kBias);
  EXPECT_EQ(key.term, 65535);
  EXPECT_FALSE(key.reverse);
}

TEST(MinimiserKeyTest, ReverseStrandWinsOnlyWhenStrictlySmaller) {
  MinimiserKey key = key_of("G", {.kmer = 1});  // forward 2, reverse (C) 1
  EXPECT_EQ(key.key, 1 + kBias);
  EXPECT_TRUE(key.reverse);
  // A and its complement T: 0 ^ salt vs 3 ^ salt, salt & 3 = 0: forward. For "AT" (k = 2)
  // both strands give the same k-mer value: a tie keeps the forward strand.
  EXPECT_FALSE(key_of("AT", {.kmer = 2}).reverse);
}

TEST(MinimiserKeyTest, ForwardOnlyWithR) {
  MinimiserKey key = key_of("G", {.kmer = 1, .try_rev = false});
  EXPECT_EQ(key.key, 2 + kBias);
  EXPECT_FALSE(key.reverse);
}

TEST(MinimiserKeyTest, SaltIsXoredIntoEachKmer) {
  // k = 2: mask 0xf, salt 0xdead7878beef7878 & 0xf = 8. AA = 0 -> 8; TT (reverse of AA) =
  // 15 -> 7: the reverse strand wins with 7.
  MinimiserKey key = key_of("AA", {.kmer = 2});
  EXPECT_EQ(key.key, 7 + kBias);
  EXPECT_TRUE(key.reverse);
  EXPECT_EQ(key_of("AA", {.kmer = 2, .try_rev = false}).key, 8 + kBias);
  EXPECT_EQ(kMinimiserXor, 0xdead7878beef7878ULL);
}

TEST(MinimiserKeyTest, HomopolymerSquashSkipsRepeatedBases) {
  // Forward only, k = 2. Plain: AA (8) at bases 0-1 is the minimum, start 0.
  MinimiserKey plain = key_of("AAAC", {.kmer = 2, .try_rev = false});
  EXPECT_EQ(plain.key, 8 + kBias);
  EXPECT_EQ(plain.term, 65535);
  // Squashed: the run of A counts once; the only k-mer is AC (1 ^ 8 = 9), ending at base 3.
  MinimiserKey squashed = key_of("AAAC", {.kmer = 2, .try_rev = false, .squash = true});
  EXPECT_EQ(squashed.key, 9 + kBias);
  EXPECT_EQ(squashed.term, 65535 - 2);
}

TEST(MinimiserKeyTest, ReadWithoutAKmerKeysAsSamtoolsWraps) {
  // UINT64_MAX + 2^30 wraps to 2^30 - 1; the start is -(k - 1), so the term is 65535 + k - 1.
  MinimiserKey key = key_of("ACG", {.kmer = 20});
  EXPECT_EQ(key.key, kBias - 1);
  EXPECT_EQ(key.term, 65535 + 19);
  EXPECT_FALSE(key.reverse);
  EXPECT_EQ(key_of("", {.kmer = 5}).key, kBias - 1);
}

TEST(MinimiserKeyTest, KeyIsModulo2To62) {
  // k = 31: values use 62 bits, so + 2^30 can carry out of them (samtools keeps 31 + 31 bits).
  std::string seq(31, 'T');
  MinimiserKey key = key_of(seq, {.kmer = 31, .try_rev = false});
  std::uint64_t mask = (std::uint64_t{1} << 62) - 1;
  std::uint64_t value = (mask ^ (kMinimiserXor & mask));  // TTT... = all ones, salted
  EXPECT_EQ(key.key, (value + kBias) & mask);
}

TEST(MinimiserKeyTest, KeyTravelsInPosMposIsize) {
  std::vector<std::uint8_t> record = unplaced("ACGTACGT");
  MinimiserKey key{(std::uint64_t{1} << 62) - 5, 65000, false};
  store_minimiser_key(record.data(), key);
  EXPECT_EQ(stored_minimiser_key(record.data()), key.key);
  EXPECT_EQ(stored_minimiser_term(record.data()), 65000);
  clear_minimiser_key(record.data());
  EXPECT_EQ(bam::pos(record.data()), -1);
  EXPECT_EQ(load_le<std::int32_t>(record.data() + 28), -1);
  EXPECT_EQ(load_le<std::int32_t>(record.data() + 32), 0);
}

TEST(MinimiserKeyTest, ReverseComplementAsSamtools) {
  std::vector<std::uint8_t> record = unplaced("ACGTN=RY", 0x4);
  reverse_complement_record(record.data());
  // Reversed: Y R = N T G C A; complemented with samtools' table (Y stays Y, = becomes N).
  EXPECT_EQ(sequence_text(record), "YYNNACGT");
  std::size_t qual_at = bam::kFixedBytes + bam::read_name_bytes(record.data()) + 4;
  for (std::size_t idx = 0; idx < 8; ++idx) EXPECT_EQ(record[qual_at + idx], 7 - idx);
  EXPECT_EQ(bam::flag(record.data()), 0x14);

  std::vector<std::uint8_t> odd = unplaced("ACMKG", 0x14);
  reverse_complement_record(odd.data());
  EXPECT_EQ(sequence_text(odd), "CMKGT");
  EXPECT_EQ(bam::flag(odd.data()), 0x4);
}

TEST(MinimiserIndexTest, RepeatedKmersKeepTheLastPositionWithTheRepeatBit) {
  MemoryBudget budget(64 << 20);
  MinimiserIndex index(8, budget);
  index.insert(42, 100);
  index.insert(7, 5);
  index.insert(42, 300);
  EXPECT_EQ(index.find(7), 5u);
  EXPECT_EQ(index.find(42), 300 | MinimiserIndex::kRepeatedBit);
  EXPECT_FALSE(index.find(8).has_value());
  index.insert(UINT64_MAX, 1);  // any 64-bit value is a key
  EXPECT_EQ(index.find(UINT64_MAX), 1u);
  EXPECT_EQ(index.entry_count(), 3u);
}

TEST(MinimiserIndexTest, IndexedReadKeysByReferencePosition) {
  test::ScratchDir scratch;
  std::string fasta = scratch.file("ref.fa");
  // 120 bases of which the read below is an exact copy of bases 40-79.
  std::string reference;
  for (int idx = 0; idx < 120; ++idx) reference += "ACGT"[(idx * 7 + idx / 5) % 4];
  std::ofstream(fasta) << ">chr\n"
                       << reference.substr(0, 60) << "\n"
                       << reference.substr(60) << "\n";
  MemoryBudget budget(64 << 20);
  MinimiserSettings settings{.kmer = 10, .try_rev = false};
  MinimiserIndex index = MinimiserIndex::build(fasta, settings, 20, budget);
  EXPECT_GT(index.entry_count(), 0u);
  MinimiserKey key = minimiser_key(unplaced(reference.substr(40, 40)).data(), settings, &index);
  EXPECT_EQ(key.term, 0);
  EXPECT_FALSE(key.reverse);
  // The key is the reference position of the chosen k-mer minus its position in the read:
  // the read's offset in the reference when the k-mer is unique.
  EXPECT_LE(key.key, 40u + 40u);
}

TEST(MinimiserIndexTest, RefusesAReferenceThatDoesNotFitInOneLine) {
  test::ScratchDir scratch;
  std::string fasta = scratch.file("ref.fa");
  std::ofstream(fasta) << ">chr\n" << std::string(1 << 20, 'A') << "\n";
  MemoryBudget budget(4 << 20);
  try {
    MinimiserIndex::build(fasta, {.kmer = 1}, 100, budget);
    FAIL() << "expected a ResourceError";
  } catch (const ResourceError& error) {
    EXPECT_NE(std::string(error.what()).find("MiB for its minimiser index"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(budget.reserved_bytes(), 0u);
}

TEST(MinimiserIndexTest, RefusesAFileThatIsNotFasta) {
  test::ScratchDir scratch;
  std::string path = scratch.file("reads.txt");
  std::ofstream(path) << "ACGT\n";
  MemoryBudget budget(64 << 20);
  EXPECT_THROW(MinimiserIndex::build(path, {}, 100, budget), FormatError);
}

TEST(MinimiserOrderTest, PlacedFirstThenKeyThenTermDescendingThenStrand) {
  using Key = MinimiserOrder::MergeKey;
  auto placed = [](std::int32_t tid, std::int32_t pos) {
    test::RecordSpec spec;
    spec.tid = tid;
    spec.pos = pos;
    return test::make_record(spec);
  };
  auto keyed = [](std::uint64_t key, std::int32_t term, std::uint16_t flag) {
    std::vector<std::uint8_t> record = unplaced("ACGT", flag);
    store_minimiser_key(record.data(), {key, term, false});
    return record;
  };
  std::vector<std::vector<std::uint8_t>> in_order = {
      placed(0, 5),         placed(0, 7),
      placed(3, 0),         keyed(1, 70000, 0x4),
      keyed(1, 9, 0x4),     keyed(1, 9, 0x14),
      keyed(2, 65535, 0x4), keyed((std::uint64_t{1} << 62) - 1, 0, 0x4)};
  for (std::size_t idx = 0; idx + 1 < in_order.size(); ++idx) {
    Key before = MinimiserOrder::merge_key(in_order[idx].data());
    Key after = MinimiserOrder::merge_key(in_order[idx + 1].data());
    EXPECT_TRUE(MinimiserOrder::merge_less(before, after)) << idx;
    EXPECT_FALSE(MinimiserOrder::merge_less(after, before)) << idx;
  }
}

TEST(MinimiserOrderTest, HeaderTagsFollowWhetherAnyRecordIsPlaced) {
  HeaderSortTags placed = MinimiserOrder::header_tags_after_input(true);
  EXPECT_STREQ(placed.sort_order, "coordinate");
  EXPECT_STREQ(placed.sub_sort, "coordinate:minhash");
  EXPECT_EQ(placed.group_order, nullptr);
  HeaderSortTags unplaced_only = MinimiserOrder::header_tags_after_input(false);
  EXPECT_STREQ(unplaced_only.sort_order, "unsorted");
  EXPECT_STREQ(unplaced_only.sub_sort, "unsorted:minhash");
}

TEST(MinimiserOrderTest, TransformRunKeysAndAdjustsTheChecksumToTheOutputForm) {
  // Two unplaced reads and a placed one in a little arena; the checksum of what was read
  // plus the returned delta equals the checksum of the records' output forms.
  std::vector<std::vector<std::uint8_t>> records = {unplaced("GGGGGGGGGGGG"),
                                                    unplaced("ACGTTGCAACGT"), [] {
                                                      test::RecordSpec spec;
                                                      spec.tid = 1;
                                                      spec.pos = 10;
                                                      spec.seq_length = 5;
                                                      return test::make_record(spec);
                                                    }()};
  std::vector<std::uint8_t> arena;
  for (const auto& record : records) arena.insert(arena.begin(), record.begin(), record.end());
  std::uint8_t* top = arena.data() + arena.size();
  std::vector<MinimiserOrder::Entry> entries;
  std::uint64_t offset = 0;
  RecordChecksum read;
  for (const auto& record : records) {
    offset += record.size();
    read.add(record.data(), record.size());
    entries.push_back(MinimiserOrder::make_entry(top - offset, offset));
  }
  MinimiserOrder order({.kmer = 5}, nullptr);
  read.adjust(order.transform_run(entries.data(), entries.size(), top, 2));
  RecordChecksum written;
  for (const auto& entry : entries) {
    std::uint8_t* record = top - entry.offset;
    EXPECT_EQ(MinimiserOrder::make_entry(record, entry.offset).w0, entry.w0);
    MinimiserOrder::to_output_form(record);
    written.add(record, bam::record_bytes(record));
  }
  EXPECT_TRUE(read == written);
  // G... keys from its reverse strand (C... is smaller): reverse-complemented.
  std::uint8_t* first = top - entries[0].offset;
  EXPECT_EQ(bam::flag(first), 0x14);
  EXPECT_EQ(bam::pos(first), -1);
}

// A run big enough for the thread team (config::kMinimiserParallelMinRecords): 4 threads key
// it exactly as 1 does (records, entries and checksum delta). In the TSan list.
TEST(MinimiserOrderTest, TransformRunOnATeamEqualsOneThread) {
  constexpr std::size_t kRecords = 6000;
  const char* const bases = "ACGTN";
  std::vector<std::uint8_t> arena;
  std::vector<std::uint64_t> offsets;
  std::uint32_t state = 12345;
  for (std::size_t idx = 0; idx < kRecords; ++idx) {
    std::string seq;
    for (int base = 0; base < 60; ++base) {
      state = state * 1103515245u + 12345u;
      seq += bases[(state >> 16) % 5];
    }
    std::vector<std::uint8_t> record = unplaced(seq);
    arena.insert(arena.begin(), record.begin(), record.end());
    offsets.push_back(offsets.empty() ? record.size() : offsets.back() + record.size());
  }
  auto transformed = [&](std::size_t threads, std::vector<MinimiserOrder::Entry>& entries,
                         std::uint64_t& delta) {
    std::vector<std::uint8_t> copy = arena;
    std::uint8_t* top = copy.data() + copy.size();
    entries.clear();
    for (std::uint64_t offset : offsets) {
      entries.push_back(MinimiserOrder::make_entry(top - offset, offset));
    }
    MinimiserOrder order({.kmer = 11}, nullptr);
    delta = order.transform_run(entries.data(), entries.size(), top, threads);
    return copy;
  };
  std::vector<MinimiserOrder::Entry> one_entries;
  std::vector<MinimiserOrder::Entry> team_entries;
  std::uint64_t one_delta = 0;
  std::uint64_t team_delta = 0;
  std::vector<std::uint8_t> one = transformed(1, one_entries, one_delta);
  std::vector<std::uint8_t> team = transformed(4, team_entries, team_delta);
  EXPECT_EQ(one, team);
  EXPECT_EQ(one_delta, team_delta);
  ASSERT_EQ(one_entries.size(), team_entries.size());
  for (std::size_t idx = 0; idx < one_entries.size(); ++idx) {
    EXPECT_EQ(one_entries[idx].w0, team_entries[idx].w0);
    EXPECT_EQ(one_entries[idx].w1, team_entries[idx].w1);
  }
}

}  // namespace
}  // namespace samsort
