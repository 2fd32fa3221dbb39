// CIGAR spans and clips over a record's packed CIGAR, as htslib computes them.
#include "samsort/bam/cigar.hpp"

#include "samsort/bam/bam_aux.hpp"
#include "samsort/bam/bam_flags.hpp"
#include "samsort/bam/bam_record.hpp"

namespace samsort::bam {

namespace {
// bam_tag2cigar ignores CG arrays this long or longer.
constexpr std::uint32_t kMaxTagCigarOps = std::uint32_t{1} << 29;
}  // namespace

CigarView CigarView::stored(const std::uint8_t* record) noexcept {
  return CigarView{record + kFixedBytes + read_name_bytes(record), cigar_op_count(record)};
}

CigarView CigarView::of_record(const std::uint8_t* record) noexcept {
  CigarView cigar = stored(record);
  if (cigar.empty()) return cigar;
  // bam_tag2cigar: a first op of "<l_seq>S" on a placed record announces a CG:B:I tag.
  std::uint32_t placeholder =
      (static_cast<std::uint32_t>(seq_length(record)) << 4) | kCigarSoftClip;
  if (cigar.raw(0) != placeholder || ref_id(record) < 0 || pos(record) < 0) return cigar;
  const std::uint8_t* real = find_aux(record, "CG");
  if (real == nullptr || aux_type(real) != 'B' ||
      (aux_array_type(real) != 'I' && aux_array_type(real) != 'i')) {
    return cigar;
  }
  std::uint32_t real_count = aux_array_count(real);
  if (real_count < cigar.size() || real_count >= kMaxTagCigarOps) return cigar;
  return CigarView{aux_array_data(real), real_count};
}

std::int64_t CigarView::reference_span() const noexcept {
  std::int64_t span = 0;
  for (std::uint32_t idx = 0; idx < count_; ++idx) {
    if (consumes_reference(code(idx))) span += length(idx);
  }
  return span;
}

std::int64_t CigarView::query_span() const noexcept {
  std::int64_t span = 0;
  for (std::uint32_t idx = 0; idx < count_; ++idx) {
    if (consumes_query(code(idx))) span += length(idx);
  }
  return span;
}

std::int64_t CigarView::leading_soft_clips() const noexcept {
  std::int64_t clipped = 0;
  for (std::uint32_t idx = 0; idx < count_; ++idx) {
    if (code(idx) == kCigarSoftClip) {
      clipped += length(idx);
    } else if (code(idx) != kCigarHardClip) {
      break;
    }
  }
  return clipped;
}

std::int64_t CigarView::trailing_soft_clips() const noexcept {
  std::int64_t clipped = 0;
  for (std::uint32_t idx = count_; idx-- > 0;) {
    if (code(idx) == kCigarSoftClip) {
      clipped += length(idx);
    } else if (code(idx) != kCigarHardClip) {
      break;
    }
  }
  return clipped;
}

std::int64_t end_position(const std::uint8_t* record) noexcept {
  std::int64_t span =
      has_flag(flag(record), kUnmapped) ? 0 : CigarView::of_record(record).reference_span();
  return std::int64_t{pos(record)} + (span > 0 ? span : 1);
}

}  // namespace samsort::bam
