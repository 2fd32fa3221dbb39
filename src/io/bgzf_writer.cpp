// BgzfWriter: producer -> deflate workers -> in-order writer thread over an OrderedRing.
#include "samsort/io/bgzf_writer.hpp"

#include <algorithm>

#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"
#include "samsort/io/bgzf_block.hpp"
#include "samsort/io/file_io.hpp"

namespace samsort {

namespace {
constexpr std::size_t kSlotBytes = 2 * config::kBgzfMaxBlockBytes;

std::size_t slot_count_for(std::size_t threads) noexcept {
  return std::max(config::kOutputMinSlots, config::kOutputSlotsPerThread * threads);
}

std::size_t ring_bytes_for(std::size_t threads) noexcept {
  return round_up_to_pages(slot_count_for(std::max<std::size_t>(1, threads)) * kSlotBytes);
}

std::size_t codec_bytes_for(std::size_t threads, const BlockCodec& codec) noexcept {
  return std::max<std::size_t>(1, threads) * compressor_state_bytes(codec);
}
}  // namespace

std::size_t BgzfWriter::reserved_bytes_for(std::size_t threads, const BlockCodec& codec) noexcept {
  return ring_bytes_for(threads) + codec_bytes_for(threads, codec);
}

BgzfWriter::BgzfWriter(BgzfWriterSettings settings, MemoryBudget& budget)
    : fd_(settings.fd),
      path_(std::move(settings.path)),
      offset_(settings.start_offset),
      positional_(settings.mode == BgzfWriteMode::kPositional),
      codec_(settings.codec),
      worker_count_(std::max<std::size_t>(1, settings.threads)),
      codec_state_(budget.reserve(codec_bytes_for(worker_count_, codec_), "compressor state")),
      buffers_(budget, ring_bytes_for(worker_count_), "output compression ring"),
      slots_(slot_count_for(worker_count_)),
      ring_(slots_.size()),
      block_room_(config::kBgzfMaxPayloadBytes) {
  for (std::size_t slot = 0; slot < slots_.size(); ++slot) {
    slots_[slot].payload = buffers_.data() + slot * kSlotBytes;
    slots_[slot].compressed = slots_[slot].payload + config::kBgzfMaxBlockBytes;
  }
  try {
    for (std::size_t worker = 0; worker < worker_count_; ++worker) {
      threads_.emplace_back([this] { worker_loop(); });
    }
    writer_thread_ = std::thread([this] { writer_loop(); });
  } catch (...) {
    shut_down();
    throw;
  }
  acquire_slot();
}

BgzfWriter::~BgzfWriter() { shut_down(); }

void BgzfWriter::shut_down() noexcept {
  ring_.stop(worker_count_);
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
  if (writer_thread_.joinable()) writer_thread_.join();
}

namespace {
// Marks are at least 36 bytes apart (a BAM record's fixed part), so a block holds at most this
// many.
constexpr std::size_t kMaxMarksPerBlock = config::kBgzfMaxPayloadBytes / 36 + 1;
}  // namespace

std::size_t BgzfWriter::max_marks_in_flight(std::size_t threads) noexcept {
  return slot_count_for(std::max<std::size_t>(1, threads)) * kMaxMarksPerBlock;
}

std::size_t BgzfWriter::mark_table_bytes_for(std::size_t threads) noexcept {
  return round_up_to_pages(max_marks_in_flight(threads) * sizeof(std::uint32_t));
}

void BgzfWriter::set_mark_observer(MarkObserver* observer, MemoryBudget& budget) {
  mark_tables_ = MappedBuffer(budget, mark_table_bytes_for(worker_count_), "BGZF mark tables");
  auto* table = reinterpret_cast<std::uint32_t*>(mark_tables_.data());
  for (std::size_t slot = 0; slot < slots_.size(); ++slot) {
    slots_[slot].marks = table + slot * kMaxMarksPerBlock;
  }
  observer_ = observer;
}

void BgzfWriter::rethrow_failure() {
  std::lock_guard<std::mutex> lock(failure_mutex_);
  if (failure_) std::rethrow_exception(failure_);
  throw Error(path_ + ": output pipeline stopped");
}

void BgzfWriter::acquire_slot() {
  if (!ring_.wait_free(produce_seq_)) rethrow_failure();
  Slot& slot = slots_[ring_.slot_of(produce_seq_)];
  slot.end = false;
  slot.mark_count = 0;
  fill_ = slot.payload;
  fill_bytes_ = 0;
}

void BgzfWriter::submit_block() {
  std::size_t slot_idx = ring_.slot_of(produce_seq_);
  slots_[slot_idx].payload_bytes = fill_bytes_;
  payload_bytes_ += fill_bytes_;
  ring_.submit(slot_idx);
  ++produce_seq_;
  acquire_slot();
}

std::size_t BgzfWriter::max_marks_per_block() noexcept { return kMaxMarksPerBlock; }

void BgzfWriter::write_block(const std::uint8_t* block, std::size_t block_bytes,
                             std::size_t payload_bytes, const std::uint32_t* marks,
                             std::size_t mark_count) {
  flush_block();
  std::size_t slot_idx = ring_.slot_of(produce_seq_);
  Slot& slot = slots_[slot_idx];
  std::memcpy(slot.compressed, block, block_bytes);
  if (observer_ != nullptr && mark_count > 0) {
    std::memcpy(slot.marks, marks, std::min(mark_count, kMaxMarksPerBlock) * sizeof(std::uint32_t));
    slot.mark_count = std::min(mark_count, kMaxMarksPerBlock);
  }
  slot.compressed_bytes = block_bytes;
  slot.payload_bytes = payload_bytes;
  payload_bytes_ += payload_bytes;
  ring_.mark_done(slot_idx);  // past the workers: straight to the writer thread
  ++produce_seq_;
  acquire_slot();
}

std::uint64_t BgzfWriter::finish(bool eof_marker) {
  if (finished_) return compressed_bytes_;
  flush_block();
  eof_marker_ = eof_marker;
  std::size_t slot_idx = ring_.slot_of(produce_seq_);
  slots_[slot_idx].end = true;
  ring_.mark_done(slot_idx);
  writer_thread_.join();
  finished_ = true;
  {
    std::lock_guard<std::mutex> lock(failure_mutex_);
    if (failure_) std::rethrow_exception(failure_);
  }
  shut_down();
  return compressed_bytes_;
}

void BgzfWriter::worker_loop() noexcept {
  try {
    BlockCompressor compressor(codec_);
    std::size_t slot_idx = 0;
    while (ring_.take_work(&slot_idx)) {
      Slot& slot = slots_[slot_idx];
      slot.compressed_bytes =
          compressor.compress(slot.payload, slot.payload_bytes, slot.compressed);
      ring_.finish_work(slot_idx);
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(failure_mutex_);
    if (!failure_) failure_ = std::current_exception();
    ring_.stop(worker_count_);
  }
}

void BgzfWriter::writer_loop() noexcept {
  try {
    for (std::uint64_t seq = 0;; ++seq) {
      if (!ring_.wait_done(seq)) return;
      std::size_t slot_idx = ring_.slot_of(seq);
      Slot& slot = slots_[slot_idx];
      if (slot.end) {
        if (observer_ != nullptr) observer_->finished(offset_ << 16);
        if (eof_marker_) {
          if (positional_) {
            pwrite_fully(fd_, kBgzfEofBlock, sizeof kBgzfEofBlock, offset_, path_);
          } else {
            write_fully(fd_, kBgzfEofBlock, sizeof kBgzfEofBlock, path_);
          }
          if (byte_observer_ != nullptr) {
            byte_observer_->written(kBgzfEofBlock, sizeof kBgzfEofBlock);
          }
          offset_ += sizeof kBgzfEofBlock;
          compressed_bytes_ += sizeof kBgzfEofBlock;
        }
        return;
      }
      if (positional_) {
        pwrite_fully(fd_, slot.compressed, slot.compressed_bytes, offset_, path_);
      } else {
        write_fully(fd_, slot.compressed, slot.compressed_bytes, path_);
      }
      if (byte_observer_ != nullptr)
        byte_observer_->written(slot.compressed, slot.compressed_bytes);
      if (observer_ != nullptr) {
        for (std::size_t idx = 0; idx < slot.mark_count; ++idx) {
          observer_->marked((offset_ << 16) | slot.marks[idx]);
        }
      }
      offset_ += slot.compressed_bytes;
      compressed_bytes_ += slot.compressed_bytes;
      ring_.release(slot_idx);
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(failure_mutex_);
    if (!failure_) failure_ = std::current_exception();
    ring_.stop(worker_count_);
  }
}

}  // namespace samsort
