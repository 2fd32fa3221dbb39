// Run blocks read and decoded ahead of the merge on worker threads (run_prefetch.hpp).
#include "samsort/merge/run_prefetch.hpp"

#include <algorithm>
#include <chrono>

#include "samsort/core/config.hpp"
#include "samsort/merge/run_file.hpp"

namespace samsort {

std::size_t RunPrefetcher::state_bytes_for(BlockFormat format, std::size_t threads) noexcept {
  return threads * (decoder_state_bytes(format) + config::kBgzfMaxBlockBytes);
}

std::size_t RunPrefetcher::depth_for(std::size_t runs, std::size_t slot_bytes) noexcept {
  if (runs == 0) return 0;
  // Per run: its stream, its place in the ready ring, its slot vector's allocation.
  constexpr std::size_t kPerRun = sizeof(Stream) + sizeof(std::size_t) + 64;
  std::size_t per_run = slot_bytes / runs;
  if (per_run <= kPerRun) return 0;
  std::size_t depth =
      std::min(kMaxDepth, (per_run - kPerRun) / (config::kBgzfMaxBlockBytes + sizeof(Slot)));
  return depth >= kMinDepth ? depth : 0;
}

RunPrefetcher::RunPrefetcher(const RunStore& store, const std::vector<const RunInfo*>& runs,
                             std::size_t threads, std::uint8_t* slots, std::size_t slot_bytes)
    : store_(store), streams_(runs.size()), ready_(runs.size()) {
  std::size_t depth = depth_for(runs.size(), slot_bytes);
  for (std::size_t idx = 0; idx < runs.size(); ++idx) {
    Stream& stream = streams_[idx];
    stream.run = runs[idx];
    stream.next_offset = runs[idx]->offset;
    stream.at_end = runs[idx]->bytes == 0;
    stream.slots.resize(depth);
    for (Slot& slot : stream.slots) {
      slot.payload = slots;
      slots += config::kBgzfMaxBlockBytes;
    }
    queue_if_wanted(idx);
  }
  threads = std::max<std::size_t>(1, threads);
  for (std::size_t idx = 0; idx < threads; ++idx) {
    decoders_.push_back(std::make_unique<BlockDecoder>(store.codec().format));
    compressed_.emplace_back(config::kBgzfMaxBlockBytes);
  }
  try {
    for (std::size_t idx = 0; idx < threads; ++idx) {
      workers_.emplace_back([this, idx] { work(idx); });
    }
  } catch (...) {
    stop();
    throw;
  }
}

RunPrefetcher::~RunPrefetcher() { stop(); }

void RunPrefetcher::stop() noexcept {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

bool RunPrefetcher::wants_fetch(const Stream& stream) noexcept {
  return !stream.fetching && !stream.at_end && !stream.error && stream.filled < stream.slots.size();
}

void RunPrefetcher::queue_if_wanted(std::size_t idx) {
  Stream& stream = streams_[idx];
  if (stream.queued || !wants_fetch(stream)) return;
  stream.queued = true;
  ready_[(ready_head_ + ready_count_) % ready_.size()] = idx;
  ++ready_count_;
  work_ready_.notify_one();
}

void RunPrefetcher::work(std::size_t worker) {
  BlockDecoder& decoder = *decoders_[worker];
  std::uint8_t* compressed = compressed_[worker].data();
  std::unique_lock lock(mutex_);
  for (;;) {
    work_ready_.wait(lock, [this] { return stopping_ || ready_count_ > 0; });
    if (stopping_) return;
    std::size_t idx = ready_[ready_head_];
    ready_head_ = (ready_head_ + 1) % ready_.size();
    --ready_count_;
    Stream& stream = streams_[idx];
    stream.queued = false;
    if (!wants_fetch(stream)) continue;
    stream.fetching = true;
    Slot& slot = stream.slots[(stream.head + stream.filled) % stream.slots.size()];
    std::uint64_t offset = stream.next_offset;
    lock.unlock();
    std::size_t payload_bytes = 0;
    std::size_t block_bytes = 0;
    std::exception_ptr error;
    try {
      block_bytes = read_run_block(store_, *stream.run, offset, decoder, compressed, slot.payload,
                                   &payload_bytes);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    stream.fetching = false;
    if (error) {
      stream.error = error;
    } else {
      stream.bytes_read += block_bytes;
      stream.next_offset = offset + block_bytes;
      stream.at_end = stream.next_offset >= stream.run->offset + stream.run->bytes;
      if (payload_bytes > 0) {  // empty blocks are skipped, as RunReader does
        slot.bytes = payload_bytes;
        slot.block_offset = offset;
        ++stream.filled;
      }
      queue_if_wanted(idx);
    }
    block_ready_.notify_one();
  }
}

const std::uint8_t* RunPrefetcher::next_block(std::size_t run, std::size_t* payload_bytes,
                                              std::uint64_t* block_offset) {
  Stream& stream = streams_[run];
  std::unique_lock lock(mutex_);
  if (stream.handed_out) {
    stream.handed_out = false;
    stream.head = (stream.head + 1) % stream.slots.size();
    --stream.filled;
    // A sleeping worker is woken when half the ring is free, not at every block: each wake
    // costs a futex call on both sides, and the worker then fetches the free half in a row.
    if (stream.filled <= stream.slots.size() / 2) queue_if_wanted(run);
  }
  auto ready = [&stream] {
    return stream.filled > 0 || stream.error || (stream.at_end && !stream.fetching);
  };
  if (!ready()) {
    auto started = std::chrono::steady_clock::now();
    block_ready_.wait(lock, ready);
    wait_seconds_ +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  if (stream.filled > 0) {
    stream.handed_out = true;
    const Slot& slot = stream.slots[stream.head];
    *payload_bytes = slot.bytes;
    *block_offset = slot.block_offset;
    return slot.payload;
  }
  if (stream.error) std::rethrow_exception(stream.error);
  *payload_bytes = 0;
  return nullptr;
}

std::uint64_t RunPrefetcher::bytes_read(std::size_t run) const {
  std::lock_guard lock(mutex_);
  return streams_[run].bytes_read;
}

}  // namespace samsort
