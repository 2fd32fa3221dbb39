// Minimiser order (samtools sort -M): placed records (tid >= 0) exactly in coordinate order,
// then the unplaced ones by minimiser key ascending, the key's position term descending,
// strand (forward first) and input order. Each unplaced record is keyed once, in the run's
// transform (worker threads), which reverse-complements it when the key came from the reverse
// strand and stores the key in its pos/mpos/isize fields, as samtools does: the key then
// travels through run files with the record, and the merge reads it back. On output those
// fields are reset (pos -1, mpos -1, isize 0).
//
// Entry (three words):   placed:   w0 = tid (32) | pos + 1 (32)       w1 = rev
//                        unplaced: w0 = 0xffffffff | key >> 30 (32)   w1 = key low 30 bits |
//                                  descending term (32) | rev          w2 = arena offset
// tid -1 as unsigned 32-bit puts the unplaced records after every placed one, as samtools'
// (uint64_t)tid comparison does.
#pragma once
#include <cstddef>
#include <cstdint>

#include "samsort/bam/bam_flags.hpp"
#include "samsort/bam/bam_header.hpp"
#include "samsort/bam/bam_record.hpp"
#include "samsort/bam/record_checksum.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/core/thread_team.hpp"
#include "samsort/order/minimiser_index.hpp"
#include "samsort/order/minimiser_key.hpp"
#include "samsort/order/order_policy.hpp"

namespace samsort {

// Keys one unplaced record in place (samtools' worker_minhash): reverse-complements it when
// its minimiser is on the reverse strand and stores the key in it. Returns the hash of its
// output form (key fields cleared) minus the hash of the bytes it had: the change to an input
// checksum. Thread safe for distinct records.
std::uint64_t key_unplaced_record(std::uint8_t* record, const MinimiserSettings& settings,
                                  const MinimiserIndex* index) noexcept;

class MinimiserOrder {
 public:
  static constexpr bool kRadix = true;
  static constexpr bool kIndexable = true;  // placed records are in coordinate order

  struct Entry {
    std::uint64_t w0;
    std::uint64_t w1;
    std::uint64_t offset;
  };
  struct MergeKey {
    std::uint64_t w0;
    std::uint64_t w1;
  };
  static constexpr RadixDigit kRadixDigits[] = {{1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}, {1, 5},
                                                {1, 6}, {1, 7}, {0, 0}, {0, 1}, {0, 2}, {0, 3},
                                                {0, 4}, {0, 5}, {0, 6}, {0, 7}};

  // `index` (-I) may be null; it must outlive the order.
  MinimiserOrder(const MinimiserSettings& settings, const MinimiserIndex* index) noexcept
      : settings_(settings), index_(index) {}

  // The key as the record's bytes hold it: coordinate fields for a placed record, the stored
  // minimiser key for an unplaced one (valid after transform_run).
  static MergeKey merge_key(const std::uint8_t* record) noexcept {
    std::uint64_t reverse = (bam::flag(record) & bam::kReverse) != 0 ? 1 : 0;
    std::int32_t tid = bam::ref_id(record);
    if (tid != -1) {
      auto position = static_cast<std::uint32_t>(static_cast<std::uint32_t>(bam::pos(record)) + 1u);
      return {(std::uint64_t{static_cast<std::uint32_t>(tid)} << 32) | position, reverse};
    }
    std::uint64_t key = stored_minimiser_key(record);
    // samtools compares isize as a signed int: larger first.
    std::uint64_t descending =
        ~(static_cast<std::uint32_t>(stored_minimiser_term(record)) ^ 0x80000000u) & 0xffffffffu;
    return {(std::uint64_t{0xffffffffu} << 32) | (key >> 30),
            ((key & 0x3fffffffu) << 34) | (descending << 1) | reverse};
  }
  static bool merge_less(const MergeKey& a, const MergeKey& b) noexcept {
    return a.w0 != b.w0 ? a.w0 < b.w0 : a.w1 < b.w1;
  }

  // samtools keeps the minimiser key in the 32-bit pos/mpos/isize fields; positions beyond
  // 2^31 - 1 (wide records, SAM/CRAM input) do not fit that scheme and are refused.
  static Entry make_entry(const std::uint8_t* record, std::uint64_t offset) {
    if (bam::is_wide(record)) [[unlikely]] {
      throw Error("the minimiser order holds 32-bit positions: position beyond 2^31 - 1");
    }
    MergeKey key = merge_key(record);
    return {key.w0, key.w1, offset};
  }
  static std::uint64_t offset_of(const Entry& entry) noexcept { return entry.offset; }
  static bool entry_less(const Entry& a, const Entry& b, const std::uint8_t*) noexcept {
    if (a.w0 != b.w0) return a.w0 < b.w0;
    if (a.w1 != b.w1) return a.w1 < b.w1;
    return a.offset < b.offset;
  }

  template <class EntryAt>
  static void prepare_run(EntryAt&&, std::size_t, const std::uint8_t*) noexcept {}

  // Keys every unplaced record of a run once, on up to `threads` threads: reverse-complements
  // it when its minimiser is on the reverse strand, stores the key in it and remakes its entry.
  // Returns the change to the input checksum: for each transformed record, the hash of its
  // output form (after reverse complement, with pos/mpos/isize cleared) minus the hash of the
  // bytes read, so that the job's in == out check holds exactly when every record reaches
  // the output in the form samtools writes.
  std::uint64_t transform_run(Entry* entries, std::size_t count, std::uint8_t* top,
                              std::size_t threads) const;

  // The output form of a record: unplaced records get pos -1, mpos -1, isize 0.
  static void to_output_form(std::uint8_t* record) noexcept {
    if (bam::ref_id(record) == -1) clear_minimiser_key(record);
  }

  // Before any record is read the @HD tags are planned as if some record were placed (the
  // longer text); header_tags_after_input says what samtools writes once all are read.
  static HeaderSortTags header_tags() noexcept { return header_tags_after_input(true); }
  static HeaderSortTags header_tags_after_input(bool any_placed) noexcept {
    if (any_placed) return {"coordinate", nullptr, "coordinate:minhash"};
    return {"unsorted", nullptr, "unsorted:minhash"};
  }

 private:
  MinimiserSettings settings_;
  const MinimiserIndex* index_;
};
static_assert(OrderPolicy<MinimiserOrder>);

// What `samsort verify --order minimiser` checks on a sorted file, whose unplaced records no
// longer carry their keys (pos/mpos/isize were reset): placed records in coordinate order,
// then unplaced records by minimiser key recomputed from the written sequence. A read
// reverse-complemented by the sort has the same k-mer values on its two strands swapped, so
// the key (the smaller of them) is unchanged; the position term and strand ties are not
// checked, and keys made with -I cannot be recomputed (no index here).
class MinimiserOutputCheck {
 public:
  using MergeKey = MinimiserOrder::MergeKey;
  explicit MinimiserOutputCheck(const MinimiserSettings& settings) noexcept : settings_(settings) {}

  MergeKey merge_key(const std::uint8_t* record) const noexcept {
    if (bam::ref_id(record) != -1) return MinimiserOrder::merge_key(record);
    std::uint64_t key = minimiser_key(record, settings_, nullptr).key;
    return {(std::uint64_t{0xffffffffu} << 32) | (key >> 30), (key & 0x3fffffffu) << 34};
  }
  static bool merge_less(const MergeKey& a, const MergeKey& b) noexcept {
    return MinimiserOrder::merge_less(a, b);
  }

 private:
  MinimiserSettings settings_;
};
static_assert(MergeOrder<MinimiserOutputCheck>);

}  // namespace samsort
