// Picard SortSam's orders (htsjdk 3.0.4 comparators, Debian's picard-tools 2.27.5):
// picard-coordinate and picard-queryname. Both write @HD as Picard does (HeaderRule::kPicard:
// VN:1.6, only SO replaced). Rules and their sources: picard_key.hpp.
//
// picard-coordinate entry (24 bytes):
//   position = picard_position_key (tid unsigned 32 | signed 1-based start biased 32)
//   strand_name = reverse (byte 7) | 7 name bytes after the run's common name prefix (56)
//   offset
// The two leading words are an order-preserving prefix; ties finish with the full name, FLAG,
// MAPQ, mate fields from the records, then the arena offset (input order).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "samsort/bam/bam_flags.hpp"
#include "samsort/bam/bam_header.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/order/name_order.hpp"
#include "samsort/order/order_policy.hpp"
#include "samsort/order/picard_key.hpp"

namespace samsort {

class PicardCoordinateOrder {
 public:
  static constexpr bool kRadix = false;
  // (tid, pos) never decrease and unplaced records come last, as a BAI/CSI index needs.
  static constexpr bool kIndexable = true;
  static constexpr std::size_t kNameBytes = 7;

  struct Entry {
    std::uint64_t position;
    std::uint64_t strand_name;
    std::uint64_t offset;
  };
  struct MergeKey {
    const std::uint8_t* record;
    std::uint64_t position;
    bool reverse;
  };

  // The engine radix-sorts on the two leading words, then sorts equal runs with entry_less.
  static constexpr std::size_t kPrefixWords = 2;
  static constexpr RadixDigit kRadixDigits[] = {{1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}, {1, 5},
                                                {1, 6}, {1, 7}, {0, 0}, {0, 1}, {0, 2}, {0, 3},
                                                {0, 4}, {0, 5}, {0, 6}, {0, 7}};

  static HeaderSortTags header_tags() noexcept {
    return {"coordinate", nullptr, nullptr, HeaderRule::kPicard};
  }

  // Provisional entry: prepare_run() adds the name bytes once the run is complete. htsjdk's
  // positions are Java ints: a SAM/CRAM position beyond 2^31 - 1 (a wide record) is refused.
  static Entry make_entry(const std::uint8_t* record, std::uint64_t offset) {
    if (bam::is_wide(record)) [[unlikely]] {
      throw Error("Picard's orders hold 32-bit positions (as htsjdk): position beyond 2^31 - 1");
    }
    return Entry{picard_position_key(bam::ref_id(record), narrow_pos(record)), reverse_bit(record),
                 offset};
  }

  static std::uint64_t offset_of(const Entry& entry) noexcept { return entry.offset; }

  template <class EntryAt>
  void prepare_run(EntryAt&& entry_at, std::size_t count, const std::uint8_t* top) noexcept {
    if (count == 0) return;
    const char* first = bam::read_name(top - entry_at(0).offset);
    std::size_t common = read_name_length(top - entry_at(0).offset);
    for (std::size_t idx = 1; idx < count && common > 0; ++idx) {
      const char* name = bam::read_name(top - entry_at(idx).offset);
      std::size_t same = 0;
      while (same < common && first[same] == name[same]) ++same;
      common = same;
    }
    for (std::size_t idx = 0; idx < count; ++idx) {
      Entry& entry = entry_at(idx);
      const std::uint8_t* record = top - entry.offset;
      const char* name = bam::read_name(record);
      std::size_t length = read_name_length(record);
      std::uint64_t bytes = 0;
      for (std::size_t pick = 0; pick < kNameBytes; ++pick) {
        std::size_t at = common + pick;
        bytes = (bytes << 8) | (at < length ? static_cast<std::uint8_t>(name[at]) : 0u);
      }
      entry.strand_name = reverse_bit(record) | bytes;
    }
  }

  // The leading words hold all they can: nothing deeper to refine to.
  static bool refine(Entry*, std::size_t, unsigned, const std::uint8_t*) noexcept { return false; }

  // Valid between entries of one run (their name bytes start at the same common prefix).
  static bool entry_less(const Entry& a, const Entry& b, const std::uint8_t* top) noexcept {
    if (a.position != b.position) return a.position < b.position;
    if (a.strand_name != b.strand_name) return a.strand_name < b.strand_name;
    int order = compare_picard_coordinate_ties(top - a.offset, top - b.offset);
    if (order != 0) return order < 0;
    return a.offset < b.offset;
  }

  static MergeKey merge_key(const std::uint8_t* record) noexcept {
    return MergeKey{record, picard_position_key(bam::ref_id(record), narrow_pos(record)),
                    (bam::flag(record) & bam::kReverse) != 0};
  }
  static bool merge_less(const MergeKey& a, const MergeKey& b) noexcept {
    if (a.position != b.position) return a.position < b.position;
    if (a.reverse != b.reverse) return b.reverse;
    return compare_picard_coordinate_ties(a.record, b.record) < 0;
  }

 private:
  // The 32-bit position htsjdk sees (wide records never reach here: make_entry refuses them).
  static std::int32_t narrow_pos(const std::uint8_t* record) noexcept {
    return static_cast<std::int32_t>(bam::pos(record));
  }
  static std::uint64_t reverse_bit(const std::uint8_t* record) noexcept {
    return (bam::flag(record) & bam::kReverse) != 0 ? std::uint64_t{1} << 56 : 0;
  }
};
static_assert(OrderPolicy<PicardCoordinateOrder>);

// htsjdk's queryname ties: picard_name_flag_key, then the HI tag.
struct PicardNameTies {
  static constexpr bool kRecordTies = true;
  static constexpr std::uint16_t flag_key(std::uint16_t flag) noexcept {
    return picard_name_flag_key(flag);
  }
  static int compare_records(const std::uint8_t* a, const std::uint8_t* b) noexcept {
    return compare_picard_hit_index(a, b);
  }
  static HeaderSortTags header_tags(bool) noexcept {
    return {"queryname", nullptr, nullptr, HeaderRule::kPicard};
  }
};

// picard-queryname: names as bytes (String.compareTo), then PicardNameTies, then input order.
using PicardQueryNameOrder = NameOrder<false, PicardNameTies>;
static_assert(OrderPolicy<PicardQueryNameOrder>);

}  // namespace samsort
