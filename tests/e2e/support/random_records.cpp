// Messy random BAM inputs (see random_records.hpp). The distributions follow the contract's
// random conformance test (shared tools/sort_random_test.py), with integer XT values stored
// in every BAM integer type that can hold them.
#include "random_records.hpp"

#include <htslib/hts.h>
#include <htslib/sam.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "e2e_support.hpp"

namespace samsort::e2e {

const char* const kRandomHeaderText =
    "@HD\tVN:1.6\tSO:unsorted\tGO:none\n"
    "@SQ\tSN:chrA\tLN:1000\n"
    "@SQ\tSN:chrB\tLN:1000\n"
    "@SQ\tSN:chrC\tLN:1000\n"
    "@RG\tID:rg1\tLB:libX\n"
    "@RG\tID:rg2\tLB:libA\n"
    "@RG\tID:rg3\n";

namespace {

// Bump when the generator changes, so that cached inputs from an older one are not reused.
constexpr int kGeneratorVersion = 1;
constexpr int kReferenceCount = 3;
constexpr int kMaxPosition = 300;  // 1-based SAM POS
constexpr size_t kAuxReserveBytes = 96;

constexpr std::array<const char*, 9> kNameWords{"r", "a", "A", ":", "_", "x.", "Z", "-", "/"};
constexpr std::array<const char*, 4> kReadGroups{"rg1", "rg2", "rg3", "rgX"};
constexpr std::array<const char*, 8> kMolecularIds{"1",   "2",   "10",   "1/A",
                                                   "1/B", "2/A", "10/B", "1/"};
constexpr std::array<const char*, 4> kCellBarcodes{"AAA", "AAC", "CCC", "A"};
constexpr std::array<float, 6> kXtFloats{1.5f, -2.0f, 0.1f, 7.0f, 3.25f, 1e3f};
constexpr std::array<const char*, 6> kXtStrings{"a", "b", "a10", "a9", "", " "};
constexpr std::array<char, 4> kXtChars{'a', 'B', 'z', '!'};
constexpr std::array<const char*, 3> kXtHex{"1A", "FF", "00"};
constexpr std::array<int64_t, 4> kXtWideIntegers{0, 4'000'000'000, -100'000, 7};
constexpr std::array<uint16_t, 9> kFlagBits{0x1, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100, 0x800};

// splitmix64: tiny, and the same sequence on every platform (std distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound); the modulo bias is irrelevant for test data.
  uint64_t below(uint64_t bound) { return next() % bound; }
  int64_t between(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo + 1)));
  }
  bool chance(double probability) {
    return static_cast<double>(next() >> 11) * 0x1.0p-53 < probability;
  }
  template <typename Array>
  auto pick(const Array& values) {
    return values[below(values.size())];
  }

 private:
  uint64_t state_;
};

std::string random_name(Rng& rng) {
  std::string name;
  int64_t part_count = rng.between(1, 4);
  for (int64_t part_idx = 0; part_idx < part_count; ++part_idx) {
    if (rng.chance(0.5)) {
      name += rng.pick(kNameWords);
    } else {
      static constexpr std::array<int, 4> kLeadingZeros{0, 0, 1, 2};
      name.append(static_cast<size_t>(rng.pick(kLeadingZeros)), '0');
      name += std::to_string(rng.between(0, 120));
    }
  }
  return name;
}

uint32_t cigar_op(int64_t length, int op) {
  return static_cast<uint32_t>(length) << BAM_CIGAR_SHIFT | static_cast<uint32_t>(op);
}

// Clips (soft, hard, or hard then soft) at both ends, a match, sometimes an I/D/N and a second
// match.
std::vector<uint32_t> random_cigar(Rng& rng) {
  std::vector<uint32_t> ops;
  if (rng.chance(0.4))
    ops.push_back(cigar_op(rng.between(1, 5), rng.chance(0.5) ? BAM_CSOFT_CLIP : BAM_CHARD_CLIP));
  if (!ops.empty() && bam_cigar_op(ops.back()) == BAM_CHARD_CLIP && rng.chance(0.5)) {
    ops.push_back(cigar_op(rng.between(1, 5), BAM_CSOFT_CLIP));
  }
  ops.push_back(cigar_op(rng.between(5, 30), BAM_CMATCH));
  if (rng.chance(0.3)) {
    static constexpr std::array<int, 3> kGapOps{BAM_CDEL, BAM_CINS, BAM_CREF_SKIP};
    ops.push_back(cigar_op(rng.between(1, 3), rng.pick(kGapOps)));
    ops.push_back(cigar_op(rng.between(5, 20), BAM_CMATCH));
  }
  if (rng.chance(0.4)) ops.push_back(cigar_op(rng.between(1, 5), BAM_CSOFT_CLIP));
  if (bam_cigar_op(ops.back()) == BAM_CSOFT_CLIP && rng.chance(0.5)) {
    ops.push_back(cigar_op(rng.between(1, 5), BAM_CHARD_CLIP));
  }
  return ops;
}

std::string cigar_text(const std::vector<uint32_t>& ops) {
  std::string text;
  for (uint32_t op : ops) text += std::to_string(bam_cigar_oplen(op)) + bam_cigar_opchr(op);
  return text;
}

class RecordWriter {
 public:
  explicit RecordWriter(const std::string& path) : path_(path) {
    header_ = sam_hdr_parse(std::strlen(kRandomHeaderText), kRandomHeaderText);
    file_ = sam_open(path.c_str(), "wb1");
    record_ = bam_init1();
    if (header_ == nullptr || file_ == nullptr || record_ == nullptr ||
        sam_hdr_write(file_, header_) < 0) {
      throw std::runtime_error("cannot start writing " + path);
    }
  }
  ~RecordWriter() {
    if (record_ != nullptr) bam_destroy1(record_);
    if (file_ != nullptr) sam_close(file_);
    if (header_ != nullptr) sam_hdr_destroy(header_);
  }
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  bam1_t* record() { return record_; }

  void set_core(const std::string& name, uint16_t flag, int32_t tid, int64_t pos,
                const std::vector<uint32_t>& cigar, int32_t mate_tid, int64_t mate_pos,
                const std::string& seq) {
    // bam_set1 refuses a mapped record without a CIGAR, which BAM can hold (and htslib reads):
    // build it as unmapped, then clear the bit.
    bool mapped_without_cigar = !(flag & BAM_FUNMAP) && cigar.empty();
    uint16_t set_flag = mapped_without_cigar ? static_cast<uint16_t>(flag | BAM_FUNMAP) : flag;
    if (bam_set1(record_, name.size(), name.data(), set_flag, tid, pos, 60, cigar.size(),
                 cigar.data(), mate_tid, mate_pos, 0, seq.size(), seq.data(), nullptr,
                 kAuxReserveBytes) < 0) {
      throw std::runtime_error("bam_set1 failed for " + name);
    }
    record_->core.flag = flag;
  }
  void append(const char tag[2], char type, const void* data, size_t bytes) {
    if (bam_aux_append(record_, tag, type, static_cast<int>(bytes),
                       static_cast<const uint8_t*>(data)) < 0) {
      throw std::runtime_error("bam_aux_append failed");
    }
  }
  void append_text(const char tag[2], char type, const std::string& text) {
    append(tag, type, text.c_str(), text.size() + 1);
  }
  // The integer in BAM type `type` (c C s S i I), little-endian.
  void append_integer(const char tag[2], char type, int64_t value) {
    uint8_t bytes[4];
    size_t width = type == 'c' || type == 'C' ? 1 : type == 's' || type == 'S' ? 2 : 4;
    for (size_t idx = 0; idx < width; ++idx) {
      bytes[idx] = static_cast<uint8_t>(static_cast<uint64_t>(value) >> (8 * idx));
    }
    append(tag, type, bytes, width);
  }
  void write() {
    if (sam_write1(file_, header_, record_) < 0) throw std::runtime_error("cannot write " + path_);
  }
  void close() {
    int status = sam_close(file_);
    file_ = nullptr;
    if (status != 0) throw std::runtime_error("cannot close " + path_);
  }

 private:
  std::string path_;
  sam_hdr_t* header_ = nullptr;
  samFile* file_ = nullptr;
  bam1_t* record_ = nullptr;
};

// A random BAM integer type able to hold `value`: small values get any of c C s S i I.
char random_integer_type(Rng& rng, int64_t value) {
  std::vector<char> types;
  if (value >= INT8_MIN && value <= INT8_MAX) types.push_back('c');
  if (value >= 0 && value <= UINT8_MAX) types.push_back('C');
  if (value >= INT16_MIN && value <= INT16_MAX) types.push_back('s');
  if (value >= 0 && value <= UINT16_MAX) types.push_back('S');
  if (value >= INT32_MIN && value <= INT32_MAX) types.push_back('i');
  if (value >= 0 && value <= UINT32_MAX) types.push_back('I');
  return types[rng.below(types.size())];
}

// One XT field of a random kind, or none (20%).
void append_random_xt(Rng& rng, RecordWriter& writer) {
  double draw = static_cast<double>(rng.next() >> 11) * 0x1.0p-53;
  if (draw < 0.15) {
    int64_t value = rng.between(-300, 300);
    writer.append_integer("XT", random_integer_type(rng, value), value);
  } else if (draw < 0.30) {
    float value = rng.pick(kXtFloats);
    writer.append("XT", 'f', &value, 4);
  } else if (draw < 0.45) {
    writer.append_text("XT", 'Z', rng.pick(kXtStrings));
  } else if (draw < 0.55) {
    char value = rng.pick(kXtChars);
    writer.append("XT", 'A', &value, 1);
  } else if (draw < 0.62) {
    writer.append_text("XT", 'H', rng.pick(kXtHex));
  } else if (draw < 0.70) {
    // B:c with two elements: sub-type byte, little-endian count, values.
    uint8_t array[7] = {'c', 2, 0, 0, 0, static_cast<uint8_t>(rng.between(-5, 5)), 1};
    writer.append("XT", 'B', array, sizeof array);
  } else if (draw < 0.80) {
    int64_t value = rng.pick(kXtWideIntegers);
    writer.append_integer("XT", random_integer_type(rng, value), value);
  }
}

void write_one_random_record(Rng& rng, const std::vector<std::string>& names, int64_t id,
                             bool picard, RecordWriter& writer) {
  uint16_t flag = 0;
  for (uint16_t bit : kFlagBits) {
    if (rng.chance(0.3)) flag |= bit;
  }
  if (rng.chance(0.5)) flag |= 0x1;
  if (picard && (flag & 0x1)) {
    flag = static_cast<uint16_t>(flag & ~0xC0);
    flag |= rng.chance(0.5) ? 0x40 : 0x80;
  }

  int32_t tid = -1;
  int64_t pos = -1;
  if (rng.chance(0.15)) {
    flag |= 0x4;  // unmapped without a reference
  } else {
    tid = static_cast<int32_t>(rng.below(kReferenceCount));
    pos = rng.between(rng.chance(0.9) ? 1 : 0, kMaxPosition) - 1;  // POS 0 -> -1
  }
  std::vector<uint32_t> cigar;
  if (!(flag & 0x4) && rng.chance(0.95)) cigar = random_cigar(rng);
  if ((flag & 0x4) && tid >= 0 && rng.chance(0.5)) cigar = random_cigar(rng);
  int64_t seq_length = cigar.empty() ? rng.between(5, 20)
                                     : bam_cigar2qlen(static_cast<int>(cigar.size()), cigar.data());
  std::string seq;
  for (int64_t idx = 0; idx < seq_length; ++idx) seq += "ACGT"[rng.below(4)];

  int32_t mate_tid = -1;
  int64_t mate_pos = -1;
  std::string mate_cigar;
  bool mate_mapped = (flag & 0x1) && !(flag & 0x8);
  if (mate_mapped) {
    // Always a mate reference when the flags say the mate is mapped (spec: undefined corner).
    uint64_t choice = rng.below(4);
    mate_tid = choice == 0 ? tid : static_cast<int32_t>(choice - 1);
    if (mate_tid < 0) mate_tid = 1;
    mate_pos = rng.between(1, kMaxPosition) - 1;
    mate_cigar = cigar_text(random_cigar(rng));
  } else if (flag & 0x1) {
    if (rng.chance(0.5)) {
      mate_tid = tid;
      mate_pos = rng.between(0, kMaxPosition) - 1;
    }
    if (rng.chance(0.3)) mate_cigar = cigar_text(random_cigar(rng));
  }

  writer.set_core(rng.pick(names), flag, tid, pos, cigar, mate_tid, mate_pos, seq);
  if (picard) {
    static constexpr std::array<int64_t, 6> kInsertSizes{0, 0, 150, -150, 37, -2};
    writer.record()->core.qual = static_cast<uint8_t>(rng.chance(0.5) ? 60 : rng.between(0, 3));
    writer.record()->core.isize = rng.pick(kInsertSizes);
    if (rng.chance(0.3)) {
      int64_t hit = rng.between(0, 3);
      writer.append_integer("HI", random_integer_type(rng, hit), hit);
    }
  }
  writer.append_integer("id", 'i', id);
  if (!mate_cigar.empty()) writer.append_text("MC", 'Z', mate_cigar);
  if (rng.chance(0.8)) writer.append_text("RG", 'Z', rng.pick(kReadGroups));
  if (rng.chance(0.5)) writer.append_text("MI", 'Z', rng.pick(kMolecularIds));
  if (rng.chance(0.4)) writer.append_text("CB", 'Z', rng.pick(kCellBarcodes));
  append_random_xt(rng, writer);
  // A second XT now and then: only the first one may count.
  if (rng.chance(0.05)) append_random_xt(rng, writer);
  writer.write();
}

}  // namespace

void write_random_records(const std::string& path, const RandomRecordsSpec& spec) {
  Rng rng(spec.seed);
  std::vector<std::string> names;
  int64_t name_count = std::max<int64_t>(10, spec.record_count / 3);
  for (int64_t idx = 0; idx < name_count; ++idx) names.push_back(random_name(rng));

  RecordWriter writer(path);
  for (int64_t id = 0; id < spec.record_count; ++id) {
    if (spec.picard && id > 0 && rng.chance(0.1)) {
      // The previous record again (every key field equal), with the next id.
      uint8_t* field = bam_aux_get(writer.record(), "id");
      if (field == nullptr || bam_aux_update_int(writer.record(), "id", id) < 0) {
        throw std::runtime_error("cannot renumber a repeated record");
      }
      writer.write();
      continue;
    }
    write_one_random_record(rng, names, id, spec.picard, writer);
  }
  if (spec.trailing_missing_mc) {
    std::vector<uint32_t> cigar{cigar_op(20, BAM_CMATCH)};
    writer.set_core("no_mate_cigar", 0x1 | 0x40, 0, 10, cigar, 1, 20, std::string(20, 'A'));
    writer.append_integer("id", 'i', spec.record_count);
    writer.write();
  }
  writer.close();
}

std::string cached_generated(const std::string& name,
                             const std::function<void(const std::string&)>& make) {
  std::filesystem::create_directories(kGeneratedDir);
  std::string path = std::string(kGeneratedDir) + "/" + name;
  if (path_exists(path)) return path;
  std::string temp_path = path + ".tmp." + std::to_string(getpid());
  try {
    make(temp_path);
  } catch (...) {
    std::remove(temp_path.c_str());
    throw;
  }
  if (std::rename(temp_path.c_str(), path.c_str()) != 0) {
    throw std::runtime_error("cannot rename " + temp_path + " to " + path);
  }
  return path;
}

std::string random_records_bam(const RandomRecordsSpec& spec) {
  std::string name = "messy_v" + std::to_string(kGeneratorVersion) + "_r" +
                     std::to_string(spec.record_count) + "_s" + std::to_string(spec.seed) +
                     (spec.trailing_missing_mc ? "_missing_mc" : "") +
                     (spec.picard ? "_picard" : "") + ".bam";
  return cached_generated(
      name, [&](const std::string& temp_path) { write_random_records(temp_path, spec); });
}

}  // namespace samsort::e2e
