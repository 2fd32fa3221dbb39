// Query-name orders (samtools sort -n / -N): natural (samtools -n) and lexicographic (-N), and
// Picard SortSam's queryname (lexicographic names, htsjdk's tie rules; see picard_order.hpp).
// Key: name, then the ties' flag key (and record-level ties, Picard's HI), then input order. A sort
// entry holds 16 bytes of the name's order-preserving encoding taken after the run's longest common
// prefix (Illumina names share their first ~20 bytes), the flag key and the arena offset; full
// names are compared only when the 16 bytes tie and a name is longer than them.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "samsort/bam/bam_header.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/order/name_key.hpp"
#include "samsort/order/order_policy.hpp"

namespace samsort {

// samtools' ties after equal names: the flag key alone (name_key.hpp).
struct SamtoolsNameTies {
  static constexpr bool kRecordTies = false;
  static constexpr std::uint16_t flag_key(std::uint16_t flag) noexcept {
    return name_flag_key(flag);
  }
  // Ties decided by record contents after equal flag keys: none.
  static int compare_records(const std::uint8_t*, const std::uint8_t*) noexcept { return 0; }
  static HeaderSortTags header_tags(bool natural) noexcept {
    return {"queryname", nullptr, natural ? "queryname:natural" : "queryname:lexicographical"};
  }
};

// Ties: what breaks equal names (SamtoolsNameTies or PicardNameTies): a 16-bit flag key
// compared as an integer, then compare_records when kRecordTies.
template <bool kNatural, class Ties = SamtoolsNameTies>
class NameOrder {
 public:
  static constexpr bool kRadix = false;
  static constexpr bool kIndexable = false;
  static constexpr std::uint64_t kOffsetBits = 47;
  static constexpr std::uint64_t kOffsetMask = (std::uint64_t{1} << kOffsetBits) - 1;
  static constexpr std::uint64_t kLongName = std::uint64_t{1} << kOffsetBits;
  // BAM names are at most 254 bytes (check_record enforces l_read_name <= 255).
  static constexpr std::size_t kEncodedCapacity = kMaxNaturalEncodingBytes;

  struct Entry {
    std::uint64_t prefix_high;
    std::uint64_t prefix_low;
    std::uint64_t tail;  // flag key (16) | long-name bit (1) | offset (47)
  };

  // The engine radix-sorts on the 16 prefix bytes, then sorts equal-prefix runs with
  // entry_less (run_sorter.hpp, prefix_radix_sort_entries).
  static constexpr std::size_t kPrefixWords = 2;
  static constexpr RadixDigit kRadixDigits[] = {{1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}, {1, 5},
                                                {1, 6}, {1, 7}, {0, 0}, {0, 1}, {0, 2}, {0, 3},
                                                {0, 4}, {0, 5}, {0, 6}, {0, 7}};

  struct MergeKey {
    const std::uint8_t* record;
    std::uint64_t prefix_high;
    std::uint64_t prefix_low;
    std::uint16_t flag_key;
    bool long_name;
  };

  static HeaderSortTags header_tags() noexcept { return Ties::header_tags(kNatural); }

  // Provisional entry: prepare_run() fills the prefix once the run is complete.
  static Entry make_entry(const std::uint8_t* record, std::uint64_t offset) noexcept {
    std::uint64_t flag_key = Ties::flag_key(bam::flag(record));
    return Entry{0, 0, (flag_key << 48) | offset};
  }

  static std::uint64_t offset_of(const Entry& entry) noexcept { return entry.tail & kOffsetMask; }

  template <class EntryAt>
  void prepare_run(EntryAt&& entry_at, std::size_t count, const std::uint8_t* top) {
    if (count == 0) return;
    std::uint8_t first[kEncodedCapacity];
    std::uint8_t current[kEncodedCapacity];
    std::size_t first_bytes = encode(top - offset_of(entry_at(0)), first);
    std::size_t common = first_bytes;
    for (std::size_t idx = 1; idx < count && common > 0; ++idx) {
      std::size_t bytes = encode(top - offset_of(entry_at(idx)), current);
      std::size_t limit = std::min(common, bytes);
      std::size_t same = 0;
      while (same < limit && first[same] == current[same]) ++same;
      common = same;
    }
    run_skip_ = common;
    for (std::size_t idx = 0; idx < count; ++idx) set_prefix(entry_at(idx), top, common);
  }

  // Moves the prefixes of `count` entries whose prefixes are equal at depth - 1 to the next
  // 16 bytes of their encoded names. False (nothing changed) when every name ended already.
  // Thread-safe for disjoint entries.
  bool refine(Entry* entries, std::size_t count, unsigned depth, const std::uint8_t* top) const {
    bool any_long = false;
    for (std::size_t idx = 0; idx < count && !any_long; ++idx) {
      any_long = (entries[idx].tail & kLongName) != 0;
    }
    if (!any_long) return false;
    for (std::size_t idx = 0; idx < count; ++idx) {
      set_prefix(entries[idx], top, run_skip_ + 16 * depth);
    }
    return true;
  }

  // Valid between entries refined to the same depth (the sorter only compares those).
  static bool entry_less(const Entry& a, const Entry& b, const std::uint8_t* top) noexcept {
    if (a.prefix_high != b.prefix_high) return a.prefix_high < b.prefix_high;
    if (a.prefix_low != b.prefix_low) return a.prefix_low < b.prefix_low;
    if (((a.tail | b.tail) & kLongName) != 0) {
      int order = compare_names(top - offset_of(a), top - offset_of(b));
      if (order != 0) return order < 0;
    }
    // Equal names: flag key, then input order (the long-name bit is equal for equal names).
    if constexpr (Ties::kRecordTies) {
      if ((a.tail >> 48) != (b.tail >> 48)) return a.tail < b.tail;
      int order = Ties::compare_records(top - offset_of(a), top - offset_of(b));
      if (order != 0) return order < 0;
    }
    return a.tail < b.tail;
  }

  static MergeKey merge_key(const std::uint8_t* record) noexcept {
    std::uint8_t encoded[kEncodedCapacity];
    std::size_t bytes = encode(record, encoded);
    std::uint64_t prefix[2];
    load_prefix_be(encoded, bytes, 0, prefix);
    return MergeKey{record, prefix[0], prefix[1], Ties::flag_key(bam::flag(record)), bytes > 16};
  }

  static bool merge_less(const MergeKey& a, const MergeKey& b) noexcept {
    if (a.prefix_high != b.prefix_high) return a.prefix_high < b.prefix_high;
    if (a.prefix_low != b.prefix_low) return a.prefix_low < b.prefix_low;
    if (a.long_name || b.long_name) {
      int order = compare_names(a.record, b.record);
      if (order != 0) return order < 0;
    }
    if constexpr (Ties::kRecordTies) {
      if (a.flag_key != b.flag_key) return a.flag_key < b.flag_key;
      return Ties::compare_records(a.record, b.record) < 0;
    }
    return a.flag_key < b.flag_key;
  }

  static int compare_names(const std::uint8_t* a, const std::uint8_t* b) noexcept {
    return kNatural ? natural_compare(bam::read_name(a), bam::read_name(b))
                    : lexicographic_compare(bam::read_name(a), bam::read_name(b));
  }

 private:
  static void set_prefix(Entry& entry, const std::uint8_t* top, std::size_t skip) noexcept {
    std::uint8_t encoded[kEncodedCapacity];
    std::size_t bytes = encode(top - offset_of(entry), encoded);
    std::uint64_t prefix[2];
    load_prefix_be(encoded, bytes, skip, prefix);
    entry.prefix_high = prefix[0];
    entry.prefix_low = prefix[1];
    entry.tail = (entry.tail & ~kLongName) | (bytes > skip + 16 ? kLongName : 0);
  }

  std::size_t run_skip_ = 0;  // the current run's common prefix of encoded names

  static std::size_t encode(const std::uint8_t* record, std::uint8_t* out) noexcept {
    const char* name = bam::read_name(record);
    std::size_t name_bytes = std::strlen(name);
    if constexpr (kNatural) {
      return encode_natural(name, name_bytes, out);
    } else {
      std::memcpy(out, name, name_bytes);
      return name_bytes;
    }
  }
};

using NaturalNameOrder = NameOrder<true>;
using LexicographicNameOrder = NameOrder<false>;
static_assert(OrderPolicy<NaturalNameOrder>);
static_assert(OrderPolicy<LexicographicNameOrder>);

}  // namespace samsort
