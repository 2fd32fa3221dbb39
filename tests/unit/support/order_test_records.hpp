// Test helpers for the sort-key tests: raw BAM records (block_size first) built from a SAM-like
// description, and aux fields of every type. Own namespace, independent of test_records.hpp.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace samsort::order_test {

// Aux bytes, field by field: tag, type, value (little-endian).
class Aux {
 public:
  Aux& text(const char* tag, std::string_view value, char type = 'Z') {
    head(tag, type);
    bytes_.insert(bytes_.end(), value.begin(), value.end());
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
    put(&value, 4);
    return *this;
  }
  Aux& real64(const char* tag, double value) {
    head(tag, 'd');
    put(&value, 8);
    return *this;
  }
  // B array of integers; sub_type one of c C s S i I.
  Aux& array(const char* tag, char sub_type, const std::vector<std::int64_t>& values) {
    head(tag, 'B');
    bytes_.push_back(static_cast<std::uint8_t>(sub_type));
    auto count = static_cast<std::uint32_t>(values.size());
    put(&count, 4);
    for (std::int64_t value : values) put_integer(sub_type, value);
    return *this;
  }
  Aux& raw(const std::vector<std::uint8_t>& bytes) {
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
    return *this;
  }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  void head(const char* tag, char type) {
    bytes_.push_back(static_cast<std::uint8_t>(tag[0]));
    bytes_.push_back(static_cast<std::uint8_t>(tag[1]));
    bytes_.push_back(static_cast<std::uint8_t>(type));
  }
  void put(const void* value, std::size_t size) {
    const auto* bytes = static_cast<const std::uint8_t*>(value);
    bytes_.insert(bytes_.end(), bytes, bytes + size);
  }
  void put_integer(char type, std::int64_t value) {
    switch (type) {
      case 'c':
      case 'C': {
        auto narrow = static_cast<std::uint8_t>(value);
        put(&narrow, 1);
        break;
      }
      case 's':
      case 'S': {
        auto narrow = static_cast<std::uint16_t>(value);
        put(&narrow, 2);
        break;
      }
      default: {
        auto narrow = static_cast<std::uint32_t>(value);
        put(&narrow, 4);
        break;
      }
    }
  }
  std::vector<std::uint8_t> bytes_;
};

// "5S10M2H" -> BAM ops (length << 4 | code); "*" or "" -> none.
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

struct Rec {
  std::string name = "r";
  std::uint16_t flag = 0;
  std::int32_t tid = -1;
  std::int32_t pos = -1;  // 0-based
  std::string cigar;      // SAM text, used when cigar_ops is empty
  std::vector<std::uint32_t> cigar_ops;
  std::int32_t seq_length = -1;  // -1: the CIGAR's query length
  std::int32_t mate_tid = -1;
  std::int32_t mate_pos = -1;  // 0-based
  std::vector<std::uint8_t> aux;
  std::size_t extra_name_nuls = 0;  // NUL padding counted in l_read_name (htslib-style)
};

inline void store32(std::vector<std::uint8_t>& out, std::size_t at, std::uint32_t value) {
  std::memcpy(out.data() + at, &value, 4);
}

// The raw record: block_size, fixed fields, name, CIGAR, filler bases and qualities, aux.
inline std::vector<std::uint8_t> build(const Rec& rec) {
  std::vector<std::uint32_t> ops = rec.cigar_ops.empty() ? parse_cigar(rec.cigar) : rec.cigar_ops;
  std::int32_t seq_length = rec.seq_length >= 0 ? rec.seq_length : query_length(ops);
  std::size_t name_bytes = rec.name.size() + 1 + rec.extra_name_nuls;
  if (name_bytes > 255) throw std::invalid_argument("name too long");
  auto seq_bytes = static_cast<std::size_t>(seq_length);
  std::size_t total =
      36 + name_bytes + 4 * ops.size() + (seq_bytes + 1) / 2 + seq_bytes + rec.aux.size();
  std::vector<std::uint8_t> out(total, 0);
  store32(out, 0, static_cast<std::uint32_t>(total - 4));
  store32(out, 4, static_cast<std::uint32_t>(rec.tid));
  store32(out, 8, static_cast<std::uint32_t>(rec.pos));
  out[12] = static_cast<std::uint8_t>(name_bytes);
  out[13] = 60;
  store32(out, 16, static_cast<std::uint32_t>(ops.size()) | (std::uint32_t{rec.flag} << 16));
  store32(out, 20, static_cast<std::uint32_t>(seq_length));
  store32(out, 24, static_cast<std::uint32_t>(rec.mate_tid));
  store32(out, 28, static_cast<std::uint32_t>(rec.mate_pos));
  std::size_t at = 36;
  std::memcpy(out.data() + at, rec.name.data(), rec.name.size());
  at += name_bytes;
  for (std::uint32_t op : ops) {
    store32(out, at, op);
    at += 4;
  }
  for (std::size_t idx = 0; idx < (seq_bytes + 1) / 2; ++idx) out[at++] = 0x12;
  for (std::size_t idx = 0; idx < seq_bytes; ++idx) out[at++] = 30;
  if (!rec.aux.empty()) std::memcpy(out.data() + at, rec.aux.data(), rec.aux.size());
  return out;
}

// A record holding only `aux` (no CIGAR, no sequence), for aux-walk tests.
inline std::vector<std::uint8_t> record_with_aux(const std::vector<std::uint8_t>& aux) {
  Rec rec;
  rec.seq_length = 0;
  rec.aux = aux;
  return build(rec);
}

}  // namespace samsort::order_test
