// Coordinate order (samtools sort): tid as unsigned 32-bit, then pos + 1 as unsigned 64-bit,
// then the REVERSE bit, then input order. The whole key is packed into one 16-byte sort entry
// together with the record's arena offset, so sorting never touches a record: a 76-bit key
//   key = tid (T bits) | pos + 1 (P bits)      hi = key >> 12, lo = key & 0xfff (12) | rev (1) |
//                                              offset (51)
// where T is the bit width of the header's reference count (tid -1, no reference, becomes the
// largest T-bit value, after every reference) and P = min(64, 76 - T). Up to 4095 references
// the position is the whole of samtools' (uint64_t)(pos + 1); with more, pos + 1 is wrapped to
// P >= 44 bits (positions below -1 still land after every real one) and a record placed beyond
// what P holds is refused in one line. Offsets grow with input order (RecordArena::commit), so
// (hi, lo) as a 128-bit integer is exactly the order with input order as the final tie.
#pragma once
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>

#include "samsort/bam/bam_flags.hpp"
#include "samsort/bam/bam_header.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/order/order_policy.hpp"

namespace samsort {

class CoordinateOrder {
 public:
  static constexpr const char* kName = "coordinate";
  static constexpr bool kRadix = true;
  static constexpr bool kIndexable = true;  // output can carry a BAI/CSI index

  struct Entry {
    std::uint64_t hi;
    std::uint64_t lo;
  };
  static constexpr unsigned kOffsetBits = 51;
  static constexpr std::uint64_t kOffsetMask = (std::uint64_t{1} << kOffsetBits) - 1;
  static constexpr unsigned kKeyBits = 76;  // 128 - 51 offset bits - 1 reverse bit

  // Radix digits, least significant first, as (word, byte): word 0 = hi, word 1 = lo. Only
  // the lo bytes above the offset's low 48 bits take part; the offset needs no sorting
  // because a stable radix sort keeps input order.
  static constexpr RadixDigit kRadixDigits[] = {{1, 6}, {1, 7}, {0, 0}, {0, 1}, {0, 2},
                                                {0, 3}, {0, 4}, {0, 5}, {0, 6}, {0, 7}};

  // Without a header: tid takes all 32 bits (positions wrap to 44).
  CoordinateOrder() noexcept : CoordinateOrder(std::uint64_t{1} << 31) {}
  // `reference_count`: the header's number of references.
  explicit CoordinateOrder(std::uint64_t reference_count) noexcept
      : tid_bits_(static_cast<unsigned>(std::bit_width(reference_count | 1))),
        position_bits_(kKeyBits - tid_bits_ < 64 ? kKeyBits - tid_bits_ : 64),
        unplaced_tid_((std::uint64_t{1} << tid_bits_) - 1) {}

  // Throws Error for a record placed beyond what the key holds (only SAM/CRAM positions
  // beyond 2^31 can be, and only with 4096 references or more).
  Entry make_entry(const std::uint8_t* record, std::uint64_t offset) const {
    if (bam::is_wide(record)) [[unlikely]]
      check_wide(record);
    Entry entry = key_of(record);
    entry.lo |= offset;
    return entry;
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
  MergeKey merge_key(const std::uint8_t* record) const noexcept { return key_of(record); }
  static bool merge_less(const MergeKey& a, const MergeKey& b) noexcept { return entry_less(a, b); }

 private:
  Entry key_of(const std::uint8_t* record) const noexcept {
    std::uint64_t tid = static_cast<std::uint32_t>(bam::ref_id(record));
    if (tid > unplaced_tid_) tid = unplaced_tid_;
    // pos + 1 as unsigned: -1 -> 0, and positions below -1 (htslib accepts them) after every
    // real position, as samtools' (uint64_t)(pos + 1) puts them.
    std::uint64_t position = static_cast<std::uint64_t>(bam::pos(record)) + 1u;
    if (position_bits_ < 64) position &= (std::uint64_t{1} << position_bits_) - 1;
    std::uint64_t reverse = (bam::flag(record) & bam::kReverse) != 0 ? 1 : 0;
    return Entry{(tid << (position_bits_ - 12)) | (position >> 12),
                 ((position & 0xfff) << 52) | (reverse << kOffsetBits)};
  }

  // A wrapped pos + 1 must stay below the wrapped negative positions (down to -2^31).
  void check_wide(const std::uint8_t* record) const {
    if (position_bits_ >= 64) return;
    std::int64_t pos = bam::pos(record);
    if (pos < 0) return;  // -1 and below wrap as they should
    std::uint64_t limit =
        (std::uint64_t{1} << position_bits_) - (std::uint64_t{1} << 31) - 1;  // bits <= 63
    if (static_cast<std::uint64_t>(pos) >= limit) {
      throw Error("position " + std::to_string(pos) +
                  " is beyond what the coordinate key holds with this many references (" +
                  std::to_string(limit) + ")");
    }
  }

  unsigned tid_bits_;
  unsigned position_bits_;
  std::uint64_t unplaced_tid_;
};
static_assert(OrderPolicy<CoordinateOrder>);

}  // namespace samsort
