// bam1_t <-> raw BAM record bytes. htslib pads the read name with extra NULs (l_extranul) so
// the CIGAR is 4-byte aligned in memory; the on-disk layout has no padding.
#include "samsort/io/hts_record.hpp"

#include <htslib/sam.h>

#include <cstdlib>
#include <cstring>

#include "samsort/bam/bam_record.hpp"

namespace samsort {

namespace {
void store_i32(std::uint8_t* p, std::int32_t v) noexcept { std::memcpy(p, &v, 4); }
void store_u32(std::uint8_t* p, std::uint32_t v) noexcept { std::memcpy(p, &v, 4); }
void store_u16(std::uint8_t* p, std::uint16_t v) noexcept { std::memcpy(p, &v, 2); }
}  // namespace

std::size_t raw_record_bytes(const bam1_t* record, const char** problem) noexcept {
  const bam1_core_t& core = record->core;
  if (core.pos > INT32_MAX || core.mpos > INT32_MAX || core.isize > INT32_MAX ||
      core.isize < INT32_MIN) {
    *problem = "position beyond 2^31 cannot be held in BAM records";
    return 0;
  }
  if (core.n_cigar > 0xffff) {
    *problem = "more than 65535 CIGAR operations are not supported";
    return 0;
  }
  return bam::kFixedBytes + static_cast<std::size_t>(record->l_data) - core.l_extranul;
}

void to_raw_record(const bam1_t* record, std::uint8_t* out) noexcept {
  const bam1_core_t& core = record->core;
  std::uint32_t name_bytes = core.l_qname - core.l_extranul;
  std::uint32_t data_bytes = static_cast<std::uint32_t>(record->l_data) - core.l_extranul;
  store_u32(out, static_cast<std::uint32_t>(bam::kFixedBytes - 4 + data_bytes));
  store_i32(out + 4, core.tid);
  store_i32(out + 8, static_cast<std::int32_t>(core.pos));
  out[12] = static_cast<std::uint8_t>(name_bytes);
  out[13] = core.qual;
  store_u16(out + 14, core.bin);
  store_u16(out + 16, static_cast<std::uint16_t>(core.n_cigar));
  store_u16(out + 18, core.flag);
  store_i32(out + 20, core.l_qseq);
  store_i32(out + 24, core.mtid);
  store_i32(out + 28, static_cast<std::int32_t>(core.mpos));
  store_i32(out + 32, static_cast<std::int32_t>(core.isize));
  std::uint8_t* body = out + bam::kFixedBytes;
  std::memcpy(body, record->data, name_bytes);
  std::memcpy(body + name_bytes, record->data + core.l_qname,
              static_cast<std::size_t>(record->l_data) - core.l_qname);
}

bool from_raw_record(const std::uint8_t* raw, bam1_t* record) noexcept {
  std::uint32_t block_size = bam::load_u32(raw);
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
  core.tid = bam::load_i32(raw + 4);
  core.pos = bam::load_i32(raw + 8);
  core.l_qname = static_cast<std::uint16_t>(name_bytes + extra_nul);
  core.l_extranul = static_cast<std::uint8_t>(extra_nul);
  core.qual = raw[13];
  core.bin = bam::load_u16(raw + 14);
  core.n_cigar = bam::load_u16(raw + 16);
  core.flag = bam::load_u16(raw + 18);
  core.l_qseq = bam::load_i32(raw + 20);
  core.mtid = bam::load_i32(raw + 24);
  core.mpos = bam::load_i32(raw + 28);
  core.isize = bam::load_i32(raw + 32);
  const std::uint8_t* body = raw + bam::kFixedBytes;
  std::memcpy(record->data, body, name_bytes);
  std::memset(record->data + name_bytes, 0, extra_nul);
  std::memcpy(record->data + name_bytes + extra_nul, body + name_bytes,
              block_size - (bam::kFixedBytes - 4) - name_bytes);
  record->l_data = static_cast<int>(data_bytes);
  return true;
}

}  // namespace samsort
