// MinimiserOrder's run transform: the per-record hashing, split over the job's threads.
#include "samsort/order/minimiser_order.hpp"

#include <algorithm>
#include <vector>

#include "samsort/core/config.hpp"

namespace samsort {

std::uint64_t key_unplaced_record(std::uint8_t* record, const MinimiserSettings& settings,
                                  const MinimiserIndex* index) noexcept {
  std::uint64_t delta = 0 - xxh64(record, bam::record_bytes(record));
  MinimiserKey key = minimiser_key(record, settings, index);
  if (key.reverse) reverse_complement_record(record);
  // The hash the output checksum will see for `record` once written: its output form.
  clear_minimiser_key(record);
  delta += xxh64(record, bam::record_bytes(record));
  store_minimiser_key(record, key);
  return delta;
}

std::uint64_t MinimiserOrder::transform_run(Entry* entries, std::size_t count, std::uint8_t* top,
                                            std::size_t threads) const {
  if (count < config::kMinimiserParallelMinRecords) threads = 1;
  std::vector<std::uint64_t> deltas(std::max<std::size_t>(threads, 1), 0);
  run_team(threads, [&](std::size_t member, std::size_t team, auto&) noexcept {
    std::size_t begin = count * member / team;
    std::size_t end = count * (member + 1) / team;
    std::uint64_t delta = 0;
    for (std::size_t idx = begin; idx < end; ++idx) {
      std::uint8_t* record = top - entries[idx].offset;
      if (bam::ref_id(record) != -1) continue;
      delta += key_unplaced_record(record, settings_, index_);
      entries[idx] = make_entry(record, entries[idx].offset);
    }
    deltas[member] = delta;
  });
  std::uint64_t total = 0;
  for (std::uint64_t delta : deltas) total += delta;
  return total;
}

}  // namespace samsort
