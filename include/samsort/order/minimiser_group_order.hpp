// Minimiser order with QNAME groups kept together (--minimiser-group-names, samtools issue
// #2294): every record of one read name gets one key, the group's, so paired unaligned reads
// stay name-grouped. Two passes, because a group's key needs all of its records and the input
// may be in any order:
//   pass 1 (MinimiserGroupingOrder): each record is keyed by its own minimiser on the worker
//     threads (reverse-complemented as samtools -M does, key in pos/mpos/isize), then the
//     records are sorted by name, bytewise (samtools -N: exactly equal names are adjacent),
//     flag key (READ1, READ2, ...) and input order;
//   between the passes the records of each name get the group's key (group_key_of);
//   pass 2 (MinimiserGroupedOrder): a stable sort by (group key, position term descending), so
//     equal keys keep pass 1's order: groups in name order, records inside a group in
//     samtools' name-order ties, input order last.
// When pass 1 fits in memory both passes happen in the arena (regroup_run); otherwise pass 1
// is merged into a temporary BAM that MinimiserGroupSource reads back, group by group.
#pragma once
#include <cstddef>
#include <cstdint>

#include "samsort/bam/bam_header.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/order/minimiser_index.hpp"
#include "samsort/order/minimiser_key.hpp"
#include "samsort/order/name_order.hpp"
#include "samsort/order/order_policy.hpp"

namespace samsort {

// The @HD of the grouped order: name-grouped (GO:query) and not sorted (SO:unsorted, as
// samtools import writes it); SS refines samtools' "unsorted:minhash" with ":grouped".
inline HeaderSortTags minimiser_group_header_tags() noexcept {
  return {"unsorted", "query", "unsorted:minhash:grouped"};
}

// Folds one record's stored key (store_minimiser_key) into a group's key. `first` is true
// for the group's first record. Pure.
MinimiserKey group_key_step(const MinimiserKey& group, const std::uint8_t* record, bool first,
                            GroupKeyRule rule) noexcept;

// The group key of `count` records (name order, all with the same name) at `record_at(idx)`,
// stored into each of them.
template <class RecordAt>
void assign_group_key(RecordAt&& record_at, std::size_t count, GroupKeyRule rule) noexcept {
  MinimiserKey group{0, 0, false};
  for (std::size_t idx = 0; idx < count; ++idx) {
    group = group_key_step(group, record_at(idx), idx == 0, rule);
  }
  for (std::size_t idx = 0; idx < count; ++idx) store_minimiser_key(record_at(idx), group);
}

// The hash the output checksum sees for a keyed record: that of its output form (pos -1,
// mpos -1, isize 0). The record is restored before returning.
std::uint64_t cleared_form_hash(std::uint8_t* record) noexcept;

// Pass 2: records already carrying their group's key, ordered by (key, term descending),
// ties in arrival order (the arena offset, or the rank regroup_run gives).
class MinimiserGroupedOrder {
 public:
  static constexpr bool kRadix = true;
  static constexpr bool kIndexable = false;
  static constexpr std::uint64_t kRankBits = 48;

  struct Entry {
    std::uint64_t key;   // the group key (< 2^62)
    std::uint64_t tail;  // descending term (16) | arrival rank (48)
    std::uint64_t offset;
  };
  struct MergeKey {
    std::uint64_t key;
    std::uint64_t term;
  };
  static constexpr RadixDigit kRadixDigits[] = {{1, 6}, {1, 7}, {0, 0}, {0, 1}, {0, 2},
                                                {0, 3}, {0, 4}, {0, 5}, {0, 6}, {0, 7}};

  // samtools' term is max(65535 - position, 0) (0 with -I): 16 bits, larger first.
  static std::uint64_t descending_term(const std::uint8_t* record) noexcept {
    auto term = static_cast<std::uint32_t>(stored_minimiser_term(record));
    return 0xffffu - std::min<std::uint32_t>(term, 0xffffu);
  }
  static Entry entry_for(const std::uint8_t* record, std::uint64_t offset,
                         std::uint64_t rank) noexcept {
    return {stored_minimiser_key(record), (descending_term(record) << kRankBits) | rank, offset};
  }
  static Entry make_entry(const std::uint8_t* record, std::uint64_t offset) noexcept {
    return entry_for(record, offset, offset);  // arena offsets grow with arrival
  }
  static std::uint64_t offset_of(const Entry& entry) noexcept { return entry.offset; }
  static bool entry_less(const Entry& a, const Entry& b, const std::uint8_t*) noexcept {
    return a.key != b.key ? a.key < b.key : a.tail < b.tail;
  }
  static MergeKey merge_key(const std::uint8_t* record) noexcept {
    return {stored_minimiser_key(record), descending_term(record)};
  }
  static bool merge_less(const MergeKey& a, const MergeKey& b) noexcept {
    return a.key != b.key ? a.key < b.key : a.term < b.term;
  }
  template <class EntryAt>
  static void prepare_run(EntryAt&&, std::size_t, const std::uint8_t*) noexcept {}

  // Keys are stored already; the checksum moves to the output form: returns, over the run,
  // the sum of cleared_form_hash minus the hash of each record as read. Runs on `threads`.
  std::uint64_t transform_run(Entry* entries, std::size_t count, std::uint8_t* top,
                              std::size_t threads) const;
  static void to_output_form(std::uint8_t* record) noexcept { clear_minimiser_key(record); }
  static HeaderSortTags header_tags() noexcept { return minimiser_group_header_tags(); }
};
static_assert(OrderPolicy<MinimiserGroupedOrder>);

// Pass 1: bytewise name order; unaligned records only (a placed record is refused: its
// position would be lost and its group could not be both in coordinate order and together).
class MinimiserGroupingOrder : public LexicographicNameOrder {
 public:
  MinimiserGroupingOrder(const MinimiserSettings& settings, const MinimiserIndex* index,
                         GroupKeyRule rule) noexcept
      : settings_(settings), index_(index), rule_(rule) {}

  static Entry make_entry(const std::uint8_t* record, std::uint64_t offset) {
    if (bam::ref_id(record) != -1 || bam::is_wide(record)) [[unlikely]] {
      throw Error(
          "--minimiser-group-names needs unaligned input (RNAME '*' on every record); this "
          "record is placed: for aligned reads use -n/-N or plain -M");
    }
    return LexicographicNameOrder::make_entry(record, offset);
  }

  // Keys every record of the run once, on up to `threads` threads, as MinimiserOrder does
  // (reverse complement, key stored); the name entries do not change. Returns the checksum
  // change to the records' output form.
  std::uint64_t transform_run(Entry* entries, std::size_t count, std::uint8_t* top,
                              std::size_t threads) const;

  // Both passes in memory: `entries` (sorted in this order, records at top - offset) are
  // re-sorted in place into the grouped order, each record given its group's key. `scratch`
  // holds `count` entries.
  void regroup_run(Entry* entries, Entry* scratch, std::size_t count, std::uint8_t* top,
                   std::size_t threads) const;

  // Output form of the in-memory path; the two-pass path keeps the keys in the temporary BAM.
  static void to_output_form(std::uint8_t* record) noexcept { clear_minimiser_key(record); }
  static std::uint64_t kept_key_hash(std::uint8_t* record) noexcept {
    return cleared_form_hash(record);
  }
  static HeaderSortTags header_tags() noexcept { return minimiser_group_header_tags(); }
  GroupKeyRule rule() const noexcept { return rule_; }

 private:
  MinimiserSettings settings_;
  const MinimiserIndex* index_;
  GroupKeyRule rule_;
};
static_assert(OrderPolicy<MinimiserGroupingOrder>);
static_assert(sizeof(MinimiserGroupingOrder::Entry) == sizeof(MinimiserGroupedOrder::Entry));

}  // namespace samsort
