// make_bad_bam: writes the bad-input corpus (testdata/bad/make_bad.sh drives it). From one good
// BAM it keeps the first records, re-encodes them with a known BGZF block layout, and damages
// copies: BGZF blocks, the BAM header, record fields, truncations. MANIFEST lists the outcomes.
#include <htslib/bgzf.h>
#include <libdeflate.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr std::size_t kBgzfHeaderBytes = 18;
constexpr std::size_t kBgzfFooterBytes = 8;
constexpr std::size_t kHeaderChunkBytes = 0xff00;
constexpr std::size_t kDefaultBlockPayloadBytes = 16 * 1024;
constexpr std::size_t kDefaultRecords = 1000;
constexpr std::size_t kFixedRecordBytes = 36;
constexpr int kDeflateLevel = 1;
// A middle data block and a middle record: far from both ends of the file.
constexpr std::size_t kVictimRecordIdx = 100;

const std::uint8_t kEofBlock[28] = {0x1f, 0x8b, 0x08, 0x04, 0,    0, 0,    0, 0,    0xff,
                                    0x06, 0,    0x42, 0x43, 0x02, 0, 0x1b, 0, 0x03, 0,
                                    0,    0,    0,    0,    0,    0, 0,    0};

std::uint32_t load_u32(const std::string& bytes, std::size_t offset) {
  std::uint32_t value;
  std::memcpy(&value, bytes.data() + offset, 4);
  return value;
}
void store_u32(std::string& bytes, std::size_t offset, std::uint32_t value) {
  std::memcpy(bytes.data() + offset, &value, 4);
}
void store_u16(std::string& bytes, std::size_t offset, std::uint16_t value) {
  std::memcpy(bytes.data() + offset, &value, 2);
}

// The decompressed BAM stream and where its parts lie.
struct BamLayout {
  std::string data;
  std::size_t l_text_offset = 4;
  std::size_t n_ref_offset = 0;
  std::size_t header_end = 0;
  std::uint32_t reference_count = 0;
  std::vector<std::size_t> record_starts;  // offsets of block_size fields
  std::vector<std::size_t> record_ends;
};

std::string read_bgzf(const std::string& path) {
  BGZF* file = bgzf_open(path.c_str(), "r");
  if (file == nullptr) throw std::runtime_error("cannot open " + path);
  std::string data;
  std::vector<char> chunk(1 << 20);
  for (;;) {
    ssize_t got = bgzf_read(file, chunk.data(), chunk.size());
    if (got < 0) throw std::runtime_error("cannot read " + path);
    if (got == 0) break;
    data.append(chunk.data(), static_cast<std::size_t>(got));
  }
  bgzf_close(file);
  return data;
}

BamLayout parse_layout(std::string data, std::size_t max_records) {
  BamLayout layout;
  if (data.size() < 12 || data.compare(0, 4, "BAM\1", 4) != 0) {
    throw std::runtime_error("input is not a BAM file");
  }
  std::size_t offset = 8 + load_u32(data, 4);
  layout.n_ref_offset = offset;
  layout.reference_count = load_u32(data, offset);
  offset += 4;
  for (std::uint32_t tid = 0; tid < layout.reference_count; ++tid) {
    offset += 4 + load_u32(data, offset) + 4;
  }
  layout.header_end = offset;
  while (offset + 4 <= data.size() && layout.record_starts.size() < max_records) {
    layout.record_starts.push_back(offset);
    offset += 4 + load_u32(data, offset);
    layout.record_ends.push_back(offset);
  }
  if (layout.record_starts.size() <= kVictimRecordIdx) {
    throw std::runtime_error("input has too few records");
  }
  data.resize(offset);
  layout.data = std::move(data);
  return layout;
}

struct Block {
  std::size_t compressed_offset;
  std::size_t compressed_bytes;
  std::size_t payload_offset;
  std::size_t payload_bytes;
};

struct Encoded {
  std::string bytes;          // every block plus the EOF marker
  std::vector<Block> blocks;  // data blocks, without the EOF marker
};

void append_block(Encoded& out, libdeflate_compressor* compressor, const std::string& data,
                  std::size_t begin, std::size_t bytes) {
  std::string block(
      kBgzfHeaderBytes + libdeflate_deflate_compress_bound(compressor, bytes) + kBgzfFooterBytes,
      '\0');
  std::size_t body =
      libdeflate_deflate_compress(compressor, data.data() + begin, bytes,
                                  block.data() + kBgzfHeaderBytes, block.size() - kBgzfHeaderBytes);
  if (body == 0) throw std::runtime_error("deflate failed");
  block.resize(kBgzfHeaderBytes + body + kBgzfFooterBytes);
  std::memcpy(block.data(), kEofBlock, kBgzfHeaderBytes);
  store_u16(block, 16, static_cast<std::uint16_t>(block.size() - 1));
  store_u32(block, kBgzfHeaderBytes + body, libdeflate_crc32(0, data.data() + begin, bytes));
  store_u32(block, kBgzfHeaderBytes + body + 4, static_cast<std::uint32_t>(bytes));
  out.blocks.push_back(Block{out.bytes.size(), block.size(), begin, bytes});
  out.bytes += block;
}

// The header in blocks of its own (as htslib writes it), then fixed-size record blocks.
Encoded encode(const std::string& data, std::size_t header_end, std::size_t block_payload_bytes) {
  libdeflate_compressor* compressor = libdeflate_alloc_compressor(kDeflateLevel);
  if (compressor == nullptr) throw std::runtime_error("libdeflate_alloc_compressor");
  Encoded out;
  header_end = std::min(header_end, data.size());
  for (std::size_t begin = 0; begin < header_end; begin += kHeaderChunkBytes) {
    append_block(out, compressor, data, begin, std::min(kHeaderChunkBytes, header_end - begin));
  }
  for (std::size_t begin = header_end; begin < data.size(); begin += block_payload_bytes) {
    append_block(out, compressor, data, begin, std::min(block_payload_bytes, data.size() - begin));
  }
  libdeflate_free_compressor(compressor);
  out.bytes.append(reinterpret_cast<const char*>(kEofBlock), sizeof kEofBlock);
  return out;
}

class Corpus {
 public:
  Corpus(std::string dir, BamLayout layout, std::size_t block_payload_bytes)
      : dir_(std::move(dir)),
        layout_(std::move(layout)),
        block_payload_bytes_(block_payload_bytes),
        good_(encode(layout_.data, layout_.header_end, block_payload_bytes)),
        manifest_(dir_ + "/MANIFEST") {
    if (!manifest_) throw std::runtime_error("cannot write " + dir_ + "/MANIFEST");
    manifest_ << "# name\toutcome\trecords\tneedle (outcome ok/warn: exit 0; error: exit 1 "
                 "with one line naming the file)\n";
  }

  void make_all() {
    make_file_cases();
    make_truncations();
    make_bgzf_cases();
    make_header_cases();
    make_record_cases();
  }

 private:
  void emit(const std::string& name, const std::string& bytes, const std::string& outcome,
            std::size_t records, const std::string& needle) {
    std::ofstream file(dir_ + "/" + name, std::ios::binary);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!file) throw std::runtime_error("cannot write " + name);
    manifest_ << name << '\t' << outcome << '\t' << records << '\t' << needle << '\n';
  }
  void error_case(const std::string& name, const std::string& bytes, const std::string& needle) {
    emit(name, bytes, "error", 0, needle);
  }
  // A copy of the stream after `edit`, re-encoded with valid BGZF framing.
  std::string reencoded(const std::function<void(std::string&)>& edit,
                        std::size_t header_end) const {
    std::string data = layout_.data;
    edit(data);
    return encode(data, header_end, block_payload_bytes_).bytes;
  }
  std::size_t all_records() const { return layout_.record_starts.size(); }

  void make_file_cases() {
    const std::string& good = good_.bytes;
    emit("file_good.bam", good, "ok", all_records(), "");
    emit("file_two_eof_markers.bam",
         good + std::string(reinterpret_cast<const char*>(kEofBlock), sizeof kEofBlock), "ok",
         all_records(), "");
    emit("file_missing_eof.bam", good.substr(0, good.size() - sizeof kEofBlock), "warn",
         all_records(), "");
    error_case("file_empty.bam", "", "empty input");
    error_case("file_eof_marker_only.bam",
               std::string(reinterpret_cast<const char*>(kEofBlock), sizeof kEofBlock),
               "empty input");
    error_case("file_text_short.txt", "hello\n", "not a BGZF");
    error_case("file_text_long.txt", "this is not a BAM file, nor SAM\njust some text\n",
               "not a BGZF");
    error_case("file_zeros.bam", std::string(4096, '\0'), "not a BGZF");
    error_case("file_trailing_garbage.bam", good + "trailing garbage after the EOF marker\n",
               "not a BGZF");
    make_sam_cases();
    make_accepted_cases();
  }

  static std::string plain_gzip(const std::string& data) {
    libdeflate_compressor* compressor = libdeflate_alloc_compressor(kDeflateLevel);
    if (compressor == nullptr) throw std::runtime_error("libdeflate_alloc_compressor");
    std::string gzip(libdeflate_gzip_compress_bound(compressor, data.size()), '\0');
    gzip.resize(
        libdeflate_gzip_compress(compressor, data.data(), data.size(), gzip.data(), gzip.size()));
    libdeflate_free_compressor(compressor);
    return gzip;
  }

  // Inputs that are not what samtools writes but that htslib reads, so samtools sorts them:
  // samsort must too (tests/e2e/accepted_inputs_test.cpp compares both outputs).
  void make_accepted_cases() {
    // Plain gzip (no BGZF extra field) of the uncompressed BAM stream, as one member and as two
    // (cut mid-record, as `cat a.gz b.gz` makes); the stream as it is.
    const std::string& stream = layout_.data;
    emit("accepted_plain_gzip.bam.gz", plain_gzip(stream), "ok", all_records(), "");
    std::size_t cut = layout_.record_starts[kVictimRecordIdx] + 5;
    emit("accepted_two_gzip_members.bam.gz",
         plain_gzip(stream.substr(0, cut)) + plain_gzip(stream.substr(cut)), "ok", all_records(),
         "");
    emit("accepted_uncompressed.bam", stream, "ok", all_records(), "");
    // Record fields bam_read1 repairs or accepts.
    std::size_t victim = kVictimRecordIdx;
    std::size_t victim_start = layout_.record_starts[victim];
    constexpr std::size_t kPos = 8;
    constexpr std::size_t kNameBytes = 12;
    auto set_u32_at = [](std::size_t at, std::uint32_t value) {
      return [at, value](std::string& data) { store_u32(data, at, value); };
    };
    emit("accepted_pos_below_minus_1.bam",
         reencoded(set_u32_at(victim_start + kPos, 0xfffffff0u), layout_.header_end), "ok",
         all_records(), "");
    // Several records in different places, one of them the first.
    emit("accepted_pos_int_min.bam",
         reencoded(
             [this](std::string& data) {
               for (std::size_t idx : {std::size_t{0}, kVictimRecordIdx, all_records() / 2}) {
                 store_u32(data, layout_.record_starts[idx] + kPos, 0x80000000u);
               }
             },
             layout_.header_end),
         "ok", all_records(), "");
    auto name_nul_at = [this](std::size_t idx) {
      std::size_t start = layout_.record_starts[idx];
      return start + kFixedRecordBytes +
             static_cast<std::uint8_t>(layout_.data[start + kNameBytes]) - 1;
    };
    emit("accepted_name_not_nul.bam",
         reencoded([&](std::string& data) { data[name_nul_at(victim)] = 'x'; }, layout_.header_end),
         "ok", all_records(), "");
    // Every name without its NUL, in the raw stream too (not BGZF and repaired at once).
    std::string no_nuls = layout_.data;
    for (std::size_t idx = 0; idx < all_records(); ++idx) no_nuls[name_nul_at(idx)] = 'y';
    emit("accepted_every_name_not_nul.bam",
         encode(no_nuls, layout_.header_end, block_payload_bytes_).bytes, "ok", all_records(), "");
    emit("accepted_every_name_not_nul_uncompressed.bam", no_nuls, "ok", all_records(), "");
  }

  // SAM text goes through htslib: a good file sorts, a bad record line is one error line.
  void make_sam_cases() {
    const std::string header = "@HD\tVN:1.6\tSO:unsorted\n@SQ\tSN:chr1\tLN:1000\n";
    const std::string good_line = "r1\t0\tchr1\t100\t60\t4M\t*\t0\t0\tACGT\tIIII\n";
    const std::string unmapped_line = "r2\t4\t*\t0\t0\t*\t*\t0\t0\tACGT\tIIII\n";
    emit("sam_good.sam", header + good_line + unmapped_line, "ok", 2, "");
    error_case("sam_bad_flag.sam",
               header + good_line +
                   "r3\tabc\tchr1\t1\t60\t4M\t*\t0\t0\t"
                   "ACGT\tIIII\n",
               "");
    error_case("sam_too_few_fields.sam", header + good_line + "r3\t0\tchr1\t100\n", "");
    error_case("sam_bad_cigar.sam",
               header + good_line +
                   "r3\t0\tchr1\t100\t60\t4Q\t*\t0\t0\t"
                   "ACGT\tIIII\n",
               "");
    error_case("sam_bad_header_line.sam", "@HD\tVN:1.6\nnot a header line\n" + good_line, "");
  }

  // Expected outcome of the file cut after `cut` bytes.
  void truncation_case(std::size_t cut) {
    const std::string& good = good_.bytes;
    std::string name = "trunc_at_" + std::to_string(cut) + ".bam";
    std::string bytes = good.substr(0, cut);
    if (cut == 0) return error_case(name, bytes, "empty input");
    const Block* boundary = nullptr;
    for (const Block& block : good_.blocks) {
      if (block.compressed_offset + block.compressed_bytes == cut) boundary = &block;
    }
    if (boundary == nullptr) return error_case(name, bytes, "truncated BGZF block");
    std::size_t payload = boundary->payload_offset + boundary->payload_bytes;
    if (payload < layout_.header_end) return error_case(name, bytes, "truncated BAM header");
    if (payload == layout_.header_end) return emit(name, bytes, "warn", 0, "");
    auto end = std::find(layout_.record_ends.begin(), layout_.record_ends.end(), payload);
    if (end == layout_.record_ends.end()) return error_case(name, bytes, "truncated BAM record");
    emit(name, bytes, "warn", static_cast<std::size_t>(end - layout_.record_ends.begin()) + 1, "");
  }

  void make_truncations() {
    const std::string& good = good_.bytes;
    std::vector<std::size_t> cuts = {0, 1, 2, 4, 10, 17, 18, 19, 30};
    for (std::size_t idx = 0; idx < good_.blocks.size(); ++idx) {
      const Block& block = good_.blocks[idx];
      cuts.push_back(block.compressed_offset + block.compressed_bytes);  // at the boundary
      if (idx % 3 == 0) cuts.push_back(block.compressed_offset + block.compressed_bytes / 2);
      if (idx % 7 == 1) cuts.push_back(block.compressed_offset + 9);  // inside the block header
      if (idx % 7 == 4) cuts.push_back(block.compressed_offset + block.compressed_bytes - 3);
    }
    cuts.push_back(good.size() - 27);
    cuts.push_back(good.size() - 1);
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    for (std::size_t cut : cuts) truncation_case(cut);
  }

  // A copy of the good file with block `block_idx` changed by `edit` (given the block's offset).
  std::string with_block_edit(std::size_t block_idx,
                              const std::function<void(std::string&, std::size_t)>& edit) const {
    std::string bytes = good_.bytes;
    edit(bytes, good_.blocks.at(block_idx).compressed_offset);
    return bytes;
  }

  void make_bgzf_cases() {
    std::size_t middle = good_.blocks.size() / 2;
    std::size_t middle_bytes = good_.blocks[middle].compressed_bytes;
    auto flip = [](std::size_t at, std::uint8_t mask) {
      return [at, mask](std::string& bytes, std::size_t block) { bytes[block + at] ^= mask; };
    };
    auto set_bsize = [](long delta, long absolute) {
      return [delta, absolute](std::string& bytes, std::size_t block) {
        std::uint16_t bsize;
        std::memcpy(&bsize, bytes.data() + block + 16, 2);
        store_u16(bytes, block + 16,
                  static_cast<std::uint16_t>(absolute >= 0 ? absolute : bsize + delta));
      };
    };
    auto crc_offset = [&](std::size_t idx) {
      return good_.blocks[idx].compressed_bytes - kBgzfFooterBytes;
    };
    error_case("bgzf_gzip_magic.bam", with_block_edit(middle, flip(1, 0x01)), "not a BGZF");
    error_case("bgzf_method.bam", with_block_edit(middle, flip(2, 0x01)), "not a BGZF");
    error_case("bgzf_no_fextra.bam", with_block_edit(middle, flip(3, 0x04)), "not a BGZF");
    error_case("bgzf_xlen.bam", with_block_edit(middle, flip(10, 0x02)), "not a BGZF");
    error_case("bgzf_bc_tag.bam", with_block_edit(middle, flip(12, 0x20)), "not a BGZF");
    error_case("bgzf_bsize_tiny.bam", with_block_edit(middle, set_bsize(0, 10)),
               "block size out of range");
    error_case("bgzf_bsize_zero.bam", with_block_edit(middle, set_bsize(0, 0)),
               "block size out of range");
    error_case("bgzf_bsize_minus_1.bam", with_block_edit(middle, set_bsize(-1, -1)), "BGZF");
    error_case("bgzf_bsize_plus_1.bam", with_block_edit(middle, set_bsize(1, -1)), "BGZF");
    error_case("bgzf_bsize_plus_100.bam", with_block_edit(middle, set_bsize(100, -1)), "BGZF");
    error_case("bgzf_bsize_max.bam", with_block_edit(middle, set_bsize(0, 0xffff)), "BGZF");
    error_case("bgzf_bsize_last_block_large.bam",
               with_block_edit(good_.blocks.size() - 1, set_bsize(0, 0xffff)), "BGZF");
    error_case("bgzf_crc.bam", with_block_edit(middle, flip(crc_offset(middle), 0x01)),
               "CRC32 mismatch");
    error_case("bgzf_crc_header_block.bam", with_block_edit(0, flip(crc_offset(0), 0x80)),
               "CRC32 mismatch");
    error_case("bgzf_isize_plus_1.bam", with_block_edit(middle, flip(crc_offset(middle) + 4, 0x01)),
               "length mismatch");
    error_case("bgzf_isize_huge.bam", with_block_edit(middle, flip(crc_offset(middle) + 6, 0x10)),
               "length mismatch");
    error_case("bgzf_deflate_data.bam", with_block_edit(middle, flip(middle_bytes / 2, 0x5a)),
               "BGZF");
    error_case("bgzf_deflate_first_byte.bam", with_block_edit(middle, flip(kBgzfHeaderBytes, 0x06)),
               "BGZF");
  }

  void make_header_cases() {
    std::size_t header_end = layout_.header_end;
    std::size_t n_ref_offset = layout_.n_ref_offset;
    std::size_t first_name_length = n_ref_offset + 4;
    auto set_u32 = [](std::size_t offset, std::uint32_t value) {
      return [offset, value](std::string& data) { store_u32(data, offset, value); };
    };
    std::uint32_t l_text = load_u32(layout_.data, 4);
    error_case("header_magic.bam", reencoded([](std::string& data) { data[3] = 2; }, header_end),
               "bad magic");
    // BGZF-compressed text that starts like SAM is read as SAM; the binary rest must not parse.
    error_case("sam_bgzf_binary.bam",
               reencoded([](std::string& data) { data.replace(0, 4, "@HD\t"); }, header_end), "");
    error_case("header_l_text_huge.bam", reencoded(set_u32(4, 0x7ffffff0u), header_end),
               "truncated BAM header");
    error_case("header_l_text_negative.bam", reencoded(set_u32(4, 0xfffffff0u), header_end),
               "l_text");
    error_case("header_l_text_short.bam", reencoded(set_u32(4, l_text - 7), header_end), "");
    error_case("header_l_text_long.bam", reencoded(set_u32(4, l_text + 7), header_end), "");
    error_case("header_text_not_at.bam",
               reencoded([](std::string& data) { data[8] = 'X'; }, header_end), "header text");
    error_case("header_text_bad_tag.bam",
               reencoded(
                   [](std::string& data) {
                     // "@SQ\tSN:chr1": break the first tag's colon
                     std::size_t colon = data.find(':', 8);
                     data[colon] = '=';
                   },
                   header_end),
               "header text");
    // Reads the real references, then record bytes as references until they make no sense.
    error_case("header_n_ref_huge.bam", reencoded(set_u32(n_ref_offset, 0x7fffffffu), header_end),
               "BAM header");
    error_case("header_n_ref_negative.bam",
               reencoded(set_u32(n_ref_offset, 0x80000000u), header_end), "n_ref");
    error_case("header_n_ref_plus_1.bam",
               reencoded(set_u32(n_ref_offset, layout_.reference_count + 1), header_end), "");
    error_case("header_l_name_zero.bam", reencoded(set_u32(first_name_length, 0), header_end),
               "reference name");
    error_case("header_l_name_huge.bam",
               reencoded(set_u32(first_name_length, 0x7ffffff0u), header_end), "reference name");
    error_case("header_name_not_nul.bam",
               reencoded(
                   [first_name_length](std::string& data) {
                     std::uint32_t name_bytes = load_u32(data, first_name_length);
                     data[first_name_length + 4 + name_bytes - 1] = 'x';
                   },
                   header_end),
               "reference name");
    // No binary references (the text's @SQ lines stay): every mapped record is out of range.
    std::string no_refs = layout_.data;
    store_u32(no_refs, n_ref_offset, 0);
    no_refs.erase(n_ref_offset + 4, header_end - n_ref_offset - 4);
    error_case("header_n_ref_zero.bam",
               encode(no_refs, n_ref_offset + 4, block_payload_bytes_).bytes,
               "reference id outside the header");
  }

  void record_case(const std::string& name, std::size_t record_idx, std::size_t field_offset,
                   std::size_t field_bytes, std::uint32_t value, const std::string& needle) {
    std::size_t at = layout_.record_starts.at(record_idx) + field_offset;
    std::string bytes = reencoded(
        [&](std::string& data) {
          if (field_bytes == 4) store_u32(data, at, value);
          if (field_bytes == 2) store_u16(data, at, static_cast<std::uint16_t>(value));
          if (field_bytes == 1) data[at] = static_cast<char>(value);
        },
        layout_.header_end);
    error_case(name, bytes, needle);
  }

  void make_record_cases() {
    std::size_t victim = kVictimRecordIdx;
    std::uint32_t victim_size = load_u32(layout_.data, layout_.record_starts[victim]);
    std::uint32_t refs = layout_.reference_count;
    // Offsets inside a record, counting block_size (SAM spec 4.2.1).
    constexpr std::size_t kBlockSize = 0;
    constexpr std::size_t kRefId = 4;
    constexpr std::size_t kNameBytes = 12;
    constexpr std::size_t kCigarOps = 16;
    constexpr std::size_t kSeqLength = 20;
    constexpr std::size_t kMateRefId = 24;
    record_case("record_block_size_negative.bam", victim, kBlockSize, 4, 0xffffffffu,
                "block_size out of range");
    record_case("record_block_size_int_min.bam", victim, kBlockSize, 4, 0x80000000u,
                "block_size out of range");
    record_case("record_block_size_zero.bam", 0, kBlockSize, 4, 0, "block_size out of range");
    record_case("record_block_size_tiny.bam", victim, kBlockSize, 4, 20, "block_size out of range");
    // Larger than any budget the tests use: must fail before allocating it.
    record_case("record_block_size_over_budget.bam", victim, kBlockSize, 4, 0x3ffffff0u, "");
    // Fits the default budget's arena: read until the data runs out.
    record_case("record_block_size_big.bam", victim, kBlockSize, 4, 0x0ffffff0u,
                "truncated BAM record");
    record_case("record_block_size_plus_1.bam", victim, kBlockSize, 4, victim_size + 1, "");
    record_case("record_block_size_minus_1.bam", victim, kBlockSize, 4, victim_size - 1, "");
    record_case("record_block_size_last_plus_8.bam", all_records() - 1, kBlockSize, 4,
                load_u32(layout_.data, layout_.record_starts.back()) + 8, "truncated BAM record");
    record_case("record_l_read_name_zero.bam", victim, kNameBytes, 1, 0, "l_read_name 0");
    record_case("record_l_read_name_max.bam", victim, kNameBytes, 1, 255, "");
    record_case("record_n_cigar_op_huge.bam", victim, kCigarOps, 2, 0xffff, "overrun");
    record_case("record_l_seq_negative.bam", victim, kSeqLength, 4, 0xffffffffu, "negative l_seq");
    record_case("record_l_seq_huge.bam", victim, kSeqLength, 4, 0x7fffffffu, "overrun");
    record_case("record_ref_id_beyond.bam", victim, kRefId, 4, refs, "reference id outside");
    record_case("record_ref_id_minus_2.bam", 0, kRefId, 4, 0xfffffffeu, "reference id outside");
    record_case("record_mate_ref_id_beyond.bam", victim, kMateRefId, 4, refs + 1000,
                "mate reference id outside");
    // Positions below -1 and names without their NUL are accepted (make_accepted_cases).
  }

  std::string dir_;
  BamLayout layout_;
  std::size_t block_payload_bytes_;
  Encoded good_;
  std::ofstream manifest_;
};

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: make_bad_bam --input GOOD.bam --out-dir DIR [--records N] "
               "[--block-bytes N]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string input;
  std::string out_dir;
  std::size_t records = kDefaultRecords;
  std::size_t block_bytes = kDefaultBlockPayloadBytes;
  for (int idx = 1; idx < argc; ++idx) {
    std::string arg = argv[idx];
    if (idx + 1 >= argc) usage();
    std::string value = argv[++idx];
    if (arg == "--input") {
      input = value;
    } else if (arg == "--out-dir") {
      out_dir = value;
    } else if (arg == "--records") {
      records = std::stoul(value);
    } else if (arg == "--block-bytes") {
      block_bytes = std::stoul(value);
    } else {
      usage();
    }
  }
  if (input.empty() || out_dir.empty() || block_bytes == 0 || block_bytes > kHeaderChunkBytes) {
    usage();
  }
  try {
    Corpus corpus(out_dir, parse_layout(read_bgzf(input), records), block_bytes);
    corpus.make_all();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "make_bad_bam: %s\n", error.what());
    return 1;
  }
  return 0;
}
