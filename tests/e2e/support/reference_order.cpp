// The reference comparators (see reference_order.hpp), one per order, written from the
// contract's text: each record's fields are read straight from its raw bytes (BAM layout,
// block_size first), keys are plain values, and std::stable_sort supplies input order as the
// last tie-break.
#include "reference_order.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace samsort::e2e {
namespace {

constexpr uint16_t kPaired = 0x1;
constexpr uint16_t kUnmapped = 0x4;
constexpr uint16_t kMateUnmapped = 0x8;
constexpr uint16_t kReverse = 0x10;
constexpr uint16_t kMateReverse = 0x20;
constexpr int32_t kNoTid = INT32_MAX;                                        // spec: INT32_MAX
constexpr int64_t kNoPos = (int64_t{INT32_MAX} << 32) | int64_t{INT32_MAX};  // htslib HTS_POS_MAX

template <typename T>
T load(const uint8_t* at) {
  T value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

int sign(int64_t value) { return value < 0 ? -1 : value > 0 ? 1 : 0; }

template <typename T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : b < a ? 1 : 0;
}

struct CigarOp {
  int64_t length;
  char op;  // one of MIDNSHP=X
};

// The fields the orders look at, read from a raw record.
struct Record {
  int32_t tid = 0;
  int32_t pos = 0;
  uint16_t flag = 0;
  int32_t mate_tid = 0;
  int32_t mate_pos = 0;
  uint8_t mapq = 0;
  int32_t isize = 0;
  const char* name = "";
  std::vector<CigarOp> cigar;
  const uint8_t* aux = nullptr;  // first aux field
  const uint8_t* end = nullptr;  // one past the record
};

Record parse(const uint8_t* raw) {
  Record record;
  uint32_t block_size = load<uint32_t>(raw);
  record.tid = load<int32_t>(raw + 4);
  record.pos = load<int32_t>(raw + 8);
  uint8_t name_bytes = raw[12];
  uint16_t cigar_count = load<uint16_t>(raw + 16);
  record.flag = load<uint16_t>(raw + 18);
  int32_t seq_length = load<int32_t>(raw + 20);
  record.mate_tid = load<int32_t>(raw + 24);
  record.mate_pos = load<int32_t>(raw + 28);
  record.mapq = raw[13];
  record.isize = load<int32_t>(raw + 32);
  record.name = reinterpret_cast<const char*>(raw + 36);
  const uint8_t* at = raw + 36 + name_bytes;
  for (uint16_t idx = 0; idx < cigar_count; ++idx) {
    uint32_t op = load<uint32_t>(at + 4 * idx);
    record.cigar.push_back({op >> 4, "MIDNSHP=X?????"[op & 0xf]});
  }
  size_t seq = seq_length > 0 ? static_cast<size_t>(seq_length) : 0;
  record.aux = at + 4 * size_t{cigar_count} + (seq + 1) / 2 + seq;
  record.end = raw + 4 + block_size;
  return record;
}

// Bytes of an aux value whose type byte is at `type`; 0 for an unknown type.
size_t value_bytes(const uint8_t* type, const uint8_t* end) {
  switch (*type) {
    case 'A':
    case 'c':
    case 'C':
      return 1;
    case 's':
    case 'S':
      return 2;
    case 'i':
    case 'I':
    case 'f':
      return 4;
    case 'd':
      return 8;
    case 'Z':
    case 'H': {
      const uint8_t* nul = std::find(type + 1, end, uint8_t{0});
      return static_cast<size_t>(nul - type);  // the text and its NUL
    }
    case 'B': {
      size_t count = load<uint32_t>(type + 2);
      size_t element = value_bytes(type + 1, end);
      return 5 + count * element;
    }
    default:
      return 0;
  }
}

// The type byte of the first `tag` field, or nullptr.
const uint8_t* find_tag(const Record& record, const char* tag) {
  const uint8_t* at = record.aux;
  while (at + 3 <= record.end) {
    size_t bytes = value_bytes(at + 2, record.end);
    if (bytes == 0) return nullptr;
    if (at[0] == tag[0] && at[1] == tag[1]) return at + 2;
    at += 2 + 1 + bytes;
  }
  return nullptr;
}

// A string tag's text; throws when the tag is there but not a string.
const char* string_tag(const Record& record, const char* tag, const char* missing) {
  const uint8_t* type = find_tag(record, tag);
  if (type == nullptr) return missing;
  if (*type != 'Z') throw std::runtime_error(std::string(tag) + " tag is not a string");
  return reinterpret_cast<const char*>(type + 1);
}

// ---- coordinate ----

int compare_coordinate(const Record& a, const Record& b) {
  if (int order = three_way(static_cast<uint32_t>(a.tid), static_cast<uint32_t>(b.tid))) {
    return order;
  }
  if (int order = three_way(static_cast<uint64_t>(int64_t{a.pos} + 1),
                            static_cast<uint64_t>(int64_t{b.pos} + 1))) {
    return order;
  }
  return three_way(a.flag & kReverse, b.flag & kReverse);
}

// ---- queryname ----

int flag_key(uint16_t flag) {
  return ((flag & 0xC0) << 8) | ((flag & 0x100) << 3) | ((flag & 0x800) >> 3);
}

int compare_name(const Record& a, const Record& b, bool natural) {
  int order = natural ? reference_natural_compare(a.name, b.name) : std::strcmp(a.name, b.name);
  if (order != 0) return sign(order);
  return three_way(flag_key(a.flag), flag_key(b.flag));
}

// ---- Picard (htsjdk 3.0.4 SAMRecordCoordinateComparator / SAMRecordQueryNameComparator) ----
// Java's int arithmetic: getAlignmentStart() = pos + 1, getMateAlignmentStart() = mpos + 1.

int compare_picard_coordinate(const Record& a, const Record& b) {
  // fileOrderCompare: reference index (-1 after all), then alignment start (only with a
  // reference).
  int cmp = 0;
  if (a.tid == -1) {
    cmp = b.tid == -1 ? 0 : 1;
  } else if (b.tid == -1) {
    cmp = -1;
  } else {
    cmp = three_way(a.tid, b.tid);
    if (cmp == 0) cmp = three_way(int64_t{a.pos} + 1, int64_t{b.pos} + 1);
  }
  if (cmp != 0) return cmp;
  bool reverse_a = (a.flag & kReverse) != 0;
  bool reverse_b = (b.flag & kReverse) != 0;
  if (reverse_a != reverse_b) return reverse_a ? 1 : -1;
  if (int order = sign(std::strcmp(a.name, b.name))) return order;
  if (int order = three_way(a.flag, b.flag)) return order;
  if (int order = three_way(a.mapq, b.mapq)) return order;
  if (int order = three_way(a.mate_tid, b.mate_tid)) return order;
  if (int order = three_way(int64_t{a.mate_pos} + 1, int64_t{b.mate_pos} + 1)) return order;
  return three_way(a.isize, b.isize);
}

// ---- tag ----

// A tag value normalised as the contract says, ranked A < B < string < number.
struct TagValue {
  enum Rank { kChar, kArray, kString, kNumber } rank = kChar;
  bool integer = false;
  int64_t whole = 0;
  double real = 0;
  unsigned char character = 0;
  const char* text = "";
};

TagValue tag_value(const uint8_t* type) {
  TagValue value;
  const uint8_t* data = type + 1;
  switch (*type) {
    case 'A':
      value.character = *data;
      return value;
    case 'B':
      value.rank = TagValue::kArray;
      return value;
    case 'Z':
    case 'H':
      value.rank = TagValue::kString;
      value.text = reinterpret_cast<const char*>(data);
      return value;
    case 'f':
      value.rank = TagValue::kNumber;
      value.real = load<float>(data);
      return value;
    case 'd':
      value.rank = TagValue::kNumber;
      value.real = load<double>(data);
      return value;
    default:
      break;
  }
  value.rank = TagValue::kNumber;
  value.integer = true;
  switch (*type) {
    case 'c':
      value.whole = load<int8_t>(data);
      break;
    case 'C':
      value.whole = load<uint8_t>(data);
      break;
    case 's':
      value.whole = load<int16_t>(data);
      break;
    case 'S':
      value.whole = load<uint16_t>(data);
      break;
    case 'i':
      value.whole = load<int32_t>(data);
      break;
    case 'I':
      value.whole = load<uint32_t>(data);
      break;
    default:
      throw std::runtime_error("unknown aux type");
  }
  return value;
}

// Compares the first `tag` fields: absent first; 0 when the values are equal (or both absent).
int compare_tag(const Record& a, const Record& b, const char* tag) {
  const uint8_t* type_a = find_tag(a, tag);
  const uint8_t* type_b = find_tag(b, tag);
  if (type_a == nullptr || type_b == nullptr)
    return three_way(type_a != nullptr, type_b != nullptr);
  TagValue value_a = tag_value(type_a);
  TagValue value_b = tag_value(type_b);
  if (value_a.rank != value_b.rank) return three_way(value_a.rank, value_b.rank);
  switch (value_a.rank) {
    case TagValue::kChar:
      return three_way(value_a.character, value_b.character);
    case TagValue::kArray:
      return 0;
    case TagValue::kString:
      return sign(std::strcmp(value_a.text, value_b.text));
    case TagValue::kNumber:
      if (value_a.integer && value_b.integer) return three_way(value_a.whole, value_b.whole);
      return three_way(value_a.integer ? static_cast<double>(value_a.whole) : value_a.real,
                       value_b.integer ? static_cast<double>(value_b.whole) : value_b.real);
  }
  return 0;
}

// ---- template-coordinate ----

bool consumes_reference(char op) {
  return op == 'M' || op == 'D' || op == 'N' || op == '=' || op == 'X';
}

// Leading soft clips; hard clips are passed over, any other op stops the count.
int64_t leading_soft_clips(const std::vector<CigarOp>& cigar) {
  int64_t clipped = 0;
  for (const CigarOp& op : cigar) {
    if (op.op == 'S') {
      clipped += op.length;
    } else if (op.op != 'H') {
      break;
    }
  }
  return clipped;
}

// 1-based unclipped start of a mapped record.
int64_t unclipped_start(const Record& record) {
  return int64_t{record.pos} - leading_soft_clips(record.cigar) + 1;
}

// 1-based unclipped end of a mapped record: the alignment end (at least one base, as htslib's
// bam_endpos) plus the soft clips after the last reference-consuming op.
int64_t unclipped_end(const Record& record) {
  int64_t reference_length = 0;
  for (const CigarOp& op : record.cigar) {
    if (consumes_reference(op.op)) reference_length += op.length;
  }
  std::vector<CigarOp> reversed(record.cigar.rbegin(), record.cigar.rend());
  return int64_t{record.pos} + std::max<int64_t>(reference_length, 1) +
         leading_soft_clips(reversed);
}

// MC:Z text ("5S10M") as ops; a missing count means 1, "*" ends the text.
std::vector<CigarOp> parse_mate_cigar(const char* text) {
  std::vector<CigarOp> ops;
  while (*text != '\0' && *text != '*') {
    int64_t length = 1;
    if (*text >= '0' && *text <= '9') {
      length = 0;
      while (*text >= '0' && *text <= '9') length = length * 10 + (*text++ - '0');
    }
    if (*text == '\0') break;
    ops.push_back({length, *text++});
  }
  return ops;
}

// The mate's 1-based unclipped start (forward) or end (reverse) from mpos and MC.
int64_t mate_unclipped_position(int32_t mate_pos, const std::vector<CigarOp>& mate_cigar,
                                bool reverse) {
  if (!reverse) return int64_t{mate_pos} - leading_soft_clips(mate_cigar) + 1;
  int64_t span = 0;
  bool reference_seen = false;
  for (const CigarOp& op : mate_cigar) {
    if (consumes_reference(op.op)) {
      span += op.length;
      reference_seen = true;
    } else if (op.op == 'S' && reference_seen) {
      span += op.length;
    }
  }
  return int64_t{mate_pos} + span;
}

std::string library_of(const Record& record,
                       const std::vector<std::pair<std::string, std::string>>& libraries) {
  const uint8_t* type = find_tag(record, "RG");
  if (type == nullptr || *type != 'Z') return "";
  std::string_view group(reinterpret_cast<const char*>(type + 1));
  for (const auto& [id, library] : libraries) {
    if (id == group) return library;
  }
  return "";
}

// (@RG ID, LB) for every @RG line with an LB.
std::vector<std::pair<std::string, std::string>> read_group_libraries(const std::string& header) {
  std::vector<std::pair<std::string, std::string>> libraries;
  size_t start = 0;
  while (start < header.size()) {
    size_t end = header.find('\n', start);
    if (end == std::string::npos) end = header.size();
    std::string line = header.substr(start, end - start);
    start = end + 1;
    if (line.rfind("@RG\t", 0) != 0) continue;
    std::string id;
    std::string library;
    bool has_library = false;
    size_t field = 0;
    while ((field = line.find('\t', field)) != std::string::npos) {
      ++field;
      size_t field_end = line.find('\t', field);
      std::string text = line.substr(field, field_end - field);
      if (text.rfind("ID:", 0) == 0) id = text.substr(3);
      if (text.rfind("LB:", 0) == 0) {
        library = text.substr(3);
        has_library = true;
      }
    }
    if (has_library) libraries.emplace_back(id, library);
  }
  return libraries;
}

struct TemplateKey {
  int32_t tid1 = kNoTid;
  int32_t tid2 = kNoTid;
  int64_t pos1 = kNoPos;
  int64_t pos2 = kNoPos;
  bool neg1 = false;
  bool neg2 = false;
  std::string library;
  std::string cb;
  std::string mi;  // without a trailing "/X"
  std::string name;
  bool upper = false;
};

TemplateKey template_key(const Record& record,
                         const std::vector<std::pair<std::string, std::string>>& libraries) {
  TemplateKey key;
  key.library = library_of(record, libraries);
  key.name = record.name;
  if ((record.flag & kUnmapped) == 0) {
    key.tid1 = record.tid;
    key.neg1 = (record.flag & kReverse) != 0;
    key.pos1 = key.neg1 ? unclipped_end(record) : unclipped_start(record);
  }
  // A mate said to be mapped but without a reference counts as unmapped (the contract's
  // "undefined corner kept defined").
  if ((record.flag & kPaired) != 0 && (record.flag & kMateUnmapped) == 0 && record.mate_tid >= 0) {
    const char* mate_cigar = string_tag(record, "MC", nullptr);
    if (mate_cigar == nullptr) {
      throw std::runtime_error(std::string("no MC tag on ") + record.name +
                               ": run samtools fixmate first");
    }
    key.tid2 = record.mate_tid;
    key.neg2 = (record.flag & kMateReverse) != 0;
    key.pos2 = mate_unclipped_position(record.mate_pos, parse_mate_cigar(mate_cigar), key.neg2);
  }
  key.cb = string_tag(record, "CB", "");
  key.mi = string_tag(record, "MI", "");
  if (key.mi.size() >= 2 && key.mi[key.mi.size() - 2] == '/') key.mi.resize(key.mi.size() - 2);
  bool lower = key.tid1 < key.tid2 || (key.tid1 == key.tid2 && key.pos1 < key.pos2) ||
               (key.tid1 == key.tid2 && key.pos1 == key.pos2 && !key.neg1);
  if (!lower) {
    key.upper = true;
    std::swap(key.tid1, key.tid2);
    std::swap(key.pos1, key.pos2);
    std::swap(key.neg1, key.neg2);
  }
  return key;
}

int compare_template(const TemplateKey& a, const TemplateKey& b) {
  if (int order = three_way(a.tid1, b.tid1)) return order;
  if (int order = three_way(a.tid2, b.tid2)) return order;
  if (int order = three_way(a.pos1, b.pos1)) return order;
  if (int order = three_way(a.pos2, b.pos2)) return order;
  if (int order = three_way(b.neg1, a.neg1)) return order;  // reverse first
  if (int order = three_way(b.neg2, a.neg2)) return order;
  if (int order = sign(a.library.compare(b.library))) return order;
  if (int order = sign(a.cb.compare(b.cb))) return order;
  if (int order = sign(a.mi.compare(b.mi))) return order;
  if (int order = sign(a.name.compare(b.name))) return order;
  return three_way(a.upper, b.upper);
}

// An integer HI value (any BAM integer type), or false when absent or not an integer.
bool hit_index(const Record& record, int64_t& value) {
  const uint8_t* type = find_tag(record, "HI");
  if (type == nullptr) return false;
  const uint8_t* at = type + 1;
  switch (*type) {
    case 'c':
      value = static_cast<int8_t>(at[0]);
      return true;
    case 'C':
      value = at[0];
      return true;
    case 's':
      value = load<int16_t>(at);
      return true;
    case 'S':
      value = load<uint16_t>(at);
      return true;
    case 'i':
      value = load<int32_t>(at);
      return true;
    case 'I':
      value = load<uint32_t>(at);
      return true;
    default:
      return false;
  }
}

int compare_picard_queryname(const Record& a, const Record& b) {
  if (int order = sign(std::strcmp(a.name, b.name))) return order;
  bool paired_a = (a.flag & kPaired) != 0;
  bool paired_b = (b.flag & kPaired) != 0;
  bool first_a = (a.flag & 0x40) != 0;
  bool second_a = (a.flag & 0x80) != 0;
  bool first_b = (b.flag & 0x40) != 0;
  bool second_b = (b.flag & 0x80) != 0;
  if (paired_a || paired_b) {
    if (!paired_a) return 1;
    if (!paired_b) return -1;
    if (first_a && second_b) return -1;
    if (second_a && first_b) return 1;
  }
  bool reverse_a = (a.flag & kReverse) != 0;
  bool reverse_b = (b.flag & kReverse) != 0;
  if (reverse_a != reverse_b) return reverse_a ? 1 : -1;
  bool secondary_a = (a.flag & 0x100) != 0;
  bool secondary_b = (b.flag & 0x100) != 0;
  if (secondary_a != secondary_b) return secondary_b ? -1 : 1;
  bool supplementary_a = (a.flag & 0x800) != 0;
  bool supplementary_b = (b.flag & 0x800) != 0;
  if (supplementary_a != supplementary_b) return supplementary_b ? -1 : 1;
  int64_t hit_a = 0;
  int64_t hit_b = 0;
  bool has_a = hit_index(a, hit_a);
  bool has_b = hit_index(b, hit_b);
  if (has_a != has_b) return has_a ? 1 : -1;
  return has_a ? three_way(hit_a, hit_b) : 0;
}

std::vector<size_t> stable_order(size_t count, const std::function<int(size_t, size_t)>& compare) {
  std::vector<size_t> order(count);
  for (size_t idx = 0; idx < count; ++idx) order[idx] = idx;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return compare(a, b) < 0; });
  return order;
}

}  // namespace

int reference_natural_compare(const char* a, const char* b) {
  auto digit = [](unsigned char byte) { return byte >= '0' && byte <= '9'; };
  const auto* pa = reinterpret_cast<const unsigned char*>(a);
  const auto* pb = reinterpret_cast<const unsigned char*>(b);
  while (*pa != 0 && *pb != 0) {
    if (!digit(*pa) || !digit(*pb)) {
      if (*pa != *pb) return int{*pa} - int{*pb};
      ++pa;
      ++pb;
      continue;
    }
    while (*pa == '0') ++pa;
    while (*pb == '0') ++pb;
    while (digit(*pa) && *pa == *pb) {
      ++pa;
      ++pb;
    }
    int diff = int{*pa} - int{*pb};
    while (digit(*pa) && digit(*pb)) {
      ++pa;
      ++pb;
    }
    if (digit(*pa)) return 1;
    if (digit(*pb)) return -1;
    if (diff != 0) return diff;
  }
  return *pa != 0 ? 1 : *pb != 0 ? -1 : 0;
}

std::vector<size_t> reference_order(const BamRecords& records, const OracleSort& sort) {
  std::vector<Record> parsed;
  parsed.reserve(records.size());
  for (size_t idx = 0; idx < records.size(); ++idx) parsed.push_back(parse(records.record(idx)));
  if (sort.order == OracleOrder::kTemplateCoordinate) {
    if (*sort.tag != '\0') throw std::logic_error("template-coordinate takes no tag");
    auto libraries = read_group_libraries(records.header_text);
    std::vector<TemplateKey> keys;
    keys.reserve(parsed.size());
    for (const Record& record : parsed) keys.push_back(template_key(record, libraries));
    return stable_order(keys.size(),
                        [&](size_t a, size_t b) { return compare_template(keys[a], keys[b]); });
  }
  std::function<int(const Record&, const Record&)> secondary;
  switch (sort.order) {
    case OracleOrder::kCoordinate:
      secondary = compare_coordinate;
      break;
    case OracleOrder::kQueryName:
      secondary = [](const Record& a, const Record& b) { return compare_name(a, b, true); };
      break;
    case OracleOrder::kQueryNameLex:
    case OracleOrder::kTemplateCoordinate:
      secondary = [](const Record& a, const Record& b) { return compare_name(a, b, false); };
      break;
    case OracleOrder::kPicardCoordinate:
      secondary = compare_picard_coordinate;
      break;
    case OracleOrder::kPicardQueryName:
      secondary = compare_picard_queryname;
      break;
  }
  // sort.tag: "", "XY" or "XY,UV,...": each tag in turn.
  std::vector<std::string> tags;
  for (std::string_view rest = sort.tag; !rest.empty();) {
    size_t comma = rest.find(',');
    tags.emplace_back(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return stable_order(parsed.size(), [&](size_t a, size_t b) {
    for (const std::string& tag : tags) {
      if (int order = compare_tag(parsed[a], parsed[b], tag.c_str())) return order;
    }
    return secondary(parsed[a], parsed[b]);
  });
}

}  // namespace samsort::e2e
