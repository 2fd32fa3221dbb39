// make_test_bam: writes a synthetic, deterministic paired-end BAM in aligner (bwa mem) order, with
// realistic headers, flags, CIGARs, mate fields and tags, for exercising samsort at scale.
// Usage: make_test_bam --records N --seed S [options] -o out.bam   (see --help)

#include <htslib/hts.h>
#include <htslib/sam.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr int kMaxCigarOps = 8;
constexpr int kMinReadLength = 40;
constexpr int kMaxReadLength = 10000;
constexpr int kRingSize = 64;  // recent templates that duplicates may copy
constexpr int64_t kBigContigLength = 2'100'000'000;
constexpr int64_t kBigPositionFloor = int64_t{1} << 29;  // beyond the BAI-addressable range
constexpr uint64_t kNameMask = (uint64_t{1} << 40) - 1;
constexpr uint64_t kHeaderSeed = 0x5eed'c0de'1234'5678ULL;  // header depends on --contigs only

// Per-template probabilities, in parts per 10000.
constexpr uint32_t kOneEndUnmappedRate = 150;
constexpr uint32_t kInterChromosomalRate = 100;
constexpr uint32_t kLongInsertRate = 60;
constexpr uint32_t kDuplicateRate = 200;
constexpr uint32_t kOppositeStrandTieRate = 100;
constexpr uint32_t kFullOverlapRate = 100;
constexpr uint32_t kSupplementaryRate = 200;
constexpr uint32_t kSecondaryRate = 200;
constexpr uint32_t kBigTemplateRate = 500;
constexpr uint32_t kIndelRate = 600;
constexpr uint32_t kSubScoreRate = 3000;  // mapped reads with an XS tag
constexpr uint32_t kReadGroup1Rate = 6000;
constexpr uint32_t kReadWithNRate = 50;

// GRCh38 primary assembly lengths.
constexpr std::array<std::pair<std::string_view, int64_t>, 25> kHumanContigs{{
    {"chr1", 248956422},  {"chr2", 242193529},  {"chr3", 198295559},  {"chr4", 190214555},
    {"chr5", 181538259},  {"chr6", 170805979},  {"chr7", 159345973},  {"chr8", 145138636},
    {"chr9", 138394717},  {"chr10", 133797422}, {"chr11", 135086622}, {"chr12", 133275309},
    {"chr13", 114364328}, {"chr14", 107043718}, {"chr15", 101991189}, {"chr16", 90338345},
    {"chr17", 83257441},  {"chr18", 80373285},  {"chr19", 58617616},  {"chr20", 64444167},
    {"chr21", 46709983},  {"chr22", 50818468},  {"chrX", 156040895},  {"chrY", 57227415},
    {"chrM", 16569},
}};

constexpr std::array<std::string_view, 8> kHlaGenes{"A",    "B",    "C",    "DRB1",
                                                    "DQA1", "DQB1", "DPB1", "E"};

struct Options {
  int64_t records = -1;
  uint64_t seed = 1;
  int contigs = 200;
  int level = 1;
  int threads = 0;
  int read_length = 150;
  double unmapped_fraction = 0.02;
  bool big_positions = false;
  std::string output;
};

struct Contig {
  std::string name;
  int64_t length = 0;
};

// xoshiro256** seeded through splitmix64: fast and identical on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& word : state_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }

  uint64_t next() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, bound) by multiply-shift (bias is negligible for test data).
  uint64_t below(uint64_t bound) { return mul_high(next(), bound); }

  int64_t between(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo + 1)));
  }

  bool chance(uint32_t per_10000) { return below(10000) < per_10000; }
  bool coin() { return (next() >> 63) != 0; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  // High 64 bits of a 64x64-bit product, without compiler-specific 128-bit types.
  static uint64_t mul_high(uint64_t a, uint64_t b) {
    const uint64_t a_lo = a & 0xffffffffULL, a_hi = a >> 32;
    const uint64_t b_lo = b & 0xffffffffULL, b_hi = b >> 32;
    const uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi;
    const uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xffffffffULL) + lo_hi;
    return a_hi * b_hi + (hi_lo >> 32) + (cross >> 32);
  }
  std::array<uint64_t, 4> state_{};
};

// One alignment line of a read (primary, supplementary or secondary).
struct Alignment {
  bool mapped = false;
  int32_t tid = -1;
  int64_t pos = -1;
  bool rev = false;
  uint8_t mapq = 0;
  std::array<uint32_t, kMaxCigarOps> cigar{};
  int n_cigar = 0;
  int64_t ref_len = 0;
  int query_begin = 0;  // aligned query range, in sequencing orientation
  int query_end = 0;
  int mismatches = 0;
  int nm = 0;
  int score = 0;
  int sub_score = -1;  // XS, or -1 for none
  bool hard_clipped = false;

  int64_t end() const { return pos + (ref_len > 0 ? ref_len : 1); }
  int64_t five_prime() const { return rev ? end() : pos; }
};

struct ReadPlan {
  Alignment primary;
  Alignment extra;  // supplementary or secondary
  bool has_supplementary = false;
  bool has_secondary = false;
};

struct TemplatePlan {
  std::array<ReadPlan, 2> reads;
  bool paired = true;
  bool proper = false;
  int read_group = 0;
};

void print_usage(FILE* out) {
  std::fputs(
      "usage: make_test_bam --records N -o out.bam [options]\n"
      "  --records N            number of BAM records to write (required)\n"
      "  --seed S               random seed (default 1)\n"
      "  --contigs K            number of @SQ contigs (default 200)\n"
      "  --level L              BGZF compression level 0-9 (default 1)\n"
      "  --threads T            extra compression threads (default 0)\n"
      "  --order aligner        record order (only 'aligner' is supported)\n"
      "  --read-length L        read length (default 150)\n"
      "  --unmapped-fraction F  fraction of fully unmapped pairs (default 0.02)\n"
      "  --big-positions        add chrBig (2.1 Gbp) and place ~5% of pairs beyond 2^29\n"
      "  -o, --output FILE      output BAM\n",
      out);
}

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "make_test_bam: %s\n", message.c_str());
  std::exit(1);
}

template <typename T>
T parse_number(std::string_view flag, std::string_view text) {
  T value{};
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size()) {
    fail("invalid value '" + std::string(text) + "' for " + std::string(flag));
  }
  return value;
}

double parse_fraction(std::string_view flag, std::string_view text) {
  char* end = nullptr;
  const std::string copy(text);
  const double value = std::strtod(copy.c_str(), &end);
  if (end == copy.c_str() || *end != '\0' || !(value >= 0.0 && value <= 1.0)) {
    fail("invalid value '" + copy + "' for " + std::string(flag) + " (expected 0..1)");
  }
  return value;
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) fail("missing value for " + std::string(arg));
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      print_usage(stdout);
      std::exit(0);
    } else if (arg == "--records") {
      options.records = parse_number<int64_t>(arg, value());
    } else if (arg == "--seed") {
      options.seed = parse_number<uint64_t>(arg, value());
    } else if (arg == "--contigs") {
      options.contigs = parse_number<int>(arg, value());
    } else if (arg == "--level") {
      options.level = parse_number<int>(arg, value());
    } else if (arg == "--threads" || arg == "-@") {
      options.threads = parse_number<int>(arg, value());
    } else if (arg == "--order") {
      if (value() != "aligner") fail("only --order aligner is supported");
    } else if (arg == "--read-length") {
      options.read_length = parse_number<int>(arg, value());
    } else if (arg == "--unmapped-fraction") {
      options.unmapped_fraction = parse_fraction(arg, value());
    } else if (arg == "--big-positions") {
      options.big_positions = true;
    } else if (arg == "-o" || arg == "--output") {
      options.output = value();
    } else {
      print_usage(stderr);
      fail("unknown argument '" + std::string(arg) + "'");
    }
  }
  if (options.records < 0) fail("--records is required");
  if (options.output.empty()) fail("-o is required");
  if (options.contigs < 1 || options.contigs > 100000) fail("--contigs must be 1..100000");
  if (options.level < 0 || options.level > 9) fail("--level must be 0..9");
  if (options.threads < 0) fail("--threads must be >= 0");
  if (options.read_length < kMinReadLength || options.read_length > kMaxReadLength) {
    fail("--read-length must be " + std::to_string(kMinReadLength) + ".." +
         std::to_string(kMaxReadLength));
  }
  return options;
}

// chr1..chrM with human lengths, then small decoy/alt/HLA-style contigs (seed-independent).
std::vector<Contig> make_contigs(int count, bool big_positions) {
  std::vector<Contig> contigs;
  Rng rng(kHeaderSeed);
  for (int i = 0; i < count; ++i) {
    if (i < static_cast<int>(kHumanContigs.size())) {
      contigs.push_back({std::string(kHumanContigs[i].first), kHumanContigs[i].second});
      continue;
    }
    const int k = i - static_cast<int>(kHumanContigs.size());
    char name[64];
    int64_t length = 0;
    switch (k % 4) {
      case 0:
        std::snprintf(name, sizeof name, "chrUn_KI270%03dv1", 300 + k);
        length = rng.between(1000, 180000);
        break;
      case 1:
        std::snprintf(name, sizeof name, "chr%d_KI270%03dv1_random", 1 + k % 22, 700 + k);
        length = rng.between(2000, 200000);
        break;
      case 2:
        std::snprintf(name, sizeof name, "chrUn_GL000%03dv1", 200 + k);
        length = rng.between(5000, 160000);
        break;
      default:
        // (gene, j) is distinct for every k, so the allele names never collide.
        std::snprintf(name, sizeof name, "HLA-%s*%02d:%02d:%02d",
                      kHlaGenes[(k / 4) % kHlaGenes.size()].data(), 1 + (k / 32) % 50,
                      1 + (k / 32 / 50) % 50, 1 + k / 32 / 2500);
        length = rng.between(2500, 7500);
        break;
    }
    contigs.push_back({name, length});
  }
  if (big_positions) contigs.push_back({"chrBig", kBigContigLength});
  return contigs;
}

std::string make_header_text(const std::vector<Contig>& contigs) {
  std::string text = "@HD\tVN:1.6\tSO:unsorted\n";
  for (const auto& contig : contigs) {
    text += "@SQ\tSN:" + contig.name + "\tLN:" + std::to_string(contig.length) + "\n";
  }
  text += "@RG\tID:rg1\tLB:libA\tSM:s1\tPL:ILLUMINA\tPU:H3LKJDSXX.1\n";
  text += "@RG\tID:rg2\tLB:libB\tSM:s1\tPL:ILLUMINA\tPU:HVW2MDSXY.2\n";
  text +=
      "@PG\tID:bwa\tPN:bwa\tVN:0.7.17-r1188\tCL:bwa mem -t 32 -K 100000000 -Y "
      "-R @RG\\tID:rg1\\tLB:libA\\tSM:s1\\tPL:ILLUMINA GRCh38.fa s1_R1.fastq.gz s1_R2.fastq.gz\n";
  return text;
}

// Writes the template's read name; every template gets a distinct name by pushing its index
// through a 40-bit bijection and splitting the result into lane/tile/x/y.
std::string_view make_read_name(uint64_t index, uint64_t seed, int read_group, char* buffer) {
  uint64_t v = (index ^ (seed * 0x9e3779b97f4a7c15ULL)) & kNameMask;
  v ^= v >> 17;
  v = (v * 0xbf58476d1ce4e5b9ULL) & kNameMask;
  v ^= v >> 19;
  v = (v * 0x94d049bb133111ebULL) & kNameMask;
  v ^= v >> 23;
  const uint64_t lane = 1 + v % 4;
  v /= 4;
  const uint64_t tile_index = v % 624;  // surface 1-2, swath 1-4, tile 01-78
  v /= 624;
  const uint64_t x = 1000 + v % 31000;
  v /= 31000;
  const uint64_t y = 1000 + v;  // v < 2^40 / (4*624*31000) keeps y < 15300
  const uint64_t tile =
      (1 + tile_index / 312) * 1000 + (1 + (tile_index / 78) % 4) * 100 + 1 + tile_index % 78;
  const char* prefix = read_group == 0 ? "A00123:8:H3LKJDSXX" : "A00123:9:HVW2MDSXY";
  const int n =
      std::snprintf(buffer, 96, "%s:%llu:%llu:%llu:%llu", prefix,
                    static_cast<unsigned long long>(lane), static_cast<unsigned long long>(tile),
                    static_cast<unsigned long long>(x), static_cast<unsigned long long>(y));
  return {buffer, static_cast<size_t>(n)};
}

class Generator {
 public:
  Generator(const Options& options, std::vector<Contig> contigs)
      : options_(options), contigs_(std::move(contigs)), rng_(options.seed) {
    // chrBig (--big-positions) is only used on purpose, never drawn by length.
    const size_t regular_contigs = contigs_.size() - (options.big_positions ? 1 : 0);
    int64_t total = 0;
    for (size_t i = 0; i < regular_contigs; ++i) {
      total += contigs_[i].length;
      cumulative_.push_back(total);
    }
    unmapped_per_10000_ = static_cast<uint32_t>(options.unmapped_fraction * 10000.0 + 0.5);
    const size_t length = static_cast<size_t>(options.read_length);
    for (int r = 0; r < 2; ++r) {
      query_seq_[r].resize(length);
      query_qual_[r].resize(length);
    }
    stored_seq_.resize(length);
    stored_qual_.resize(length);
    record_ = bam_init1();
    if (record_ == nullptr) fail("out of memory");
  }

  ~Generator() { bam_destroy1(record_); }
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  void run(samFile* out, sam_hdr_t* header) {
    out_ = out;
    header_ = header;
    int64_t remaining = options_.records;
    uint64_t template_index = 0;
    while (remaining > 0) {
      TemplatePlan plan = plan_template(remaining);
      fill_sequences(plan);
      const std::string_view name =
          make_read_name(template_index++, options_.seed, plan.read_group, name_buffer_);
      remaining -= emit_template(plan, name);
    }
  }

 private:
  int read_length() const { return options_.read_length; }

  int32_t pick_contig() {
    const auto r = static_cast<int64_t>(rng_.below(static_cast<uint64_t>(cumulative_.back())));
    return static_cast<int32_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), r) -
                                cumulative_.begin());
  }

  // Insert size ~ 400 +- 58 (Irwin-Hall), integer-only so that output is platform independent.
  int64_t draw_insert() {
    int64_t sum = 200;
    for (int i = 0; i < 4; ++i) sum += rng_.between(0, 100);
    return sum;
  }

  uint8_t draw_mapq() {
    const uint64_t r = rng_.below(100);
    if (r < 84) return 60;
    if (r < 90) return 0;
    return static_cast<uint8_t>(rng_.between(1, 59));
  }

  int draw_mismatches() {
    const uint64_t r = rng_.below(100);
    if (r < 60) return 0;
    if (r < 80) return 1;
    if (r < 90) return 2;
    return static_cast<int>(rng_.between(3, 6));
  }

  // Builds the CIGAR for an alignment of query range [begin, end) (sequencing orientation).
  // Clips become S, or H when hard_clip; allow_indel may add one short I or D.
  void set_cigar(Alignment& al, int begin, int end, bool hard_clip, bool allow_indel) {
    const int length = read_length();
    al.query_begin = begin;
    al.query_end = end;
    al.hard_clipped = hard_clip;
    const int lead = al.rev ? length - end : begin;
    const int trail = al.rev ? begin : length - end;
    const int aligned = end - begin;
    const uint32_t clip_op = hard_clip ? BAM_CHARD_CLIP : BAM_CSOFT_CLIP;
    al.n_cigar = 0;
    al.ref_len = 0;
    auto push = [&al](uint32_t op, int n) {
      al.cigar[al.n_cigar++] = bam_cigar_gen(static_cast<uint32_t>(n), op);
    };
    if (lead > 0) push(clip_op, lead);
    int indel_len = 0;
    if (allow_indel && aligned >= 40 && rng_.chance(kIndelRate)) {
      const int left = static_cast<int>(rng_.between(10, aligned - 20));
      const bool insertion = rng_.coin();
      indel_len = static_cast<int>(insertion ? rng_.between(1, 4) : rng_.between(1, 6));
      push(BAM_CMATCH, left);
      if (insertion) {
        push(BAM_CINS, indel_len);
        push(BAM_CMATCH, aligned - left - indel_len);
        al.ref_len = aligned - indel_len;
      } else {
        push(BAM_CDEL, indel_len);
        push(BAM_CMATCH, aligned - left);
        al.ref_len = aligned + indel_len;
      }
    } else {
      push(BAM_CMATCH, aligned);
      al.ref_len = aligned;
    }
    if (trail > 0) push(clip_op, trail);
    al.mismatches = draw_mismatches();
    al.nm = al.mismatches + indel_len;
    al.score = aligned - 5 * al.mismatches - (indel_len > 0 ? 6 + indel_len : 0);
    if (al.score < 0) al.score = 0;
    al.sub_score = -1;
  }

  // A primary alignment with occasional soft clips on either or both ends.
  void set_primary_cigar(Alignment& al) {
    int begin = 0;
    int end = read_length();
    const uint64_t r = rng_.below(100);
    if (r < 4) {
      begin = static_cast<int>(rng_.between(1, 30));
    } else if (r < 8) {
      end -= static_cast<int>(rng_.between(1, 30));
    } else if (r < 10) {
      begin = static_cast<int>(rng_.between(1, 15));
      end -= static_cast<int>(rng_.between(1, 15));
    }
    set_cigar(al, begin, end, false, true);
  }

  void finish_mapped(Alignment& al, bool allow_zero_mapq) {
    al.mapped = true;
    al.mapq = draw_mapq();
    if (!allow_zero_mapq && al.mapq == 0) al.mapq = 60;
    if (al.mapq == 0) {
      al.sub_score = al.score;
    } else if (rng_.chance(kSubScoreRate)) {
      al.sub_score = static_cast<int>(rng_.between(al.score / 3, al.score));
    }
  }

  // Places a proper FR pair with the leftmost read starting at left_pos.
  void place_fr_pair(TemplatePlan& plan, int32_t tid, int64_t left_pos, int64_t insert,
                     bool read1_left) {
    Alignment& left = plan.reads[read1_left ? 0 : 1].primary;
    Alignment& right = plan.reads[read1_left ? 1 : 0].primary;
    left.tid = right.tid = tid;
    left.rev = false;
    right.rev = true;
    left.pos = left_pos;
    right.pos = std::max<int64_t>(left_pos, left_pos + insert - right.ref_len);
  }

  int64_t random_start(int32_t tid, int64_t span) {
    const int64_t room = contigs_[tid].length - span;
    return room > 0 ? rng_.between(0, room) : 0;
  }

  void plan_proper_pair(TemplatePlan& plan) {
    plan.proper = true;
    auto& r1 = plan.reads[0].primary;
    auto& r2 = plan.reads[1].primary;
    if (ring_count_ > 0 && rng_.chance(kDuplicateRate)) {
      // PCR/optical duplicate: same coordinates, strands and CIGARs as a recent template.
      const auto& source = recent_template();
      r1 = source[0];
      r2 = source[1];
      return;
    }
    set_primary_cigar(r1);
    set_primary_cigar(r2);
    finish_mapped(r1, true);
    finish_mapped(r2, true);
    const bool read1_left = rng_.coin();
    if (ring_count_ > 0 && rng_.chance(kOppositeStrandTieRate)) {
      // The reverse read starts where a recent forward read starts: both strands at one pos.
      const auto& source = recent_template();
      const Alignment& forward = source[0].rev ? source[1] : source[0];
      const Alignment& right = plan.reads[read1_left ? 1 : 0].primary;
      const int64_t insert = std::max(draw_insert(), right.ref_len);
      const int64_t left_pos = forward.pos + right.ref_len - insert;
      if (left_pos >= 0 && forward.pos + right.ref_len <= contigs_[forward.tid].length) {
        place_fr_pair(plan, forward.tid, left_pos, insert, read1_left);
        plan.reads[read1_left ? 1 : 0].primary.pos = forward.pos;
        remember(plan);
        return;
      }
    }
    if (rng_.chance(kFullOverlapRate)) {
      // Fragment as long as the read: both mates at the same position on opposite strands.
      set_cigar(r1, 0, read_length(), false, false);
      set_cigar(r2, 0, read_length(), false, false);
      const int32_t tid = pick_contig();
      const int64_t pos = random_start(tid, read_length());
      place_fr_pair(plan, tid, pos, read_length(), read1_left);
      remember(plan);
      return;
    }
    int32_t tid = 0;
    int64_t floor = 0;
    if (options_.big_positions && rng_.chance(kBigTemplateRate)) {
      tid = static_cast<int32_t>(contigs_.size() - 1);
      floor = kBigPositionFloor;
    } else {
      tid = pick_contig();
    }
    const int64_t insert = std::max({draw_insert(), r1.ref_len, r2.ref_len});
    const int64_t room = contigs_[tid].length - insert;
    const int64_t start = room > floor ? rng_.between(floor, room) : std::max<int64_t>(room, 0);
    place_fr_pair(plan, tid, start, insert, read1_left);
    if (plan.reads[0].primary.pos < 0 || plan.reads[1].primary.pos < 0) {
      plan.reads[0].primary.pos = plan.reads[1].primary.pos = 0;
    }
    remember(plan);
  }

  const std::array<Alignment, 2>& recent_template() {
    const int64_t filled = std::min<int64_t>(ring_count_, kRingSize);
    return ring_[rng_.below(static_cast<uint64_t>(filled))];
  }

  void remember(const TemplatePlan& plan) {
    ring_[ring_count_ % kRingSize] = {plan.reads[0].primary, plan.reads[1].primary};
    ++ring_count_;
  }

  void plan_discordant_pair(TemplatePlan& plan, bool other_chromosome) {
    for (auto& read : plan.reads) {
      set_primary_cigar(read.primary);
      finish_mapped(read.primary, true);
      read.primary.rev = rng_.coin();
      read.primary.mapq = static_cast<uint8_t>(rng_.between(0, 60));
    }
    auto& a = plan.reads[0].primary;
    auto& b = plan.reads[1].primary;
    a.tid = pick_contig();
    a.pos = random_start(a.tid, a.ref_len);
    b.tid = other_chromosome ? pick_contig() : a.tid;
    if (other_chromosome) {
      b.pos = random_start(b.tid, b.ref_len);
    } else {
      const int64_t distance = rng_.between(5000, 2'000'000);
      const int64_t pos = rng_.coin() ? a.pos + distance : a.pos - distance;
      b.pos = std::clamp<int64_t>(pos, 0, std::max<int64_t>(0, contigs_[b.tid].length - b.ref_len));
    }
  }

  void plan_one_end_unmapped(TemplatePlan& plan) {
    const int mapped_index = static_cast<int>(rng_.below(2));
    Alignment& mapped = plan.reads[mapped_index].primary;
    Alignment& unmapped = plan.reads[1 - mapped_index].primary;
    set_primary_cigar(mapped);
    finish_mapped(mapped, true);
    mapped.rev = rng_.coin();
    mapped.tid = pick_contig();
    mapped.pos = random_start(mapped.tid, mapped.ref_len);
    // bwa places the unmapped mate at the mapped read's coordinates.
    unmapped = Alignment{};
    unmapped.tid = mapped.tid;
    unmapped.pos = mapped.pos;
  }

  // Splits a primary into a soft-clipped primary plus a hard-clipped supplementary elsewhere.
  void add_supplementary(TemplatePlan& plan, int read_index) {
    ReadPlan& read = plan.reads[read_index];
    Alignment& primary = read.primary;
    const int length = read_length();
    const int split = static_cast<int>(rng_.between(length / 5, length - length / 5));
    const bool primary_first = split >= length / 2;
    // Keep the primary's reference coordinates for the bases it still covers.
    const int old_lead = primary.rev ? length - primary.query_end : primary.query_begin;
    const int begin = primary_first ? 0 : split;
    const int end = primary_first ? split : length;
    const int new_lead = primary.rev ? length - end : begin;
    set_cigar(primary, begin, end, false, false);
    primary.pos = std::max<int64_t>(0, primary.pos + new_lead - old_lead);
    finish_mapped(primary, false);

    Alignment& supp = read.extra;
    supp = Alignment{};
    supp.rev = rng_.coin();
    set_cigar(supp, primary_first ? split : 0, primary_first ? length : split, true, false);
    finish_mapped(supp, true);
    if (rng_.coin()) {
      supp.tid = pick_contig();
      supp.pos = random_start(supp.tid, supp.ref_len);
    } else {
      supp.tid = primary.tid;
      const int64_t pos = primary.pos + rng_.between(-100000, 100000);
      supp.pos = std::clamp<int64_t>(
          pos, 0, std::max<int64_t>(0, contigs_[supp.tid].length - supp.ref_len));
    }
    read.has_supplementary = true;
  }

  void add_secondary(TemplatePlan& plan, int read_index) {
    ReadPlan& read = plan.reads[read_index];
    Alignment& secondary = read.extra;
    secondary = Alignment{};
    secondary.rev = rng_.coin();
    set_primary_cigar(secondary);
    finish_mapped(secondary, true);
    secondary.mapq = 0;
    secondary.tid = rng_.coin() ? read.primary.tid : pick_contig();
    secondary.pos = random_start(secondary.tid, secondary.ref_len);
    read.has_secondary = true;
  }

  TemplatePlan plan_template(int64_t remaining) {
    TemplatePlan plan;
    plan.read_group = rng_.chance(kReadGroup1Rate) ? 0 : 1;
    if (remaining == 1) {
      // Exactly N records: a lone unpaired read closes the file when N is odd.
      plan.paired = false;
      set_primary_cigar(plan.reads[0].primary);
      finish_mapped(plan.reads[0].primary, true);
      auto& al = plan.reads[0].primary;
      al.rev = rng_.coin();
      al.tid = pick_contig();
      al.pos = random_start(al.tid, al.ref_len);
      return plan;
    }
    if (rng_.below(10000) < unmapped_per_10000_) return plan;  // both mates unmapped
    const uint64_t kind = rng_.below(10000);
    if (kind < kOneEndUnmappedRate) {
      plan_one_end_unmapped(plan);
      return plan;
    }
    if (kind < kOneEndUnmappedRate + kInterChromosomalRate) {
      plan_discordant_pair(plan, true);
    } else if (kind < kOneEndUnmappedRate + kInterChromosomalRate + kLongInsertRate) {
      plan_discordant_pair(plan, false);
    } else {
      plan_proper_pair(plan);
    }
    int64_t spare = remaining - 2;
    if (spare > 0 && rng_.chance(kSupplementaryRate)) {
      add_supplementary(plan, static_cast<int>(rng_.below(2)));
      --spare;
    }
    if (spare > 0 && rng_.chance(kSecondaryRate)) {
      const int index = static_cast<int>(rng_.below(2));
      if (!plan.reads[index].has_supplementary) {
        add_secondary(plan, index);
        --spare;
      }
    }
    return plan;
  }

  // Random bases (rare N) and NovaSeq-binned (rg1) or HiSeq-style (rg2) qualities.
  void fill_sequences(const TemplatePlan& plan) {
    static constexpr char kBases[4] = {'A', 'C', 'G', 'T'};
    static constexpr uint8_t kBinned[4] = {37, 25, 11, 2};
    const int length = read_length();
    const int reads = plan.paired ? 2 : 1;
    for (int r = 0; r < reads; ++r) {
      char* seq = query_seq_[r].data();
      uint8_t* qual = query_qual_[r].data();
      uint64_t bits = 0;
      for (int i = 0; i < length; ++i) {
        if ((i & 31) == 0) bits = rng_.next();
        seq[i] = kBases[bits & 3];
        bits >>= 2;
      }
      if (rng_.chance(kReadWithNRate)) seq[rng_.below(static_cast<uint64_t>(length))] = 'N';
      const bool binned = plan.read_group == 0;
      uint64_t noise = 0;
      for (int i = 0; i < length; ++i) {
        if ((i & 7) == 0) noise = rng_.next();
        const auto byte = static_cast<uint32_t>(noise & 0xff);
        noise >>= 8;
        const uint32_t decline = static_cast<uint32_t>(i * 48 / length);  // worse toward 3' end
        if (binned) {
          qual[i] = byte < 200u - decline ? kBinned[0]
                    : byte < 245u         ? kBinned[1]
                    : byte < 253u         ? kBinned[2]
                                          : kBinned[3];
        } else {
          // HiSeq-like: a ramp-up over the first bases, slow decay, jitter and rare dips.
          const int target = (i < 5 ? 33 + i : 41) - static_cast<int>(decline) / 3;
          int quality = target - static_cast<int>(byte & 3) - static_cast<int>((byte >> 2) & 1);
          if (byte < 3 + decline / 6) quality = 2 + static_cast<int>(byte >> 3) % 24;
          qual[i] = static_cast<uint8_t>(std::clamp(quality, 2, 41));
        }
      }
      for (int i = 0; i < length; ++i) {
        if (seq[i] == 'N') qual[i] = 2;
      }
    }
  }

  static char complement(char base) {
    switch (base) {
      case 'A':
        return 'T';
      case 'C':
        return 'G';
      case 'G':
        return 'C';
      case 'T':
        return 'A';
      default:
        return 'N';
    }
  }

  // Copies query range [begin, end) into the stored (reference-strand) orientation.
  int stage_sequence(int read_index, int begin, int end, bool rev) {
    const char* seq = query_seq_[read_index].data();
    const uint8_t* qual = query_qual_[read_index].data();
    const int n = end - begin;
    for (int i = 0; i < n; ++i) {
      if (rev) {
        stored_seq_[i] = complement(seq[end - 1 - i]);
        stored_qual_[i] = qual[end - 1 - i];
      } else {
        stored_seq_[i] = seq[begin + i];
        stored_qual_[i] = qual[begin + i];
      }
    }
    return n;
  }

  static size_t format_cigar(const Alignment& al, bool soft_clips, char* out) {
    size_t n = 0;
    for (int i = 0; i < al.n_cigar; ++i) {
      uint32_t op = bam_cigar_op(al.cigar[i]);
      if (soft_clips && op == BAM_CHARD_CLIP) op = BAM_CSOFT_CLIP;
      n += static_cast<size_t>(
          std::to_chars(out + n, out + n + 16, bam_cigar_oplen(al.cigar[i])).ptr - (out + n));
      out[n++] = BAM_CIGAR_STR[op];
    }
    out[n] = '\0';
    return n;
  }

  // MD consistent with the CIGAR: mismatches spread over the M bases, deleted bases after '^'.
  size_t format_md(const Alignment& al, char* out) {
    static constexpr char kBases[4] = {'A', 'C', 'G', 'T'};
    int64_t match_total = 0;
    for (int i = 0; i < al.n_cigar; ++i) {
      if (bam_cigar_op(al.cigar[i]) == BAM_CMATCH) match_total += bam_cigar_oplen(al.cigar[i]);
    }
    std::array<int64_t, 8> marks{};
    int n_marks = 0;
    for (int i = 0; i < al.mismatches && i < static_cast<int>(marks.size()); ++i) {
      marks[n_marks++] = static_cast<int64_t>(rng_.below(static_cast<uint64_t>(match_total)));
    }
    std::sort(marks.begin(), marks.begin() + n_marks);
    size_t n = 0;
    int64_t run = 0;
    int64_t offset = 0;
    int next_mark = 0;
    auto put_run = [&]() {
      n += static_cast<size_t>(std::to_chars(out + n, out + n + 24, run).ptr - (out + n));
      run = 0;
    };
    for (int i = 0; i < al.n_cigar; ++i) {
      const uint32_t op = bam_cigar_op(al.cigar[i]);
      const int64_t len = bam_cigar_oplen(al.cigar[i]);
      if (op == BAM_CMATCH) {
        for (int64_t j = 0; j < len; ++j, ++offset) {
          bool mismatch = false;
          while (next_mark < n_marks && marks[next_mark] == offset) {
            mismatch = true;
            ++next_mark;
          }
          if (mismatch) {
            put_run();
            out[n++] = kBases[rng_.below(4)];
          } else {
            ++run;
          }
        }
      } else if (op == BAM_CDEL) {
        put_run();
        out[n++] = '^';
        for (int64_t j = 0; j < len; ++j) out[n++] = kBases[rng_.below(4)];
      }
    }
    put_run();
    out[n] = '\0';
    return n;
  }

  void append_int(const char tag[2], int64_t value) {
    uint8_t data[4];
    char type = 'i';
    int size = 4;
    if (value >= 0 && value <= 0xff) {
      type = 'C';
      size = 1;
    } else if (value >= -128 && value < 0) {
      type = 'c';
      size = 1;
    } else if (value >= 0 && value <= 0xffff) {
      type = 'S';
      size = 2;
    } else if (value >= -32768 && value < 0) {
      type = 's';
      size = 2;
    }
    const auto bits = static_cast<uint32_t>(value);
    for (int i = 0; i < size; ++i) data[i] = static_cast<uint8_t>(bits >> (8 * i));
    if (bam_aux_append(record_, tag, type, size, data) < 0) fail("bam_aux_append failed");
  }

  void append_string(const char tag[2], const char* text, size_t length) {
    if (bam_aux_append(record_, tag, 'Z', static_cast<int>(length + 1),
                       reinterpret_cast<const uint8_t*>(text)) < 0) {
      fail("bam_aux_append failed");
    }
  }

  size_t format_sa(const Alignment& al, char* out) {
    size_t n = 0;
    const std::string& name = contigs_[al.tid].name;
    std::memcpy(out, name.data(), name.size());
    n += name.size();
    out[n++] = ',';
    n += static_cast<size_t>(std::to_chars(out + n, out + n + 24, al.pos + 1).ptr - (out + n));
    out[n++] = ',';
    out[n++] = al.rev ? '-' : '+';
    out[n++] = ',';
    n += format_cigar(al, true, out + n);
    out[n++] = ',';
    n += static_cast<size_t>(std::to_chars(out + n, out + n + 8, al.mapq).ptr - (out + n));
    out[n++] = ',';
    n += static_cast<size_t>(std::to_chars(out + n, out + n + 8, al.nm).ptr - (out + n));
    out[n++] = ';';
    out[n] = '\0';
    return n;
  }

  enum class Kind { kPrimary, kSupplementary, kSecondary };

  void write_record(const TemplatePlan& plan, std::string_view name, int read_index, Kind kind) {
    const ReadPlan& read = plan.reads[read_index];
    const Alignment& al = kind == Kind::kPrimary ? read.primary : read.extra;
    const Alignment* mate = plan.paired ? &plan.reads[1 - read_index].primary : nullptr;

    uint16_t flag = 0;
    int32_t mtid = -1;
    int64_t mpos = -1;
    int64_t tlen = 0;
    if (mate != nullptr) {
      flag |= BAM_FPAIRED | (read_index == 0 ? BAM_FREAD1 : BAM_FREAD2);
      if (plan.proper && kind != Kind::kSecondary) flag |= BAM_FPROPER_PAIR;
      if (!mate->mapped) flag |= BAM_FMUNMAP;
      if (mate->mapped && mate->rev) flag |= BAM_FMREVERSE;
      mtid = mate->tid;
      mpos = mate->pos;
      if (al.mapped && mate->mapped && al.tid == mate->tid) {
        // Distance between the 5' ends, as bwa and samtools fixmate compute it.
        tlen = mate->five_prime() - al.five_prime();
      }
    }
    if (!al.mapped) flag |= BAM_FUNMAP;
    if (al.mapped && al.rev) flag |= BAM_FREVERSE;
    if (kind == Kind::kSupplementary) flag |= BAM_FSUPPLEMENTARY;
    if (kind == Kind::kSecondary) flag |= BAM_FSECONDARY;

    int l_seq = 0;
    if (kind == Kind::kSecondary) {
      l_seq = 0;  // SEQ and QUAL are '*' on secondary lines
    } else if (!al.mapped) {
      l_seq = stage_sequence(read_index, 0, read_length(), false);
    } else if (al.hard_clipped) {
      l_seq = stage_sequence(read_index, al.query_begin, al.query_end, al.rev);
    } else {
      l_seq = stage_sequence(read_index, 0, read_length(), al.rev);
    }

    const size_t aux_reserve = 160 + static_cast<size_t>(read_length() / 2);
    if (bam_set1(record_, name.size(), name.data(), flag, al.tid, al.pos, al.mapq,
                 al.mapped ? static_cast<size_t>(al.n_cigar) : 0, al.cigar.data(), mtid, mpos, tlen,
                 static_cast<size_t>(l_seq), stored_seq_.data(),
                 reinterpret_cast<const char*>(stored_qual_.data()), aux_reserve) < 0) {
      fail("bam_set1 failed for " + std::string(name));
    }

    if (al.mapped) {
      append_int("NM", al.nm);
      const size_t md_len = format_md(al, text_buffer_);
      append_string("MD", text_buffer_, md_len);
    }
    if (mate != nullptr && mate->mapped) {
      const size_t mc_len = format_cigar(*mate, false, text_buffer_);
      append_string("MC", text_buffer_, mc_len);
    }
    append_int("AS", al.mapped ? al.score : 0);
    if (!al.mapped) {
      append_int("XS", 0);
    } else if (al.sub_score >= 0) {
      append_int("XS", al.sub_score);
    }
    append_string("RG", plan.read_group == 0 ? "rg1" : "rg2", 3);
    if (read.has_supplementary && kind != Kind::kSecondary) {
      const Alignment& other = kind == Kind::kPrimary ? read.extra : read.primary;
      const size_t sa_len = format_sa(other, text_buffer_);
      append_string("SA", text_buffer_, sa_len);
    }

    if (sam_write1(out_, header_, record_) < 0) fail("failed to write " + options_.output);
  }

  int emit_template(const TemplatePlan& plan, std::string_view name) {
    int written = 0;
    const int reads = plan.paired ? 2 : 1;
    for (int r = 0; r < reads; ++r) {
      write_record(plan, name, r, Kind::kPrimary);
      ++written;
      if (plan.reads[r].has_supplementary) {
        write_record(plan, name, r, Kind::kSupplementary);
        ++written;
      }
      if (plan.reads[r].has_secondary) {
        write_record(plan, name, r, Kind::kSecondary);
        ++written;
      }
    }
    return written;
  }

  const Options& options_;
  std::vector<Contig> contigs_;
  std::vector<int64_t> cumulative_;
  uint32_t unmapped_per_10000_ = 0;
  Rng rng_;
  std::array<std::array<Alignment, 2>, kRingSize> ring_{};
  int64_t ring_count_ = 0;
  std::array<std::string, 2> query_seq_;
  std::array<std::vector<uint8_t>, 2> query_qual_;
  std::string stored_seq_;
  std::vector<uint8_t> stored_qual_;
  char name_buffer_[96] = {};
  char text_buffer_[4 * kMaxReadLength + 1024] = {};
  bam1_t* record_ = nullptr;
  samFile* out_ = nullptr;
  sam_hdr_t* header_ = nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  std::vector<Contig> contigs = make_contigs(options.contigs, options.big_positions);
  const std::string header_text = make_header_text(contigs);

  const std::string mode = "wb" + std::to_string(options.level);
  samFile* out = sam_open(options.output.c_str(), mode.c_str());
  if (out == nullptr) fail("cannot open " + options.output + " for writing");
  if (options.threads > 0 && hts_set_threads(out, options.threads) < 0) {
    fail("cannot start compression threads");
  }
  sam_hdr_t* header = sam_hdr_parse(header_text.size(), header_text.c_str());
  if (header == nullptr) fail("failed to build header");
  if (sam_hdr_write(out, header) < 0) fail("failed to write header to " + options.output);

  {
    Generator generator(options, std::move(contigs));
    generator.run(out, header);
  }

  sam_hdr_destroy(header);
  if (sam_close(out) < 0) fail("failed to close " + options.output);
  return 0;
}
