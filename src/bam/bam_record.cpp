// Structural checks of raw BAM records (the fields the sorter and samtools rely on).
#include "samsort/bam/bam_record.hpp"

#include <htslib/hts.h>
#include <htslib/sam.h>

#include "samsort/bam/bam_flags.hpp"
#include "samsort/bam/cigar.hpp"
#include "samsort/core/byte_order.hpp"

namespace samsort::bam {

const char* check_record(const std::uint8_t* record, std::int32_t reference_count) noexcept {
  std::uint64_t block_size = load_le32(record);
  if (block_size < kFixedBytes - 4) return "BAM record shorter than its fixed fields";
  std::uint64_t name_bytes = read_name_bytes(record);
  if (name_bytes == 0) return "BAM record with l_read_name 0";
  std::int32_t seq_bytes = seq_length(record);
  if (seq_bytes < 0) return "BAM record with negative l_seq";
  std::uint64_t needed = (kFixedBytes - 4) + name_bytes + 4ull * cigar_op_count(record) +
                         (static_cast<std::uint64_t>(seq_bytes) + 1) / 2 +
                         static_cast<std::uint64_t>(seq_bytes);
  if (needed > block_size) return "BAM record fields overrun its block_size";
  if (read_name(record)[name_bytes - 1] != '\0') return "BAM read name not NUL-terminated";
  std::int32_t tid = ref_id(record);
  if (tid < -1 || tid >= reference_count) return "BAM record reference id outside the header";
  std::int32_t mate_tid = mate_ref_id(record);
  if (mate_tid < -1 || mate_tid >= reference_count) {
    return "BAM record mate reference id outside the header";
  }
  return nullptr;
}

void refresh_bin(std::uint8_t* record) noexcept {
  CigarView cigar = CigarView::stored(record);
  if (cigar.empty()) return;
  hts_pos_t reference_bytes = has_flag(flag(record), kUnmapped) ? 0 : cigar.reference_span();
  if (reference_bytes == 0) reference_bytes = 1;
  // bam_read1's bin: hts_reg2bin over [pos, pos + reference length) with BAI's 14/5 levels.
  auto bin = static_cast<std::uint16_t>(
      hts_reg2bin(pos(record), pos(record) + reference_bytes, kBinMinShift, kBinLevels));
  store_le16(record + 14, bin);
}

}  // namespace samsort::bam
