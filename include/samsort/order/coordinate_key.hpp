// Coordinate order (samtools sort): tid as unsigned 32-bit, then pos + 1 as unsigned,
// then the REVERSE bit, then input order. The whole key is packed into one 16-byte sort entry
// together with the record's arena offset, so sorting never touches a record:
//   hi = tid(32) | (pos+1) >> 12 (32)          lo = (pos+1) & 0xfff (12) | rev (1) | offset (51)
// Offsets grow with input order (see RecordArena::commit), so (hi, lo) as a 128-bit integer
// is exactly the order with input order as the final tie.
#pragma once
#include <cstddef>
#include <cstdint>

#include "samsort/bam/bam_flags.hpp"
#include "samsort/bam/bam_header.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/order/order_policy.hpp"

namespace samsort {

struct CoordinateOrder {
  static constexpr const char* kName = "coordinate";
  static constexpr bool kRadix = true;
  static constexpr bool kIndexable = true;  // output can carry a BAI/CSI index

  struct Entry {
    std::uint64_t hi;
    std::uint64_t lo;
  };
  static constexpr unsigned kOffsetBits = 51;
  static constexpr std::uint64_t kOffsetMask = (std::uint64_t{1} << kOffsetBits) - 1;
  static constexpr std::uint64_t kMaxPositionPlusOne = std::uint64_t{1} << 44;

  // Radix digits, least significant first, as (word, byte): word 0 = hi, word 1 = lo. Only
  // the lo bytes above the offset's low 48 bits take part; the offset needs no sorting
  // because a stable radix sort keeps input order.
  static constexpr RadixDigit kRadixDigits[] = {{1, 6}, {1, 7}, {0, 0}, {0, 1}, {0, 2},
                                                {0, 3}, {0, 4}, {0, 5}, {0, 6}, {0, 7}};

  static Entry make_entry(const std::uint8_t* record, std::uint64_t offset) noexcept {
    std::uint64_t tid = static_cast<std::uint32_t>(bam::ref_id(record));
    // pos + 1 wrapped to 32 bits: -1 -> 0, and positions below -1 (htslib accepts them)
    // after every real position, as samtools' (uint64_t)(pos + 1) puts them.
    std::uint64_t position =
        static_cast<std::uint32_t>(static_cast<std::uint32_t>(bam::pos(record)) + 1u);
    std::uint64_t reverse = (bam::flag(record) & bam::kReverse) != 0 ? 1 : 0;
    return Entry{(tid << 32) | (position >> 12),
                 ((position & 0xfff) << 52) | (reverse << kOffsetBits) | offset};
  }

  static HeaderSortTags header_tags() noexcept { return {"coordinate", nullptr, nullptr}; }

  // The whole key is in the entry: nothing to prepare per run. (Orders whose entries depend
  // on the whole run, like name prefixes after the run's common prefix, fill them here;
  // `entry_at(i)` returns entry i by reference.)
  template <class EntryAt>
  static void prepare_run(EntryAt&&, std::size_t, const std::uint8_t*) noexcept {}

  static std::uint64_t offset_of(const Entry& entry) noexcept { return entry.lo & kOffsetMask; }

  static bool entry_less(const Entry& a, const Entry& b) noexcept {
    return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo;
  }

  // The engine's comparison-sort signature (used when coordinate is a secondary key).
  static bool entry_less(const Entry& a, const Entry& b, const std::uint8_t*) noexcept {
    return entry_less(a, b);
  }

  // Merge key: the entry without the offset (input order across runs is the run index).
  using MergeKey = Entry;
  static MergeKey merge_key(const std::uint8_t* record) noexcept { return make_entry(record, 0); }
  static bool merge_less(const MergeKey& a, const MergeKey& b) noexcept { return entry_less(a, b); }
};
static_assert(OrderPolicy<CoordinateOrder>);

}  // namespace samsort
