// Picard SortSam's record keys (htsjdk 3.0.4, as bundled with Debian's picard-tools 2.27.5):
// the parts of SAMRecordCoordinateComparator and SAMRecordQueryNameComparator that the sort
// entries of picard_coordinate_order.hpp and picard_name_ties (name_order.hpp) cannot hold.
// Picard's SortingCollection is stable, so fully equal keys keep input order. No allocation.
#pragma once
#include <cstdint>

#include "samsort/bam/bam_flags.hpp"

namespace samsort {

// htsjdk's fileOrderCompare as one unsigned word: reference index with no reference (-1)
// last, then the 1-based alignment start as a signed int; the start is ignored (0) when there
// is no reference, as htsjdk compares only the reference index then.
std::uint64_t picard_position_key(std::int32_t ref_id, std::int32_t pos) noexcept;

// SAMRecordCoordinateComparator after equal positions and strands: read name (bytes, as
// String.compareTo on htsjdk's Latin-1 names), raw FLAG, MAPQ, mate reference index (signed:
// -1 first), 1-based mate start (signed), insert size (signed). <0, 0, >0. Thread-safe.
int compare_picard_coordinate_ties(const std::uint8_t* a, const std::uint8_t* b) noexcept;

// SAMRecordQueryNameComparator's flag rules after equal names as a key compared as an integer:
// paired before unpaired (only when either is paired), first-of-pair before second-of-pair,
// forward before reverse, non-secondary first, non-supplementary first. htsjdk leaves paired
// records with neither or both of READ1/READ2 without a consistent order; they sort between
// first and second of pair here.
constexpr std::uint16_t picard_name_flag_key(std::uint16_t flag) noexcept {
  unsigned pair_rank = 3;  // unpaired
  if ((flag & bam::kPaired) != 0) {
    bool first = (flag & bam::kRead1) != 0;
    bool second = (flag & bam::kRead2) != 0;
    pair_rank = first == second ? 1 : (first ? 0 : 2);
  }
  return static_cast<std::uint16_t>((pair_rank << 3) | ((flag & bam::kReverse) != 0 ? 4u : 0u) |
                                    ((flag & bam::kSecondary) != 0 ? 2u : 0u) |
                                    ((flag & bam::kSupplementary) != 0 ? 1u : 0u));
}

// The queryname comparator's last rule: no integer HI tag before one, then HI ascending.
// htsjdk fails on an HI of another type; samsort treats it as absent. Thread-safe.
int compare_picard_hit_index(const std::uint8_t* a, const std::uint8_t* b) noexcept;

}  // namespace samsort
