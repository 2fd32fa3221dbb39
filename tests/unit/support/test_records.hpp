// Test helpers: the one builder of raw BAM records (4-byte block_size + fixed fields + variable
// data) as they sit in the arena and in run files, aux fields of every type, CIGAR text, and
// field patches for corruption tests.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace samsort::test {

// Byte offsets of the fixed fields, counting the 4-byte block_size.
inline constexpr std::size_t kBlockSizeAt = 0;
inline constexpr std::size_t kRefIdAt = 4;
inline constexpr std::size_t kPosAt = 8;
inline constexpr std::size_t kNameBytesAt = 12;
inline constexpr std::size_t kMapqAt = 13;
inline constexpr std::size_t kBinAt = 14;
inline constexpr std::size_t kCigarCountAt = 16;
inline constexpr std::size_t kFlagAt = 18;
inline constexpr std::size_t kSeqLengthAt = 20;
inline constexpr std::size_t kMateRefIdAt = 24;
inline constexpr std::size_t kMatePosAt = 28;
inline constexpr std::size_t kTemplateLengthAt = 32;
inline constexpr std::size_t kNameAt = 36;

// RecordSpec::seq_length value meaning "the CIGAR's query length".
inline constexpr std::int32_t kSeqFromCigar = -1;

// Appends `bytes` bytes of `value`'s little-endian representation (x86-64 and aarch64 are
// little-endian) to `out`, one byte at a time.
inline void append_bytes(std::vector<std::uint8_t>& out, const void* value, std::size_t bytes) {
  const auto* from = static_cast<const std::uint8_t*>(value);
  for (std::size_t idx = 0; idx < bytes; ++idx) out.push_back(from[idx]);
}

// Aux bytes, field by field: tag, type, value (little-endian).
class Aux {
 public:
  Aux& text(const char* tag, std::string_view value, char type = 'Z') {
    head(tag, type);
    for (char byte : value) bytes_.push_back(static_cast<std::uint8_t>(byte));
    bytes_.push_back(0);
    return *this;
  }
  Aux& character(const char* tag, char value) {
    head(tag, 'A');
    bytes_.push_back(static_cast<std::uint8_t>(value));
    return *this;
  }
  // type: one of c C s S i I.
  Aux& integer(const char* tag, char type, std::int64_t value) {
    head(tag, type);
    put_integer(type, value);
    return *this;
  }
  Aux& real(const char* tag, float value) {
    head(tag, 'f');
    append_bytes(bytes_, &value, 4);
    return *this;
  }
  Aux& real64(const char* tag, double value) {
    head(tag, 'd');
    append_bytes(bytes_, &value, 8);
    return *this;
  }
  // B array of integers; sub_type one of c C s S i I.
  Aux& array(const char* tag, char sub_type, const std::vector<std::int64_t>& values) {
    head(tag, 'B');
    bytes_.push_back(static_cast<std::uint8_t>(sub_type));
    auto count = static_cast<std::uint32_t>(values.size());
    append_bytes(bytes_, &count, 4);
    for (std::int64_t value : values) put_integer(sub_type, value);
    return *this;
  }
  Aux& raw(const std::vector<std::uint8_t>& bytes) {
    for (std::uint8_t byte : bytes) bytes_.push_back(byte);
    return *this;
  }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  void head(const char* tag, char type) {
    bytes_.push_back(static_cast<std::uint8_t>(tag[0]));
    bytes_.push_back(static_cast<std::uint8_t>(tag[1]));
    bytes_.push_back(static_cast<std::uint8_t>(type));
  }
  void put_integer(char type, std::int64_t value) {
    auto narrow = static_cast<std::uint32_t>(value);
    std::size_t width = type == 'c' || type == 'C' ? 1 : type == 's' || type == 'S' ? 2 : 4;
    append_bytes(bytes_, &narrow, width);
  }
  std::vector<std::uint8_t> bytes_;
};

// "5S10M2H" -> BAM ops (length << 4 | code); "*" or "" -> none. Throws on an unknown op.
inline std::vector<std::uint32_t> parse_cigar(std::string_view text) {
  static constexpr std::string_view kOps = "MIDNSHP=X";
  std::vector<std::uint32_t> ops;
  if (text.empty() || text == "*") return ops;
  std::uint32_t length = 0;
  for (char byte : text) {
    if (byte >= '0' && byte <= '9') {
      length = length * 10 + static_cast<std::uint32_t>(byte - '0');
      continue;
    }
    std::size_t code = kOps.find(byte);
    if (code == std::string_view::npos) throw std::invalid_argument("bad CIGAR op");
    ops.push_back(length << 4 | static_cast<std::uint32_t>(code));
    length = 0;
  }
  return ops;
}

// Query length of ops (M I S = X).
inline std::int32_t query_length(const std::vector<std::uint32_t>& ops) {
  std::int32_t length = 0;
  for (std::uint32_t op : ops) {
    std::uint32_t code = op & 0xf;
    if (code == 0 || code == 1 || code == 4 || code == 7 || code == 8) {
      length += static_cast<std::int32_t>(op >> 4);
    }
  }
  return length;
}

struct RecordSpec {
  std::string name = "read";
  std::int32_t tid = 0;
  std::int32_t pos = 0;  // 0-based
  std::uint16_t flag = 0;
  std::int32_t seq_length = 0;  // or kSeqFromCigar
  std::vector<std::uint8_t> aux;
  std::vector<std::uint32_t> cigar;  // BAM ops; parse_cigar() makes them from SAM text
  std::uint8_t mapq = 60;
  std::int32_t mate_tid = -1;
  std::int32_t mate_pos = -1;  // 0-based
  std::int32_t template_length = 0;
  std::size_t extra_name_nuls = 0;  // NUL padding counted in l_read_name (htslib-style)
};

inline void store_u8(std::vector<std::uint8_t>& record, std::size_t at, std::uint8_t value) {
  record.at(at) = value;
}
inline void store_u16(std::vector<std::uint8_t>& record, std::size_t at, std::uint16_t value) {
  std::memcpy(record.data() + at, &value, 2);
}
inline void store_i32(std::vector<std::uint8_t>& record, std::size_t at, std::int32_t value) {
  std::memcpy(record.data() + at, &value, 4);
}
inline void store_u32(std::vector<std::uint8_t>& record, std::size_t at, std::uint32_t value) {
  std::memcpy(record.data() + at, &value, 4);
}

// The record as raw bytes, block_size first, appended field by field. Sequence bases and
// qualities are filler. Throws std::invalid_argument if the name does not fit l_read_name.
inline std::vector<std::uint8_t> make_record(const RecordSpec& spec) {
  constexpr std::uint16_t kUnmappedBin = 4680;
  constexpr std::uint8_t kFillerBases = 0x12;
  constexpr std::uint8_t kFillerQuality = 30;
  std::int32_t seq_length =
      spec.seq_length == kSeqFromCigar ? query_length(spec.cigar) : spec.seq_length;
  std::size_t name_bytes = spec.name.size() + 1 + spec.extra_name_nuls;
  if (name_bytes > 255) throw std::invalid_argument("read name too long");
  std::size_t seq_bytes = static_cast<std::size_t>(seq_length > 0 ? seq_length : 0);
  std::vector<std::uint8_t> record;
  auto put = [&record](const auto& value) { append_bytes(record, &value, sizeof value); };
  put(std::uint32_t{0});  // block_size, set below
  put(spec.tid);
  put(spec.pos);
  put(static_cast<std::uint8_t>(name_bytes));
  put(spec.mapq);
  put(kUnmappedBin);
  put(static_cast<std::uint16_t>(spec.cigar.size()));
  put(spec.flag);
  put(seq_length);
  put(spec.mate_tid);
  put(spec.mate_pos);
  put(spec.template_length);
  for (char byte : spec.name) record.push_back(static_cast<std::uint8_t>(byte));
  record.insert(record.end(), name_bytes - spec.name.size(), 0);
  for (std::uint32_t op : spec.cigar) put(op);
  record.insert(record.end(), (seq_bytes + 1) / 2, kFillerBases);
  record.insert(record.end(), seq_bytes, kFillerQuality);
  for (std::uint8_t byte : spec.aux) record.push_back(byte);
  store_u32(record, kBlockSizeAt, static_cast<std::uint32_t>(record.size() - 4));
  return record;
}

inline std::vector<std::uint8_t> make_record(const std::string& name, std::int32_t tid,
                                             std::int32_t pos, std::uint16_t flag = 0,
                                             std::int32_t seq_length = 0,
                                             std::vector<std::uint8_t> aux = {}) {
  RecordSpec spec;
  spec.name = name;
  spec.tid = tid;
  spec.pos = pos;
  spec.flag = flag;
  spec.seq_length = seq_length;
  spec.aux = std::move(aux);
  return make_record(spec);
}

// An unplaced record holding only `aux` (no CIGAR, no sequence), for aux-walk tests.
inline std::vector<std::uint8_t> record_with_aux(const std::vector<std::uint8_t>& aux) {
  RecordSpec spec;
  spec.name = "r";
  spec.tid = -1;
  spec.pos = -1;
  spec.aux = aux;
  return make_record(spec);
}

// The read name of a raw record (for identifying records after a sort or merge).
inline std::string name_of(const std::uint8_t* record) {
  return std::string(reinterpret_cast<const char*>(record + kNameAt));
}

}  // namespace samsort::test
