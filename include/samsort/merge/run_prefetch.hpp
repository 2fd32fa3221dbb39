// RunPrefetcher: reads and decodes the blocks of spilled runs ahead of a merge, on worker
// threads, so the merging thread only compares and copies records. Each run gets a ring of
// decoded blocks ("slots", carved from memory the caller owns: the part of the merge region
// its readers leave free); a worker fetches a run's next block whenever that run has a free
// slot, one block of a run at a time (a block's size says where the next one starts). The
// merging thread takes blocks in order with next_block() and waits only when the block it
// needs is not decoded yet. Worker errors (a damaged or unreadable run file) are kept and
// rethrown by next_block() when the merge reaches that block.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "samsort/io/block_codec.hpp"

namespace samsort {

class RunStore;
struct RunInfo;

class RunPrefetcher {
 public:
  // Heap bytes `threads` workers allocate (a decoder and one compressed block each): reserved
  // from the budget by the caller before the merge region is cut.
  static std::size_t state_bytes_for(BlockFormat format, std::size_t threads) noexcept;
  // Blocks each run may hold decoded ahead of the merge at most, and at least for a prefetch
  // to be worth its threads (one being merged, one ahead).
  static constexpr std::size_t kMaxDepth = 8;
  static constexpr std::size_t kMinDepth = 2;
  // The slots per run that `slot_bytes` of memory give `runs` runs (0: too few to prefetch).
  // The prefetcher's own bookkeeping (heap, per run and per slot) is counted in that memory:
  // the caller leaves what the slots do not take unused.
  static std::size_t depth_for(std::size_t runs, std::size_t slot_bytes) noexcept;

  // `runs` are borrowed (with the store) and outlive the prefetcher; `slots` holds at least
  // runs.size() * depth_for(runs.size(), slot_bytes) * kBgzfMaxBlockBytes bytes and outlives
  // it. depth_for() must be at least kMinDepth. Starts `threads` workers (at least one; if no
  // thread can be started, throws std::system_error).
  RunPrefetcher(const RunStore& store, const std::vector<const RunInfo*>& runs, std::size_t threads,
                std::uint8_t* slots, std::size_t slot_bytes);
  ~RunPrefetcher();  // stops the workers and joins them
  RunPrefetcher(const RunPrefetcher&) = delete;
  RunPrefetcher& operator=(const RunPrefetcher&) = delete;

  // Run `run`'s next non-empty block (the previous one handed out is released): its payload
  // (nullptr at the end of the run), its length and the block's file offset. Waits for the
  // workers when it is not decoded yet; rethrows their error for this block.
  const std::uint8_t* next_block(std::size_t run, std::size_t* payload_bytes,
                                 std::uint64_t* block_offset);
  // Compressed bytes read for `run` so far.
  std::uint64_t bytes_read(std::size_t run) const;
  // Seconds the merging thread waited in next_block() for a block.
  double wait_seconds() const noexcept { return wait_seconds_; }

 private:
  struct Slot {
    std::uint8_t* payload = nullptr;
    std::size_t bytes = 0;
    std::uint64_t block_offset = 0;
  };
  struct Stream {
    const RunInfo* run = nullptr;
    std::vector<Slot> slots;  // a ring: [head, head + filled) decoded, in file order
    std::size_t head = 0;     // the slot handed out last (released at the next call)
    std::size_t filled = 0;   // decoded slots from head on (the handed-out one included)
    bool handed_out = false;  // slots[head] is held by the merge
    bool fetching = false;    // a worker is reading this run's next block
    bool queued = false;      // in ready_
    bool at_end = false;      // every block of the run is fetched
    std::uint64_t next_offset = 0;
    std::uint64_t bytes_read = 0;
    std::exception_ptr error;  // the fetch after the filled slots failed
  };

  void work(std::size_t worker);
  void stop() noexcept;
  // Under the lock: whether a worker may fetch the stream's next block now.
  static bool wants_fetch(const Stream& stream) noexcept;
  void queue_if_wanted(std::size_t idx);

  const RunStore& store_;
  std::vector<Stream> streams_;
  mutable std::mutex mutex_;
  std::condition_variable work_ready_;   // workers wait for a stream to fetch
  std::condition_variable block_ready_;  // the merge waits for a block
  // Streams wanting a fetch, a FIFO ring of streams_.size() (each is in it at most once).
  std::vector<std::size_t> ready_;
  std::size_t ready_head_ = 0;
  std::size_t ready_count_ = 0;
  bool stopping_ = false;
  double wait_seconds_ = 0;
  std::vector<std::unique_ptr<BlockDecoder>> decoders_;  // one per worker
  std::vector<std::vector<std::uint8_t>> compressed_;    // one block per worker
  std::vector<std::thread> workers_;
};

}  // namespace samsort
