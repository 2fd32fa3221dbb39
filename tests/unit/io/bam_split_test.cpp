// Split guessing: BAM files written by htslib (and re-blocked so that records span blocks),
// whose true record offsets are read back with bgzf_tell; every block offset and scattered byte
// offsets must give the first true record at or after the first block there. Also adversarial
// content (fake records and fake BGZF blocks inside qualities and aux arrays), the header, the
// end, truncated, damaged and garbage files.
#include "samsort/io/bam_split.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <htslib/bgzf.h>
#include <htslib/sam.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "hts_test_records.hpp"
#include "samsort/bam/bam_header.hpp"
#include "samsort/core/byte_order.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/memory_budget.hpp"
#include "samsort/io/bgzf_block.hpp"
#include "samsort/io/file_io.hpp"
#include "test_bgzf.hpp"
#include "test_support.hpp"

namespace samsort {
namespace {

using test::HeaderPtr;
using test::RecordPtr;

constexpr hts_pos_t kReferenceLength = 1'000'000;

// prefix + number (built with += : GCC 12 misreports `"literal" + std::string` under -O2).
std::string numbered(const char* prefix, std::size_t number) {
  std::string text(prefix);
  text += std::to_string(number);
  return text;
}

std::string header_text(int reference_count, std::size_t comment_lines = 0) {
  std::string text = "@HD\tVN:1.6\tSO:unsorted\n";
  for (int idx = 0; idx < reference_count; ++idx) {
    text += numbered("@SQ\tSN:reference_with_a_long_name_", idx) +
            numbered("\tLN:", kReferenceLength) + "\n";
  }
  for (std::size_t idx = 0; idx < comment_lines; ++idx) {
    text += numbered("@CO\tcomment line ", idx) + " to make the header span blocks\n";
  }
  return text;
}

struct RecordShape {
  std::string name;
  int ref_idx = 0;
  hts_pos_t pos = 0;
  std::uint16_t flag = 0;
  std::size_t bases = 100;
  std::vector<std::uint8_t> qual;  // empty: random qualities
};

RecordPtr make_record(const RecordShape& shape, std::mt19937_64& rng) {
  static const char kBases[] = "ACGT";
  std::string seq(shape.bases, 'A');
  for (char& base : seq) base = kBases[rng() % 4];
  std::vector<std::uint8_t> qual = shape.qual;
  if (qual.empty()) {
    qual.resize(shape.bases);
    for (std::uint8_t& value : qual) value = static_cast<std::uint8_t>(2 + rng() % 39);
  }
  bool unmapped = (shape.flag & BAM_FUNMAP) != 0;
  std::uint32_t cigar = bam_cigar_gen(shape.bases, BAM_CMATCH);
  RecordPtr record(bam_init1());
  EXPECT_GE(
      bam_set1(record.get(), shape.name.size(), shape.name.c_str(), shape.flag, shape.ref_idx,
               shape.pos, unmapped ? 0 : 60, unmapped ? 0 : 1, &cigar, shape.ref_idx, shape.pos, 0,
               shape.bases, seq.c_str(), reinterpret_cast<const char*>(qual.data()), 0),
      0);
  return record;
}

void append_array(bam1_t* record, const char tag[2], const std::vector<std::uint8_t>& bytes) {
  std::vector<std::uint8_t> data(5);
  data[0] = 'C';
  store_le32(data.data() + 1, static_cast<std::uint32_t>(bytes.size()));
  data.insert(data.end(), bytes.begin(), bytes.end());
  ASSERT_EQ(bam_aux_append(record, tag, 'B', static_cast<int>(data.size()), data.data()), 0);
}

// A written BAM and the truth about it.
struct TestBam {
  std::string path;
  std::uint64_t file_bytes = 0;
  std::vector<std::uint64_t> block_offsets;
  std::vector<std::uint64_t> starts;  // virtual offsets of the records, at block starts when
                                      // a record starts exactly at a block boundary
};

// Rewrites `bam` (whose blocks are `blocks`) with the same payload in blocks of
// `payload_bytes`, and its truth with it.
void reblock(TestBam* bam, const std::vector<test::ParsedBlock>& blocks, int level,
             std::size_t payload_bytes) {
  std::vector<std::uint64_t> payload_offsets;  // of each block
  std::uint64_t total = 0;
  for (const test::ParsedBlock& block : blocks) {
    payload_offsets.push_back(total);
    total += block.payload.size();
  }
  std::vector<std::uint8_t> payload = test::joined_payload(blocks);
  BlockDeflater deflater(level == 0 ? 0 : 6);
  std::vector<std::uint8_t> file;
  std::vector<std::uint8_t> block(config::kBgzfMaxBlockBytes);
  bam->block_offsets.clear();
  for (std::size_t at = 0; at < payload.size(); at += payload_bytes) {
    std::size_t take = std::min(payload_bytes, payload.size() - at);
    bam->block_offsets.push_back(file.size());
    std::size_t size = deflater.deflate(payload.data() + at, take, block.data());
    file.insert(file.end(), block.begin(), block.begin() + static_cast<long>(size));
  }
  bam->block_offsets.push_back(file.size());
  file.insert(file.end(), kBgzfEofBlock, kBgzfEofBlock + 28);
  for (std::uint64_t& start : bam->starts) {
    std::size_t idx = 0;
    while (blocks[idx].offset != start >> 16) ++idx;
    std::uint64_t in_stream = payload_offsets[idx] + (start & 0xffff);
    start = bam->block_offsets[in_stream / payload_bytes] << 16 | in_stream % payload_bytes;
  }
  test::write_file_bytes(bam->path, file);
  bam->file_bytes = file.size();
}

// htslib starts a record in a new block whenever it would not fit in the current one, so its
// records below 64 KiB never span blocks; re-blocking the payload into blocks of
// `reblock_payload_bytes` (when not 0) makes records span block boundaries as other writers'
// do. `level` is htslib's (0: stored blocks, the payload bytes appear as they are).
TestBam write_bam(const std::string& path, const std::string& text,
                  const std::vector<RecordPtr>& records, int level,
                  std::size_t reblock_payload_bytes = 0) {
  TestBam bam{path};
  HeaderPtr header(sam_hdr_parse(text.size(), text.c_str()));
  std::string mode = numbered("wb", level);
  samFile* out = sam_open(path.c_str(), mode.c_str());
  EXPECT_NE(out, nullptr);
  EXPECT_EQ(sam_hdr_write(out, header.get()), 0);
  for (const RecordPtr& record : records) EXPECT_GE(sam_write1(out, header.get(), record.get()), 0);
  EXPECT_EQ(sam_close(out), 0);

  std::vector<std::uint8_t> bytes = test::read_file_bytes(path);
  bam.file_bytes = bytes.size();
  std::vector<test::ParsedBlock> blocks = test::parse_bgzf(bytes);
  for (const test::ParsedBlock& block : blocks) bam.block_offsets.push_back(block.offset);

  samFile* in = sam_open(path.c_str(), "r");
  HeaderPtr read_header(sam_hdr_read(in));
  RecordPtr record(bam_init1());
  while (true) {
    auto start = static_cast<std::uint64_t>(bgzf_tell(in->fp.bgzf));
    if (sam_read1(in, read_header.get(), record.get()) < 0) break;
    for (std::size_t idx = 0; idx + 1 < blocks.size();
         ++idx) {  // a block's end is the next's start
      if (blocks[idx].offset == start >> 16 && blocks[idx].payload.size() == (start & 0xffff)) {
        start = blocks[idx + 1].offset << 16;
      }
    }
    bam.starts.push_back(start);
  }
  sam_close(in);
  EXPECT_EQ(bam.starts.size(), records.size());
  if (reblock_payload_bytes != 0) reblock(&bam, blocks, level, reblock_payload_bytes);
  return bam;
}

BamHeader adopt_header(const std::string& text, MemoryBudget& budget) {
  return BamHeader::adopt(sam_hdr_parse(text.size(), text.c_str()), budget);
}

std::optional<std::uint64_t> true_block(const TestBam& bam, std::uint64_t from) {
  auto found = std::lower_bound(bam.block_offsets.begin(), bam.block_offsets.end(), from);
  if (found == bam.block_offsets.end()) return std::nullopt;
  return *found;
}

std::optional<std::uint64_t> true_start(const TestBam& bam, std::uint64_t from) {
  std::optional<std::uint64_t> block = true_block(bam, from);
  if (!block) return std::nullopt;
  auto found = std::lower_bound(bam.starts.begin(), bam.starts.end(), *block << 16);
  if (found == bam.starts.end()) return std::nullopt;
  return *found;
}

// Every block offset, its neighbours, `random_count` random offsets and the end.
std::vector<std::uint64_t> offsets_to_check(const TestBam& bam, std::size_t random_count) {
  std::vector<std::uint64_t> offsets{0, bam.file_bytes - 1, bam.file_bytes, bam.file_bytes + 9};
  for (std::uint64_t block : bam.block_offsets) {
    offsets.push_back(block);
    offsets.push_back(block + 1);
    if (block > 0) offsets.push_back(block - 1);
  }
  std::mt19937_64 rng(bam.file_bytes);
  for (std::size_t idx = 0; idx < random_count; ++idx) offsets.push_back(rng() % bam.file_bytes);
  return offsets;
}

void expect_true_guesses(const TestBam& bam, const BamHeader& header, std::size_t random_count,
                         bool blocks_are_unambiguous = true) {
  FileDescriptor fd(open(bam.path.c_str(), O_RDONLY));
  ASSERT_TRUE(fd.valid());
  for (std::uint64_t from : offsets_to_check(bam, random_count)) {
    if (blocks_are_unambiguous) {
      EXPECT_EQ(find_bgzf_block(fd.get(), bam.file_bytes, from), true_block(bam, from))
          << "from " << from;
    }
    EXPECT_EQ(find_record_start(fd.get(), bam.file_bytes, from, header), true_start(bam, from))
        << "from " << from;
  }
}

TEST(BamSplit, SmallRecordsAcrossBlockBoundaries) {
  test::ScratchDir dir;
  std::mt19937_64 rng(1);
  std::vector<RecordPtr> records;
  for (int idx = 0; idx < 8000; ++idx) {
    RecordShape shape{numbered("read:", idx), static_cast<int>(rng() % 3),
                      static_cast<hts_pos_t>(rng() % (kReferenceLength - 300)), 0,
                      50 + rng() % 200};
    records.push_back(make_record(shape, rng));
    if (idx % 3 == 0) {
      ASSERT_EQ(bam_aux_append(records.back().get(), "NM", 'C', 1,
                               reinterpret_cast<const std::uint8_t*>("\3")),
                0);
    }
  }
  MemoryBudget budget(64 * config::kMiB);
  BamHeader header = adopt_header(header_text(3), budget);
  for (int level : {0, 6}) {
    for (std::size_t reblock_bytes : {std::size_t{0}, std::size_t{9973}, std::size_t{65280}}) {
      SCOPED_TRACE(numbered("level ", level) + numbered(", blocks of ", reblock_bytes));
      TestBam bam = write_bam(dir.file("small.bam"), header_text(3), records, level, reblock_bytes);
      ASSERT_GT(bam.block_offsets.size(), 20u);
      expect_true_guesses(bam, header, 150);
    }
  }
}

TEST(BamSplit, LongReadsLeaveBlocksWithoutARecordStart) {
  test::ScratchDir dir;
  std::mt19937_64 rng(2);
  std::vector<RecordPtr> records;
  for (int idx = 0; idx < 10; ++idx) {
    RecordShape shape{numbered("long/", idx), 0, 1000 * idx, 0, 100'000 + rng() % 200'000};
    records.push_back(make_record(shape, rng));
    records.push_back(make_record({numbered("short/", idx), 1, 5000, 0, 80}, rng));
  }
  MemoryBudget budget(64 * config::kMiB);
  BamHeader header = adopt_header(header_text(2), budget);
  for (std::size_t reblock_bytes : {std::size_t{0}, std::size_t{40000}}) {
    SCOPED_TRACE(numbered("blocks of ", reblock_bytes));
    TestBam bam = write_bam(dir.file("long.bam"), header_text(2), records, 1, reblock_bytes);
    std::size_t blocks_without_start = 0;
    for (std::size_t idx = 0; idx + 1 < bam.block_offsets.size(); ++idx) {
      std::uint64_t next = bam.block_offsets[idx + 1] << 16;
      auto first =
          std::lower_bound(bam.starts.begin(), bam.starts.end(), bam.block_offsets[idx] << 16);
      if (first == bam.starts.end() || *first >= next) ++blocks_without_start;
    }
    ASSERT_GT(blocks_without_start, 20u);
    expect_true_guesses(bam, header, 40);
  }
}

TEST(BamSplit, UnmappedReadsManyReferencesAndAHeaderOfSeveralBlocks) {
  test::ScratchDir dir;
  std::mt19937_64 rng(3);
  constexpr int kReferences = 4000;
  std::vector<RecordPtr> records;
  for (int idx = 0; idx < 6000; ++idx) {
    RecordShape shape{numbered("u", idx), static_cast<int>(rng() % kReferences),
                      static_cast<hts_pos_t>(rng() % 1000), 0, 30 + rng() % 100};
    if (idx % 2 == 0) shape.flag = BAM_FUNMAP;  // placed unmapped
    if (idx % 5 == 0) {                         // unplaced
      shape.flag = BAM_FUNMAP;
      shape.ref_idx = -1;
      shape.pos = -1;
    }
    records.push_back(make_record(shape, rng));
  }
  std::string text = header_text(kReferences, 2000);
  MemoryBudget budget(64 * config::kMiB);
  BamHeader header = adopt_header(text, budget);
  for (std::size_t reblock_bytes : {std::size_t{0}, std::size_t{30011}}) {
    SCOPED_TRACE(numbered("blocks of ", reblock_bytes));
    TestBam bam = write_bam(dir.file("unmapped.bam"), text, records, 6, reblock_bytes);
    ASSERT_GT(bam.starts.front() >> 16, bam.block_offsets[2]);  // the header fills 3+ blocks
    FileDescriptor fd(open(bam.path.c_str(), O_RDONLY));
    EXPECT_EQ(find_record_start(fd.get(), bam.file_bytes, 0, header), bam.starts.front());
    expect_true_guesses(bam, header, 200);
  }
}

TEST(BamSplit, PastTheLastRecordIsNone) {
  test::ScratchDir dir;
  std::mt19937_64 rng(4);
  std::vector<RecordPtr> records;
  records.push_back(make_record({"only", 0, 10, 0, 50}, rng));
  MemoryBudget budget(64 * config::kMiB);
  BamHeader header = adopt_header(header_text(1), budget);
  TestBam bam = write_bam(dir.file("one.bam"), header_text(1), records, 6);
  FileDescriptor fd(open(bam.path.c_str(), O_RDONLY));
  std::uint64_t eof_block = bam.file_bytes - 28;
  EXPECT_EQ(find_bgzf_block(fd.get(), bam.file_bytes, eof_block), eof_block);
  EXPECT_EQ(find_record_start(fd.get(), bam.file_bytes, eof_block, header), std::nullopt);
  EXPECT_EQ(find_record_start(fd.get(), bam.file_bytes, (bam.starts[0] >> 16) + 1, header),
            std::nullopt);
  EXPECT_EQ(find_record_start(fd.get(), bam.file_bytes, 0, header), bam.starts[0]);
  EXPECT_EQ(find_record_start(fd.get(), bam.file_bytes, bam.file_bytes, header), std::nullopt);
  // Without the EOF block the stream ends at the last record: still found, still confirmed.
  EXPECT_EQ(find_record_start(fd.get(), bam.file_bytes - 28, 0, header), bam.starts[0]);
}

// A record in BAM layout (block_size first): `name`, 10M, 10 bases, no aux; `extra_bytes` of
// zeros after it count in its block_size (so it can be made to end anywhere).
std::vector<std::uint8_t> fake_record(const std::string& name, std::uint32_t extra_bytes = 0) {
  std::size_t name_at = 36;
  std::size_t cigar_at = name_at + name.size() + 1;
  std::size_t seq_at = cigar_at + 4;
  std::vector<std::uint8_t> bytes(seq_at + 5 + 10 + extra_bytes, 0);
  store_le32(bytes.data(), static_cast<std::uint32_t>(bytes.size() - 4));
  store_le32(bytes.data() + 4, 0);      // refID
  store_le32(bytes.data() + 8, 12345);  // pos
  bytes[12] = static_cast<std::uint8_t>(name.size() + 1);
  bytes[13] = 60;
  store_le16(bytes.data() + 14, 4681);
  store_le16(bytes.data() + 16, 1);   // n_cigar
  store_le32(bytes.data() + 20, 10);  // l_seq
  store_le32(bytes.data() + 24, 0xffffffff);
  store_le32(bytes.data() + 28, 0xffffffff);
  std::memcpy(bytes.data() + name_at, name.data(), name.size());
  store_le32(bytes.data() + cigar_at, bam_cigar_gen(10, BAM_CMATCH));
  std::memset(bytes.data() + seq_at, 0x12, 5);  // CACACA...
  std::memset(bytes.data() + seq_at + 5, 30, 10);
  return bytes;
}

std::vector<std::uint8_t> fake_chain(std::size_t records) {
  std::vector<std::uint8_t> chain;
  for (std::size_t idx = 0; idx < records; ++idx) {
    std::vector<std::uint8_t> one = fake_record(numbered("fake", idx));
    chain.insert(chain.end(), one.begin(), one.end());
  }
  return chain;
}

// A complete, valid BGZF block holding `payload`, then a BGZF header whose block is garbage.
std::vector<std::uint8_t> fake_blocks(const std::vector<std::uint8_t>& payload) {
  BlockDeflater deflater(6);
  std::vector<std::uint8_t> block(config::kBgzfMaxBlockBytes);
  block.resize(deflater.deflate(payload.data(), payload.size(), block.data()));
  block.insert(block.end(), kBgzfEofBlock, kBgzfEofBlock + 18);
  block[block.size() - 2] = 200;  // BSIZE 200 over what follows
  return block;
}

TEST(BamSplit, FakeRecordsAndBlocksInsideRecordsAreNotStarts) {
  test::ScratchDir dir;
  std::mt19937_64 rng(5);
  std::vector<RecordPtr> records;
  std::vector<std::uint8_t> chain = fake_chain(config::kSplitConfirmRecords - 1);
  for (int idx = 0; idx < 200; ++idx) {
    RecordShape shape{numbered("adv", idx), 0, 100 + idx, 0, 3000 + rng() % 3000};
    shape.qual.resize(shape.bases);
    for (std::uint8_t& value : shape.qual) value = static_cast<std::uint8_t>(rng() % 60);
    // A chain one short of the confirmation, then qualities that do not parse, every 600
    // bytes: blocks starting inside this record meet it before the next true start.
    for (std::size_t at = 0; at + chain.size() < shape.qual.size() - 200; at += 600) {
      std::copy(chain.begin(), chain.end(), shape.qual.begin() + static_cast<long>(at));
    }
    // A fake record whose block_size ends exactly at the next record: its aux bytes do not
    // parse (the qualities after it and the aux below).
    std::vector<std::uint8_t> tail = fake_record("landing");
    std::size_t tail_at = shape.qual.size() - 150;
    std::vector<std::uint8_t> array = fake_blocks(fake_chain(3));
    std::vector<std::uint8_t> lone_header(kBgzfEofBlock, kBgzfEofBlock + 18);
    lone_header[16] = 0x40;  // BSIZE 64 over qualities
    array.insert(array.end(), lone_header.begin(), lone_header.end());
    std::vector<std::uint8_t> array_chain = fake_chain(3);
    array.insert(array.end(), array_chain.begin(), array_chain.end());
    // Bytes that are no record after the chain: a chain at the very end of a record would
    // land on the next true start and be accepted (the documented limit, tested below).
    array.insert(array.end(), 16, 0x01);
    std::uint32_t rest = static_cast<std::uint32_t>(150 + 3 + 5 + array.size());
    store_le32(tail.data(), rest - 4);
    std::copy(tail.begin(), tail.end(), shape.qual.begin() + static_cast<long>(tail_at));
    records.push_back(make_record(shape, rng));
    append_array(records.back().get(), "XB", array);
  }
  MemoryBudget budget(64 * config::kMiB);
  BamHeader header = adopt_header(header_text(1), budget);
  for (int level : {0, 6}) {
    // Re-blocked: blocks start inside records, before the fakes (htslib's blocks start at
    // records of this size).
    SCOPED_TRACE(numbered("level ", level));
    TestBam bam = write_bam(dir.file("adversarial.bam"), header_text(1), records, level, 7001);
    if (level == 0) {  // stored blocks: the fake BGZF headers are in the file as they are
      std::vector<std::uint8_t> bytes = test::read_file_bytes(bam.path);
      std::vector<std::uint8_t> needle = fake_blocks(fake_chain(3));
      ASSERT_NE(std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end()), bytes.end());
    }
    // An embedded block is a valid block, so find_bgzf_block may stop at it; the record
    // search must still reach the truth.
    expect_true_guesses(bam, header, 200, /*blocks_are_unambiguous=*/level != 0);
  }
}

TEST(BamSplit, ChainsAsLongAsTheConfirmationNeedTheConsumersContinuityCheck) {
  // The documented limit: content holding `confirm` chained plausible records is accepted at
  // that confirmation (the consumer's continuity check rejects it); a longer one is not.
  test::ScratchDir dir;
  std::mt19937_64 rng(6);
  std::vector<std::uint8_t> chain = fake_chain(12);
  RecordShape shape{"carrier", 0, 100, 0, 200'000};
  shape.qual.assign(shape.bases, 30);
  std::copy(chain.begin(), chain.end(), shape.qual.begin() + 150'000);
  std::vector<RecordPtr> records;
  records.push_back(make_record(shape, rng));
  records.push_back(make_record({"next", 0, 200, 0, 100}, rng));
  MemoryBudget budget(64 * config::kMiB);
  BamHeader header = adopt_header(header_text(1), budget);
  TestBam bam = write_bam(dir.file("chain.bam"), header_text(1), records, 6);
  FileDescriptor fd(open(bam.path.c_str(), O_RDONLY));
  std::uint64_t from = bam.block_offsets[3];  // inside the carrier's qualities, before the chain
  ASSERT_LT(from << 16, bam.starts[1]);
  std::optional<std::uint64_t> fooled =
      find_record_start(fd.get(), bam.file_bytes, from, header, 8);
  ASSERT_TRUE(fooled.has_value());
  EXPECT_LT(*fooled, bam.starts[1]);
  EXPECT_EQ(find_record_start(fd.get(), bam.file_bytes, from, header, 13), bam.starts[1]);
}

TEST(BamSplit, TruncatedOrDamagedFilesGiveNoneOrATrueStart) {
  test::ScratchDir dir;
  std::mt19937_64 rng(7);
  std::vector<RecordPtr> records;
  for (int idx = 0; idx < 3000; ++idx) {
    records.push_back(make_record({numbered("t", idx), 0, idx, 0, 150}, rng));
  }
  MemoryBudget budget(64 * config::kMiB);
  BamHeader header = adopt_header(header_text(1), budget);
  TestBam bam = write_bam(dir.file("whole.bam"), header_text(1), records, 6, 5003);
  std::vector<std::uint8_t> bytes = test::read_file_bytes(bam.path);
  for (std::uint64_t cut : {bam.file_bytes / 3, bam.file_bytes / 2 + 7, bam.file_bytes - 30,
                            bam.block_offsets[1] + 10, std::uint64_t{10}}) {
    std::string path = dir.file("cut.bam");
    test::write_file_bytes(path, bytes.data(), cut);
    FileDescriptor fd(open(path.c_str(), O_RDONLY));
    for (std::uint64_t from = 0; from < cut; from += 1 + cut / 40) {
      // The size passed is the real one, and then one larger than the file (pread comes short).
      for (std::uint64_t size : {cut, bam.file_bytes}) {
        std::optional<std::uint64_t> start = find_record_start(fd.get(), size, from, header);
        if (start) {
          EXPECT_TRUE(std::binary_search(bam.starts.begin(), bam.starts.end(), *start))
              << "cut " << cut << " from " << from;
          EXPECT_GE(*start >> 16, from);
        }
      }
    }
  }
  // Damaged bytes anywhere (block headers, deflate data, footers): blocks that fail their
  // checks are no blocks, and records are only found where they are.
  for (int round = 0; round < 4; ++round) {
    std::vector<std::uint8_t> damaged = bytes;
    for (int idx = 0; idx < 40; ++idx) damaged[rng() % damaged.size()] ^= 1 + rng() % 255;
    std::string path = dir.file("damaged.bam");
    test::write_file_bytes(path, damaged);
    FileDescriptor fd(open(path.c_str(), O_RDONLY));
    for (std::uint64_t from = 0; from < damaged.size(); from += 1 + damaged.size() / 60) {
      std::optional<std::uint64_t> start =
          find_record_start(fd.get(), damaged.size(), from, header);
      if (start) {
        EXPECT_TRUE(std::binary_search(bam.starts.begin(), bam.starts.end(), *start))
            << "round " << round << " from " << from;
      }
    }
  }
}

TEST(BamSplit, GarbageGivesNone) {
  test::ScratchDir dir;
  std::vector<std::uint8_t> bytes = test::random_bytes(300'000, 8);
  // Sprinkle BGZF headers and EOF blocks: each is a block, none is followed by another.
  for (std::size_t at = 1000; at + 28 < bytes.size(); at += 20'011) {
    std::copy(kBgzfEofBlock, kBgzfEofBlock + (at % 2 == 0 ? 28 : 18),
              bytes.begin() + static_cast<long>(at));
  }
  std::string path = dir.file("garbage.bam");
  test::write_file_bytes(path, bytes);
  MemoryBudget budget(64 * config::kMiB);
  BamHeader header = adopt_header(header_text(1), budget);
  FileDescriptor fd(open(path.c_str(), O_RDONLY));
  for (std::uint64_t from = 0; from < bytes.size(); from += 9973) {
    EXPECT_EQ(find_record_start(fd.get(), bytes.size(), from, header), std::nullopt);
  }
  // A lone EOF block at the very end is a block (nothing follows it) with no record.
  std::copy(kBgzfEofBlock, kBgzfEofBlock + 28, bytes.end() - 28);
  test::write_file_bytes(path, bytes);
  FileDescriptor again(open(path.c_str(), O_RDONLY));
  EXPECT_EQ(find_bgzf_block(again.get(), bytes.size(), bytes.size() - 100), bytes.size() - 28);
  EXPECT_EQ(find_record_start(again.get(), bytes.size(), 0, header), std::nullopt);
}

TEST(BamSplit, ReadErrorsAreIoErrors) {
  MemoryBudget budget(64 * config::kMiB);
  BamHeader header = adopt_header(header_text(1), budget);
  EXPECT_THROW(find_bgzf_block(-1, 1000, 0), IoError);
  EXPECT_THROW(find_record_start(-1, 1000, 0, header), IoError);
}

}  // namespace
}  // namespace samsort
