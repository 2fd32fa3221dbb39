// The aux-field walk, mirroring htslib's skip_aux / bam_aux_first / bam_aux_next / bam_aux_get.
#include "samsort/bam/bam_aux.hpp"

#include "samsort/core/byte_order.hpp"

namespace samsort::bam {

namespace {

// htslib's aux_type2size: the byte size of a fixed-size type, the type letter itself for Z, H
// and B (so a B array of sub-type Z/H/B has "elements" that large, as htslib walks it), else 0.
inline std::size_t type_size(std::uint8_t type) noexcept {
  switch (type) {
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
    case 'H':
    case 'B':
      return type;
    default:
      return 0;
  }
}

// The end of the field whose type byte is at `type_at` (< end), or nullptr if it is malformed
// or truncated. An unterminated Z/H runs to `end`, as in htslib.
inline const std::uint8_t* skip_field(const std::uint8_t* type_at,
                                      const std::uint8_t* end) noexcept {
  const std::uint8_t* value = type_at + 1;
  std::size_t left = static_cast<std::size_t>(end - value);
  std::size_t size = type_size(*type_at);
  switch (size) {
    case 'Z':
    case 'H': {
      const void* nul = std::memchr(value, 0, left);
      return nul != nullptr ? static_cast<const std::uint8_t*>(nul) + 1 : end;
    }
    case 'B': {
      if (left < 5) return nullptr;
      std::uint64_t element_bytes = type_size(value[0]);
      std::uint64_t array_bytes = element_bytes * load_le32(value + 1);
      if (element_bytes == 0 || left - 5 < array_bytes) return nullptr;
      return value + 5 + array_bytes;
    }
    case 0:
      return nullptr;
    default:
      return left < size ? nullptr : value + size;
  }
}

// The complete-field check bam_aux_get applies to the field it returns.
inline bool field_complete(const std::uint8_t* type_at, const std::uint8_t* next) noexcept {
  if (next == nullptr) return false;
  return !((*type_at == 'Z' || *type_at == 'H') && next[-1] != 0);
}

}  // namespace

std::size_t aux_offset(const std::uint8_t* record) noexcept {
  std::uint64_t total = record_bytes(record);
  std::int32_t seq_bytes = seq_length(record);
  if (total < kFixedBytes || seq_bytes < 0) return static_cast<std::size_t>(total);
  std::uint64_t offset = kFixedBytes + std::uint64_t{read_name_bytes(record)} +
                         4 * std::uint64_t{cigar_op_count(record)} +
                         (static_cast<std::uint64_t>(seq_bytes) + 1) / 2 +
                         static_cast<std::uint64_t>(seq_bytes);
  return static_cast<std::size_t>(offset <= total ? offset : total);
}

const std::uint8_t* find_aux(const std::uint8_t* record, const char tag[2]) noexcept {
  const std::uint8_t* field = record + aux_offset(record);
  const std::uint8_t* end = record + record_bytes(record);
  const auto tag0 = static_cast<std::uint8_t>(tag[0]);
  const auto tag1 = static_cast<std::uint8_t>(tag[1]);
  while (end - field > 2) {
    const std::uint8_t* next = skip_field(field + 2, end);
    if (field[0] == tag0 && field[1] == tag1) {
      return field_complete(field + 2, next) ? field + 2 : nullptr;
    }
    if (next == nullptr) return nullptr;
    field = next;
  }
  return nullptr;
}

std::size_t aux_field_bytes(const std::uint8_t* record, const std::uint8_t* aux) noexcept {
  // find_aux() checked the field: it ends inside the record.
  const std::uint8_t* end = skip_field(aux, record + record_bytes(record));
  return static_cast<std::size_t>(end - aux) + 2;
}

void find_aux_fields(const std::uint8_t* record, const char* tags, std::size_t count,
                     const std::uint8_t** found) noexcept {
  // settled[idx]: the tag's first occurrence was seen (found[idx] is final, maybe nullptr).
  constexpr std::size_t kMaxTags = 16;
  bool settled[kMaxTags] = {};
  for (std::size_t idx = 0; idx < count; ++idx) found[idx] = nullptr;
  if (count > kMaxTags) {
    for (std::size_t idx = 0; idx < count; ++idx) found[idx] = find_aux(record, tags + 2 * idx);
    return;
  }
  std::size_t unsettled = count;
  const std::uint8_t* field = record + aux_offset(record);
  const std::uint8_t* end = record + record_bytes(record);
  while (unsettled > 0 && end - field > 2) {
    const std::uint8_t* next = skip_field(field + 2, end);
    for (std::size_t idx = 0; idx < count; ++idx) {
      if (settled[idx] || field[0] != static_cast<std::uint8_t>(tags[2 * idx]) ||
          field[1] != static_cast<std::uint8_t>(tags[2 * idx + 1])) {
        continue;
      }
      settled[idx] = true;
      --unsettled;
      if (field_complete(field + 2, next)) found[idx] = field + 2;
    }
    if (next == nullptr) return;
    field = next;
  }
}

}  // namespace samsort::bam
