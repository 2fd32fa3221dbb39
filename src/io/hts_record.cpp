// bam1_t <-> raw BAM record bytes. htslib pads the read name with extra NULs (l_extranul) so
// the CIGAR is 4-byte aligned in memory; the on-disk layout has no padding. CIGARs of more than
// 65535 operations are stored as htslib's bam_write1 stores them (a "<l_seq>S<ref_len>N"
// placeholder and the real CIGAR in a CG:B,I tag at the end) and restored as bam_read1 does.
#include "samsort/io/hts_record.hpp"

#include <htslib/sam.h>

#include <cstdlib>
#include <cstring>

#include "samsort/bam/bam_record.hpp"
#include "samsort/core/byte_order.hpp"

namespace samsort {

namespace {

// BAM's n_cigar field is 16 bits; more operations go to the CG tag (SAM spec 4.2.2).
constexpr std::uint32_t kMaxInlineCigarOps = 0xffff;
// "CG" "B" "I" and the array's 32-bit count before the operations.
constexpr std::size_t kCigarTagHeaderBytes = 8;
// The raw form of a long-CIGAR record is this much longer than bam1_t's data: the 8-byte
// placeholder CIGAR plus the tag header.
constexpr std::size_t kLongCigarExtraBytes = 8 + kCigarTagHeaderBytes;
// bam_write1 refuses a long CIGAR whose reference length does not fit one N operation.
constexpr hts_pos_t kMaxPlaceholderRefBytes = hts_pos_t{1} << 28;
// bam_tag2cigar ignores CG arrays this long or longer.
constexpr std::uint32_t kMaxTagCigarOps = std::uint32_t{1} << 29;

bool has_long_cigar(const bam1_core_t& core) noexcept { return core.n_cigar > kMaxInlineCigarOps; }

// htslib's bam_tag2cigar on a bam1_t whose data layout matches htslib's: when the CIGAR is the
// "<l_seq>S..." placeholder of a placed record and a CG:B,I (or B,i) tag holds at least as many
// operations, the real CIGAR replaces the placeholder and the tag is removed. False when the
// data buffer cannot grow.
bool restore_tag_cigar(bam1_t* record) noexcept {
  bam1_core_t& core = record->core;
  if (core.n_cigar == 0 || core.tid < 0 || core.pos < 0) return true;
  const std::uint32_t* cigar = bam_get_cigar(record);
  if (bam_cigar_op(cigar[0]) != BAM_CSOFT_CLIP ||
      bam_cigar_oplen(cigar[0]) != static_cast<std::uint32_t>(core.l_qseq)) {
    return true;
  }
  std::uint8_t* tag = bam_aux_get(record, "CG");
  if (tag == nullptr || tag[0] != 'B' || (tag[1] != 'I' && tag[1] != 'i')) return true;
  std::uint32_t real_count = load_le32(tag + 2);
  if (real_count < core.n_cigar || real_count >= kMaxTagCigarOps) return true;
  std::size_t cigar_start = core.l_qname;
  std::size_t fake_bytes = std::size_t{core.n_cigar} * 4;
  std::size_t real_bytes = std::size_t{real_count} * 4;
  std::size_t tag_start = static_cast<std::size_t>(tag - record->data) - 2;
  std::size_t tag_end = tag_start + kCigarTagHeaderBytes + real_bytes;
  std::size_t old_bytes = static_cast<std::size_t>(record->l_data);
  std::size_t shift = real_bytes - fake_bytes;
  if (record->m_data < old_bytes + shift) {
    auto* grown = static_cast<std::uint8_t*>(std::realloc(record->data, old_bytes + shift));
    if (grown == nullptr) return false;
    record->data = grown;
    record->m_data = old_bytes + shift;
  }
  std::uint8_t* data = record->data;
  // Make room for the real CIGAR, copy it out of the (now shifted) tag, close the tag's gap.
  std::memmove(data + cigar_start + real_bytes, data + cigar_start + fake_bytes,
               old_bytes - (cigar_start + fake_bytes));
  std::memcpy(data + cigar_start, data + tag_start + shift + kCigarTagHeaderBytes, real_bytes);
  if (old_bytes > tag_end) {
    std::memmove(data + tag_start + shift, data + tag_end + shift, old_bytes - tag_end);
  }
  record->l_data = static_cast<int>(old_bytes + shift - kCigarTagHeaderBytes - real_bytes);
  core.n_cigar = real_count;
  return true;
}

bool fits_int32(hts_pos_t value) noexcept { return value >= INT32_MIN && value <= INT32_MAX; }

}  // namespace

bool needs_wide_record(const bam1_t* record) noexcept {
  const bam1_core_t& core = record->core;
  return !fits_int32(core.pos) || !fits_int32(core.mpos) || !fits_int32(core.isize);
}

std::size_t raw_record_bytes(const bam1_t* record, const char** problem) noexcept {
  const bam1_core_t& core = record->core;
  std::size_t bytes = bam::kFixedBytes + static_cast<std::size_t>(record->l_data) - core.l_extranul;
  if (needs_wide_record(record)) bytes += bam::kWideFieldBytes;
  if (!has_long_cigar(core)) return bytes;
  if (bam_cigar2rlen(static_cast<int>(core.n_cigar), bam_get_cigar(record)) >=
      kMaxPlaceholderRefBytes) {
    // samtools refuses these too ("cannot be written in BAM").
    *problem = "record with more than 65535 CIGAR operations spans 2^28 or more reference bases";
    return 0;
  }
  return bytes + kLongCigarExtraBytes;
}

void to_raw_record(const bam1_t* record, std::uint8_t* out) noexcept {
  const bam1_core_t& core = record->core;
  std::uint32_t name_bytes = core.l_qname - core.l_extranul;
  std::uint32_t data_bytes = static_cast<std::uint32_t>(record->l_data) - core.l_extranul;
  bool long_cigar = has_long_cigar(core);
  bool wide = needs_wide_record(record);
  if (long_cigar) data_bytes += kLongCigarExtraBytes;
  if (wide) data_bytes += bam::kWideFieldBytes;
  std::uint32_t block_size = static_cast<std::uint32_t>(bam::kFixedBytes - 4 + data_bytes);
  store_le32(out, wide ? block_size | bam::kWideBit : block_size);
  store_le<std::int32_t>(out + 4, core.tid);
  store_le<std::int32_t>(out + 8, wide ? -1 : static_cast<std::int32_t>(core.pos));
  out[12] = static_cast<std::uint8_t>(name_bytes);
  out[13] = core.qual;
  store_le16(out + 14, core.bin);
  store_le16(out + 16, static_cast<std::uint16_t>(long_cigar ? 2 : core.n_cigar));
  store_le16(out + 18, core.flag);
  store_le<std::int32_t>(out + 20, core.l_qseq);
  store_le<std::int32_t>(out + 24, core.mtid);
  store_le<std::int32_t>(out + 28, wide ? -1 : static_cast<std::int32_t>(core.mpos));
  store_le<std::int32_t>(out + 32, wide ? 0 : static_cast<std::int32_t>(core.isize));
  if (wide) {
    std::uint8_t* field = out + bam::kFixedBytes - 4 + data_bytes + 4 - bam::kWideFieldBytes;
    field[0] = 0xff;
    field[1] = 0xff;
    field[2] = 'B';
    field[3] = 'I';
    store_le32(field + 4, 6);
    store_le<std::int64_t>(field + 8, core.pos);
    store_le<std::int64_t>(field + 16, core.mpos);
    store_le<std::int64_t>(field + 24, core.isize);
  }
  std::uint8_t* body = out + bam::kFixedBytes;
  std::memcpy(body, record->data, name_bytes);
  if (!long_cigar) {
    std::memcpy(body + name_bytes, record->data + core.l_qname,
                static_cast<std::size_t>(record->l_data) - core.l_qname);
    return;
  }
  // bam_write1's layout: placeholder CIGAR, the data after the CIGAR, then CG:B,I at the end.
  const std::uint32_t* cigar = bam_get_cigar(record);
  auto ref_bytes =
      static_cast<std::uint32_t>(bam_cigar2rlen(static_cast<int>(core.n_cigar), cigar));
  std::uint8_t* cursor = body + name_bytes;
  store_le32(cursor, static_cast<std::uint32_t>(core.l_qseq) << 4 | BAM_CSOFT_CLIP);
  store_le32(cursor + 4, ref_bytes << 4 | BAM_CREF_SKIP);
  cursor += 8;
  std::size_t cigar_bytes = std::size_t{core.n_cigar} * 4;
  std::size_t after_cigar = core.l_qname + cigar_bytes;
  std::memcpy(cursor, record->data + after_cigar,
              static_cast<std::size_t>(record->l_data) - after_cigar);
  cursor += static_cast<std::size_t>(record->l_data) - after_cigar;
  std::memcpy(cursor, "CGBI", 4);
  store_le32(cursor + 4, core.n_cigar);
  std::memcpy(cursor + kCigarTagHeaderBytes, cigar, cigar_bytes);
}

bool from_raw_record(const std::uint8_t* raw, bam1_t* record) noexcept {
  bool wide = bam::is_wide(raw);
  std::uint32_t block_size = bam::record_bytes(raw) - 4;
  if (wide) block_size -= bam::kWideFieldBytes;
  std::uint32_t name_bytes = raw[12];
  std::uint32_t extra_nul = (4 - name_bytes % 4) % 4;
  std::size_t data_bytes = block_size - (bam::kFixedBytes - 4) + extra_nul;
  if (record->m_data < data_bytes) {
    std::size_t capacity = data_bytes + data_bytes / 2 + 64;
    auto* grown = static_cast<std::uint8_t*>(std::realloc(record->data, capacity));
    if (grown == nullptr) return false;
    record->data = grown;
    record->m_data = capacity;
  }
  bam1_core_t& core = record->core;
  core.tid = load_le<std::int32_t>(raw + 4);
  core.pos = load_le<std::int32_t>(raw + 8);
  core.l_qname = static_cast<std::uint16_t>(name_bytes + extra_nul);
  core.l_extranul = static_cast<std::uint8_t>(extra_nul);
  core.qual = raw[13];
  core.bin = load_le16(raw + 14);
  core.n_cigar = load_le16(raw + 16);
  core.flag = load_le16(raw + 18);
  core.l_qseq = load_le<std::int32_t>(raw + 20);
  core.mtid = load_le<std::int32_t>(raw + 24);
  core.mpos = load_le<std::int32_t>(raw + 28);
  core.isize = load_le<std::int32_t>(raw + 32);
  if (wide) {
    core.pos = bam::pos(raw);
    core.mpos = bam::mate_pos(raw);
    core.isize = bam::insert_size(raw);
  }
  const std::uint8_t* body = raw + bam::kFixedBytes;
  std::memcpy(record->data, body, name_bytes);
  std::memset(record->data + name_bytes, 0, extra_nul);
  std::memcpy(record->data + name_bytes + extra_nul, body + name_bytes,
              block_size - (bam::kFixedBytes - 4) - name_bytes);
  record->l_data = static_cast<int>(data_bytes);
  return restore_tag_cigar(record);
}

}  // namespace samsort
