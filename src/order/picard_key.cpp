// Picard SortSam's tie rules (htsjdk SAMRecordCoordinateComparator, SAMRecordQueryNameComparator).
#include "samsort/order/picard_key.hpp"

#include "samsort/bam/bam_aux.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/order/name_key.hpp"

namespace samsort {

namespace {

template <class Int>
int compare_ints(Int a, Int b) noexcept {
  return a < b ? -1 : (a > b ? 1 : 0);
}

}  // namespace

std::uint64_t picard_position_key(std::int32_t ref_id, std::int32_t pos) noexcept {
  if (ref_id == -1) return std::uint64_t{0xFFFFFFFFu} << 32;
  // getAlignmentStart() = pos + 1 as a Java int (wrapping), compared signed: bias it.
  std::uint32_t start = (static_cast<std::uint32_t>(pos) + 1u) ^ 0x80000000u;
  return (std::uint64_t{static_cast<std::uint32_t>(ref_id)} << 32) | start;
}

int compare_picard_coordinate_ties(const std::uint8_t* a, const std::uint8_t* b) noexcept {
  int order = lexicographic_compare(bam::read_name(a), bam::read_name(b));
  if (order != 0) return order;
  if (int cmp = compare_ints(bam::flag(a), bam::flag(b)); cmp != 0) return cmp;
  if (int cmp = compare_ints(bam::mapq(a), bam::mapq(b)); cmp != 0) return cmp;
  if (int cmp = compare_ints(bam::mate_ref_id(a), bam::mate_ref_id(b)); cmp != 0) return cmp;
  // getMateAlignmentStart() = mpos + 1; the +1 does not change a signed order except at
  // INT32_MAX, where Java wraps: compare the wrapped values.
  auto mate_start = [](const std::uint8_t* record) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(bam::mate_pos(record)) + 1u);
  };
  if (int cmp = compare_ints(mate_start(a), mate_start(b)); cmp != 0) return cmp;
  return compare_ints(bam::insert_size(a), bam::insert_size(b));
}

int compare_picard_hit_index(const std::uint8_t* a, const std::uint8_t* b) noexcept {
  static constexpr char kHitIndex[2] = {'H', 'I'};
  const std::uint8_t* hit_a = bam::find_aux(a, kHitIndex);
  const std::uint8_t* hit_b = bam::find_aux(b, kHitIndex);
  bool has_a = hit_a != nullptr && bam::aux_is_integer(hit_a);
  bool has_b = hit_b != nullptr && bam::aux_is_integer(hit_b);
  if (has_a != has_b) return has_a ? 1 : -1;
  if (!has_a) return 0;
  return compare_ints(bam::aux_integer(hit_a), bam::aux_integer(hit_b));
}

}  // namespace samsort
