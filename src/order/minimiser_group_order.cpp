// The grouped minimiser order's run work: keying records on the job's threads (pass 1),
// giving each name group its key, and re-sorting an in-memory run into the grouped order.
#include "samsort/order/minimiser_group_order.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "samsort/bam/record_checksum.hpp"
#include "samsort/core/config.hpp"
#include "samsort/core/thread_team.hpp"
#include "samsort/order/minimiser_order.hpp"
#include "samsort/sort/run_sorter.hpp"

namespace samsort {

MinimiserKey group_key_step(const MinimiserKey& group, const std::uint8_t* record, bool first,
                            GroupKeyRule rule) noexcept {
  MinimiserKey own{stored_minimiser_key(record), stored_minimiser_term(record), false};
  if (first) return own;
  if (rule == GroupKeyRule::kFirst) return group;
  // samtools -M's order: key ascending, then the position term descending.
  if (own.key != group.key) return own.key < group.key ? own : group;
  return own.term > group.term ? own : group;
}

std::uint64_t cleared_form_hash(std::uint8_t* record) noexcept {
  MinimiserKey key{stored_minimiser_key(record), stored_minimiser_term(record), false};
  clear_minimiser_key(record);
  std::uint64_t hash = xxh64(record, bam::record_bytes(record));
  store_minimiser_key(record, key);
  return hash;
}

namespace {

// The sum of per_record(idx) over a run's records, on the worker threads (one thread for small
// runs): both passes' run transforms report their checksum change this way.
template <class PerRecord>
std::uint64_t sum_over_run(std::size_t count, std::size_t threads, const PerRecord& per_record) {
  if (count < config::kMinimiserParallelMinRecords) threads = 1;
  std::vector<std::uint64_t> deltas(std::max<std::size_t>(threads, 1), 0);
  run_team(threads, [&](std::size_t member, std::size_t team, auto&) noexcept {
    std::uint64_t delta = 0;
    for (std::size_t idx = count * member / team; idx < count * (member + 1) / team; ++idx) {
      delta += per_record(idx);
    }
    deltas[member] = delta;
  });
  std::uint64_t total = 0;
  for (std::uint64_t delta : deltas) total += delta;
  return total;
}

}  // namespace

std::uint64_t MinimiserGroupedOrder::transform_run(Entry* entries, std::size_t count,
                                                   std::uint8_t* top, std::size_t threads) const {
  return sum_over_run(count, threads, [&](std::size_t idx) noexcept {
    std::uint8_t* record = top - entries[idx].offset;
    return cleared_form_hash(record) - xxh64(record, bam::record_bytes(record));
  });
}

std::uint64_t MinimiserGroupingOrder::transform_run(Entry* entries, std::size_t count,
                                                    std::uint8_t* top, std::size_t threads) const {
  return sum_over_run(count, threads, [&](std::size_t idx) noexcept {
    return key_unplaced_record(top - offset_of(entries[idx]), settings_, index_);
  });
}

void MinimiserGroupingOrder::regroup_run(Entry* entries, Entry* scratch, std::size_t count,
                                         std::uint8_t* top, std::size_t threads) const {
  using Grouped = MinimiserGroupedOrder::Entry;
  // The entries' bytes become grouped entries in place (same size, whole words): entry idx
  // keeps its offset and takes rank idx, the name order.
  std::size_t first = 0;
  while (first < count) {
    const char* name = bam::read_name(top - offset_of(entries[first]));
    std::size_t end = first + 1;
    while (end < count && std::strcmp(bam::read_name(top - offset_of(entries[end])), name) == 0) {
      ++end;
    }
    assign_group_key([&](std::size_t idx) { return top - offset_of(entries[first + idx]); },
                     end - first, rule_);
    first = end;
  }
  for (std::size_t idx = 0; idx < count; ++idx) {
    std::uint64_t offset = offset_of(entries[idx]);
    Grouped made = MinimiserGroupedOrder::entry_for(top - offset, offset, idx);
    std::memcpy(&entries[idx], &made, sizeof made);
  }
  auto* grouped = reinterpret_cast<Grouped*>(entries);
  Grouped* sorted = radix_sort_entries<MinimiserGroupedOrder>(
      grouped, reinterpret_cast<Grouped*>(scratch), count, threads);
  if (sorted != grouped) std::memcpy(grouped, sorted, count * sizeof(Grouped));
  // Back to this order's layout: only the offsets are read from here on.
  for (std::size_t idx = 0; idx < count; ++idx) {
    Entry entry{0, 0, grouped[idx].offset};
    std::memcpy(&entries[idx], &entry, sizeof entry);
  }
}

}  // namespace samsort
