// Test helpers: builds raw BAM records (4-byte block_size + fixed fields + variable data) as
// they sit in the arena and in run files, and patches their fields for corruption tests.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
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

struct RecordSpec {
  std::string name = "read";
  std::int32_t tid = 0;
  std::int32_t pos = 0;
  std::uint16_t flag = 0;
  std::int32_t seq_length = 0;
  std::vector<std::uint8_t> aux;
  std::vector<std::uint32_t> cigar;
  std::uint8_t mapq = 60;
  std::int32_t mate_tid = -1;
  std::int32_t mate_pos = -1;
  std::int32_t template_length = 0;
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

// The record as raw bytes, block_size first. Sequence bases and qualities are filler.
inline std::vector<std::uint8_t> make_record(const RecordSpec& spec) {
  std::size_t name_bytes = spec.name.size() + 1;
  std::size_t seq_bytes = static_cast<std::size_t>(spec.seq_length > 0 ? spec.seq_length : 0);
  std::size_t total = kNameAt + name_bytes + 4 * spec.cigar.size() + (seq_bytes + 1) / 2 +
                      seq_bytes + spec.aux.size();
  std::vector<std::uint8_t> record(total, 0);
  store_u32(record, kBlockSizeAt, static_cast<std::uint32_t>(total - 4));
  store_i32(record, kRefIdAt, spec.tid);
  store_i32(record, kPosAt, spec.pos);
  store_u8(record, kNameBytesAt, static_cast<std::uint8_t>(name_bytes));
  store_u8(record, kMapqAt, spec.mapq);
  store_u16(record, kBinAt, 4680);
  store_u16(record, kCigarCountAt, static_cast<std::uint16_t>(spec.cigar.size()));
  store_u16(record, kFlagAt, spec.flag);
  store_i32(record, kSeqLengthAt, spec.seq_length);
  store_i32(record, kMateRefIdAt, spec.mate_tid);
  store_i32(record, kMatePosAt, spec.mate_pos);
  store_i32(record, kTemplateLengthAt, spec.template_length);
  std::size_t at = kNameAt;
  std::memcpy(record.data() + at, spec.name.c_str(), name_bytes);
  at += name_bytes;
  for (std::uint32_t op : spec.cigar) {
    store_u32(record, at, op);
    at += 4;
  }
  for (std::size_t idx = 0; idx < (seq_bytes + 1) / 2; ++idx) record[at++] = 0x12;
  for (std::size_t idx = 0; idx < seq_bytes; ++idx) record[at++] = 30;
  if (!spec.aux.empty()) std::memcpy(record.data() + at, spec.aux.data(), spec.aux.size());
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

// The read name of a raw record (for identifying records after a sort or merge).
inline std::string name_of(const std::uint8_t* record) {
  return std::string(reinterpret_cast<const char*>(record + kNameAt));
}

}  // namespace samsort::test
