// Record translation for `samsort merge`, as samtools' bam_translate and -r rewrite records.
#include "samsort/merge/merge_input.hpp"

#include <algorithm>
#include <cstring>

#include "samsort/bam/bam_aux.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/core/byte_order.hpp"

namespace samsort {

namespace {

constexpr std::size_t kTidAt = 4;
constexpr std::size_t kMateTidAt = 24;
constexpr std::size_t kStringFieldOverhead = 4;  // tag, type, NUL

std::size_t longest_value(const IdMap& map) {
  std::size_t longest = 0;
  for (const auto& [from, to] : map) longest = std::max(longest, to.size());
  return longest;
}

void set_block_size(std::uint8_t* record, std::size_t bytes) {
  store_le32(record, static_cast<std::uint32_t>(bytes - 4));
}

// Removes `count` bytes at `at` from the record (block_size updated); returns the new size.
std::size_t erase(std::uint8_t* record, std::size_t bytes, std::uint8_t* at, std::size_t count) {
  std::uint8_t* end = record + bytes;
  std::memmove(at, at + count, static_cast<std::size_t>(end - (at + count)));
  set_block_size(record, bytes - count);
  return bytes - count;
}

// Appends TAG:Z:value at the end; returns the new size.
std::size_t append_string(std::uint8_t* record, std::size_t bytes, const char tag[2],
                          const std::string& value) {
  std::uint8_t* at = record + bytes;
  at[0] = static_cast<std::uint8_t>(tag[0]);
  at[1] = static_cast<std::uint8_t>(tag[1]);
  at[2] = 'Z';
  std::memcpy(at + 3, value.c_str(), value.size() + 1);
  bytes += value.size() + kStringFieldOverhead;
  set_block_size(record, bytes);
  return bytes;
}

}  // namespace

RecordTranslator::RecordTranslator(const InputTranslation& translation, std::string path, Warn warn)
    : translation_(translation),
      read_groups_(translation.read_group_map.begin(), translation.read_group_map.end()),
      programs_(translation.program_map.begin(), translation.program_map.end()),
      path_(std::move(path)),
      warn_(std::move(warn)),
      extra_bytes_(longest_value(translation.read_group_map) +
                   longest_value(translation.program_map) + translation.attached_read_group.size() +
                   3 * kStringFieldOverhead) {}

const std::string* RecordTranslator::mapped(const Lookup& map, std::string_view value,
                                            const char* tag, const std::uint8_t* record) {
  auto found = map.find(value);
  if (found != map.end()) return &found->second;
  std::string key = std::string(tag) + ":" + std::string(value);
  if (warned_.insert(key).second) {
    warn_(path_ + ": " + tag + " tag \"" + std::string(value) + "\" on read \"" +
          bam::read_name(record) +
          "\" has no entry in the header: tag removed (reported once per input and ID)");
  }
  return nullptr;
}

std::size_t RecordTranslator::translate(const std::uint8_t* record, std::uint8_t* out,
                                        std::uint64_t number) {
  std::size_t bytes = bam::record_bytes(record);
  std::memcpy(out, record, bytes);
  if (translation_.identity) return bytes;
  const std::vector<std::int32_t>& tids = translation_.tid_map;
  for (std::size_t at : {kTidAt, kMateTidAt}) {
    std::int32_t tid = load_le<std::int32_t>(out + at);
    if (tid < 0) continue;
    if (static_cast<std::size_t>(tid) >= tids.size()) {
      throw FormatError(
          path_, "record " + std::to_string(number) + " names a reference the header does not have",
          0, number);
    }
    store_le<std::int32_t>(out + at, tids[static_cast<std::size_t>(tid)]);
  }
  // A wide record's 64-bit field must stay last: set aside while the tags move.
  bool wide = bam::is_wide(out);
  std::uint8_t wide_field[bam::kWideFieldBytes];
  if (wide) {
    bytes -= bam::kWideFieldBytes;
    std::memcpy(wide_field, out + bytes, bam::kWideFieldBytes);
    set_block_size(out, bytes);
  }
  struct Retag {
    const char* tag;
    const Lookup& map;
  };
  for (const Retag& retag : {Retag{"RG", read_groups_}, Retag{"PG", programs_}}) {
    const std::uint8_t* field = bam::find_aux(out, retag.tag);
    if (field == nullptr) continue;
    const std::string* target = mapped(retag.map, bam::aux_string(field), retag.tag, out);
    std::string value = target != nullptr ? *target : std::string();
    bytes =
        erase(out, bytes, const_cast<std::uint8_t*>(field) - 2, bam::aux_field_bytes(out, field));
    if (target != nullptr) bytes = append_string(out, bytes, retag.tag, value);
  }
  if (!translation_.attached_read_group.empty()) {
    if (const std::uint8_t* field = bam::find_aux(out, "RG")) {
      bytes =
          erase(out, bytes, const_cast<std::uint8_t*>(field) - 2, bam::aux_field_bytes(out, field));
    }
    bytes = append_string(out, bytes, "RG", translation_.attached_read_group);
  }
  if (wide) {
    std::memcpy(out + bytes, wide_field, bam::kWideFieldBytes);
    bytes += bam::kWideFieldBytes;
    store_le32(out, static_cast<std::uint32_t>(bytes - 4) | bam::kWideBit);
  }
  return bytes;
}

}  // namespace samsort
