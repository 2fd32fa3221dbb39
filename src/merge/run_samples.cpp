// Run samples: key copies at positions, kept while a run is written.
#include "samsort/merge/run_samples.hpp"

#include <algorithm>
#include <cstring>

#include "samsort/bam/bam_record.hpp"
#include "samsort/core/byte_order.hpp"
#include "samsort/core/config.hpp"

namespace samsort {

namespace {
constexpr std::size_t kSeqLengthAt = 20;  // l_seq in a raw record (block_size first)

std::size_t head_bytes_of(const std::uint8_t* record) noexcept {
  return bam::kFixedBytes + bam::read_name_bytes(record) +
         4 * std::size_t{bam::cigar_op_count(record)};
}

// Sequence and quality bytes, or 0 when the record's fields do not leave room for them.
std::size_t sequence_bytes_of(const std::uint8_t* record) noexcept {
  std::int32_t length = bam::seq_length(record);
  if (length <= 0) return 0;
  auto bases = static_cast<std::size_t>(length);
  std::size_t sequence = (bases + 1) / 2 + bases;
  std::size_t bytes = bam::record_bytes(record);
  std::size_t head = head_bytes_of(record);
  return head <= bytes && sequence <= bytes - head ? sequence : 0;
}

// The pool share per entry beyond its key: the entry itself and the writer thread's position.
constexpr std::size_t kEntryOverheadBytes = 64;
}  // namespace

std::size_t key_copy_bytes(const std::uint8_t* record) noexcept {
  return bam::record_bytes(record) - sequence_bytes_of(record);
}

void write_key_copy(const std::uint8_t* record, std::uint8_t* out) noexcept {
  std::size_t bytes = bam::record_bytes(record);
  std::size_t sequence = sequence_bytes_of(record);
  if (sequence == 0) {
    std::memcpy(out, record, bytes);
    return;
  }
  std::size_t head = head_bytes_of(record);
  std::memcpy(out, record, head);
  std::memcpy(out + head, record + head + sequence, bytes - head - sequence);
  auto block_size = static_cast<std::uint32_t>(bytes - sequence - 4);
  store_le32(out, block_size | (load_le32(record) & bam::kWideBit));
  store_le32(out + kSeqLengthAt, 0);
}

std::size_t RunSampler::pool_bytes_for(std::size_t budget_bytes) noexcept {
  return std::clamp(budget_bytes / config::kRunSamplePoolShare, config::kRunSamplePoolMinBytes,
                    config::kRunSamplePoolMaxBytes);
}

RunSampler::RunSampler(MemoryBudget& pool, std::uint64_t record_bytes) {
  std::size_t share = pool.total_bytes() / config::kRunSamplePlannedRuns;
  std::size_t want = std::min(share, pool.available_bytes());
  std::size_t entries = want / (config::kRunSampleEstimateBytes + kEntryOverheadBytes);
  if (entries < 2) return;
  Reservation reservation;
  try {
    reservation = pool.reserve(want, "run samples");
  } catch (const std::exception&) {
    return;  // another run took the room meanwhile: none kept
  }
  samples_ = std::make_unique<RunSamples>();
  samples_->reservation_ = std::move(reservation);
  samples_->entries_.reserve(entries);
  positions_.reserve(entries);
  samples_->keys_.reserve(want - entries * kEntryOverheadBytes);
  capacity_ = entries;
  interval_ =
      std::max<std::uint64_t>(config::kRunSampleMinIntervalBytes, record_bytes / (entries - 1) + 1);
}

void RunSampler::attach(BgzfWriter& writer, MemoryBudget& budget) {
  if (active()) writer.set_mark_observer(this, budget);
}

void RunSampler::take(const std::uint8_t* record, BgzfWriter& writer) {
  std::vector<std::uint8_t>& keys = samples_->keys_;
  std::size_t key_bytes = key_copy_bytes(record);
  if (key_bytes > config::kRunSampleMaxKeyBytes) return;  // the next record is tried
  if (samples_->entries_.size() == capacity_ || keys.capacity() - keys.size() < key_bytes) {
    capacity_ = 0;  // the share is spent: the rest of the run goes unsampled
    return;
  }
  RunSamples::Entry entry;
  entry.position.record_index = records_;
  entry.bytes_before = bytes_;
  entry.key_offset = keys.size();
  keys.resize(keys.size() + key_bytes);
  write_key_copy(record, keys.data() + entry.key_offset);
  samples_->entries_.push_back(entry);
  writer.mark();
  next_sample_at_ = bytes_ + interval_;
}

void RunSampler::marked(std::uint64_t virtual_offset) {
  RunPosition position;
  position.block_offset = virtual_offset >> 16;
  position.payload_offset = static_cast<std::uint32_t>(virtual_offset & 0xffff);
  positions_.push_back(position);  // within the capacity reserved: one mark per entry
}

std::shared_ptr<const RunSamples> RunSampler::finish() {
  if (!samples_ || samples_->entries_.empty()) return nullptr;
  std::vector<RunSamples::Entry>& entries = samples_->entries_;
  std::size_t count = std::min(entries.size(), positions_.size());
  entries.resize(count);
  for (std::size_t idx = 0; idx < count; ++idx) {
    positions_[idx].record_index = entries[idx].position.record_index;
    entries[idx].position = positions_[idx];
  }
  samples_->run_record_bytes_ = bytes_;
  positions_ = {};
  capacity_ = 0;
  return std::shared_ptr<const RunSamples>(std::move(samples_));
}

}  // namespace samsort
