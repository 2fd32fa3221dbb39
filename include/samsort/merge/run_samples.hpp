// Run samples: while a run is written, every so many record bytes the next record's key copy
// (the record without its sequence and qualities, which no order compares) and its position
// in the run file are kept. The parallel final merge (sort/range_merge.hpp) cuts the key space
// into ranges at sample keys and starts each range's readers at the last sample before it, so
// no run is read from its start for every range. Samples of all runs come from one pool (a
// MemoryBudget of its own, reserved from the job's budget); a run that finds the pool spent
// keeps the samples it has (its readers then decode further to find a range's start).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "samsort/core/memory_budget.hpp"
#include "samsort/io/bgzf_writer.hpp"

namespace samsort {

// Where a record lies in a run file.
struct RunPosition {
  std::uint64_t block_offset = 0;    // file offset of the block its first byte is in
  std::uint32_t payload_offset = 0;  // its offset in that block's payload
  std::uint64_t record_index = 0;    // records of the run before it
};

// The key copy of `record` (block_size first): l_seq 0, no sequence or qualities, every other
// field as stored. Its size, and writing it to `out` (that many bytes).
std::size_t key_copy_bytes(const std::uint8_t* record) noexcept;
void write_key_copy(const std::uint8_t* record, std::uint8_t* out) noexcept;

// The samples of one run, in run order (so in key order).
class RunSamples {
 public:
  std::size_t size() const noexcept { return entries_.size(); }
  const std::uint8_t* key(std::size_t idx) const noexcept {
    return keys_.data() + entries_[idx].key_offset;
  }
  const RunPosition& position(std::size_t idx) const noexcept { return entries_[idx].position; }
  // Record bytes of the run before sample `idx`.
  std::uint64_t bytes_before(std::size_t idx) const noexcept { return entries_[idx].bytes_before; }
  // Record bytes of the whole run.
  std::uint64_t run_record_bytes() const noexcept { return run_record_bytes_; }
  // Pool bytes held.
  std::size_t memory_bytes() const noexcept { return reservation_.bytes(); }

 private:
  friend class RunSampler;
  struct Entry {
    RunPosition position;
    std::uint64_t bytes_before = 0;
    std::size_t key_offset = 0;
  };
  std::vector<Entry> entries_;
  std::vector<std::uint8_t> keys_;
  std::uint64_t run_record_bytes_ = 0;
  Reservation reservation_;  // from the pool
};

// Samples one run as it is written. Use: construct, attach() to the run's writer before its
// first write, before() ahead of every record written, finish() after the writer finished.
class RunSampler final : public MarkObserver {
 public:
  // Bytes of `budget` the pool for a job with `budget_bytes` takes.
  static std::size_t pool_bytes_for(std::size_t budget_bytes) noexcept;

  // A run of about `record_bytes` (more is fine: the samples thin out past the estimate) with
  // samples from `pool` (which outlives the samples): at most a kRunSamplePlannedRuns-th of it.
  // With no room in the pool it keeps nothing and finish() returns null.
  RunSampler(MemoryBudget& pool, std::uint64_t record_bytes);

  // Marks go to this sampler; the writer's mark tables are reserved from `budget`.
  void attach(BgzfWriter& writer, MemoryBudget& budget);
  bool active() const noexcept { return capacity_ > 0; }

  // Producer thread, before `record` (`bytes` long) is written.
  void before(const std::uint8_t* record, std::uint32_t bytes, BgzfWriter& writer) {
    if (bytes_ >= next_sample_at_ && capacity_ > 0) take(record, writer);
    bytes_ += bytes;
    ++records_;
  }

  // After the writer finished (its marks all seen): the samples, or null when none were kept.
  std::shared_ptr<const RunSamples> finish();

  void marked(std::uint64_t virtual_offset) override;  // writer thread
  void finished(std::uint64_t) override {}

 private:
  void take(const std::uint8_t* record, BgzfWriter& writer);

  std::unique_ptr<RunSamples> samples_;
  std::vector<RunPosition> positions_;  // filled by the writer thread, one per mark
  std::size_t capacity_ = 0;            // entries the reservation holds
  std::uint64_t interval_ = 0;
  std::uint64_t next_sample_at_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t records_ = 0;
};

}  // namespace samsort
