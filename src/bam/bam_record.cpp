// Structural checks of raw BAM records (the fields the sorter and samtools rely on).
#include "samsort/bam/bam_record.hpp"

namespace samsort::bam {

const char* check_record(const std::uint8_t* record, std::int32_t reference_count) noexcept {
  std::uint64_t block_size = load_u32(record);
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
  if (pos(record) < -1) return "BAM record with position below -1";
  return nullptr;
}

}  // namespace samsort::bam
