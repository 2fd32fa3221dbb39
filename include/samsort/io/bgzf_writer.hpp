// BgzfWriter: a bounded ring of BGZF block slots. The producer copies bytes into the current
// slot; full slots are compressed by worker threads (libdeflate, one compressor per worker)
// and written in order by one writer thread. When every slot is in flight the producer waits.
// Used for the final output and for spilled runs (whose blocks may be zstd: block_codec.hpp).
// Ring memory and the compressors' state come from the budget.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "samsort/core/memory_budget.hpp"
#include "samsort/io/block_codec.hpp"
#include "samsort/io/ordered_ring.hpp"

namespace samsort {

// Receives, on the writer thread and in output order, the BGZF virtual offset of every
// position marked with mark() once its block is written; then the virtual offset where the
// data ends. What a mark stands for (a record start, for an index) is the observer's business.
class MarkObserver {
 public:
  virtual ~MarkObserver() = default;
  virtual void marked(std::uint64_t virtual_offset) = 0;
  virtual void finished(std::uint64_t end_virtual_offset) = 0;
};

// Sees every byte the writer puts in its file, in file order, on the writer's output thread
// (the output's MD5 for --write-md5).
class ByteObserver {
 public:
  virtual ~ByteObserver() = default;
  virtual void written(const std::uint8_t* bytes, std::size_t count) noexcept = 0;
};

// How a BgzfWriter puts its blocks: kStream with write() at the descriptor's position (a
// pipe, the output file); kPositional with pwrite() from `start_offset` on, so several writers
// may share one file at disjoint ranges (the run store).
enum class BgzfWriteMode { kStream, kPositional };

struct BgzfWriterSettings {
  int fd = -1;       // not owned
  std::string path;  // names the destination in error messages
  BgzfWriteMode mode = BgzfWriteMode::kStream;
  std::uint64_t start_offset = 0;  // file offset of the first block (kPositional)
  BlockCodec codec{};              // BGZF at libdeflate level 6 unless said
  std::size_t threads = 1;         // compression workers
};

class BgzfWriter {
 public:
  // Bytes of budget a writer with `threads` workers reserves (for planning): its ring and each
  // worker's compressor state.
  static std::size_t reserved_bytes_for(std::size_t threads, const BlockCodec& codec) noexcept;
  // Bytes set_mark_observer() reserves for such a writer.
  static std::size_t mark_table_bytes_for(std::size_t threads) noexcept;
  // The most marks such a writer holds before its observer has seen them (every slot full of
  // the smallest records): an observer that queues per-mark data needs this many entries.
  static std::size_t max_marks_in_flight(std::size_t threads) noexcept;

  // Starts the workers and the writer thread. Throws ResourceError if the budget cannot hold
  // the ring, std::system_error if a thread cannot start.
  BgzfWriter(BgzfWriterSettings settings, MemoryBudget& budget);
  ~BgzfWriter();
  BgzfWriter(const BgzfWriter&) = delete;
  BgzfWriter& operator=(const BgzfWriter&) = delete;

  // Producer thread only. Throws the writer's IoError if writing failed.
  void write(const void* data, std::size_t bytes) {
    const auto* in = static_cast<const std::uint8_t*>(data);
    while (bytes > 0) {
      std::size_t take = std::min(bytes, block_room_ - fill_bytes_);
      std::memcpy(fill_ + fill_bytes_, in, take);
      fill_bytes_ += take;
      in += take;
      bytes -= take;
      if (fill_bytes_ == block_room_) submit_block();
    }
  }
  // Turns on marks for `observer` (not owned; called on the writer thread). Reserves the
  // per-slot mark tables from `budget`. Call before the first mark().
  void set_mark_observer(MarkObserver* observer, MemoryBudget& budget);
  // Before the first write: `observer` sees the file's bytes as they are written.
  void set_byte_observer(ByteObserver* observer) noexcept { byte_observer_ = observer; }
  // Marks the position of the next byte written; at most one mark per 36 bytes written (the
  // smallest BAM record). Producer thread only.
  void mark() {
    Slot& slot = slots_[ring_.slot_of(produce_seq_)];
    slot.marks[slot.mark_count++] = static_cast<std::uint32_t>(fill_bytes_);
  }
  // Ends the current block early (e.g. after the header, as htslib does).
  void flush_block() {
    if (fill_bytes_ > 0) submit_block();
  }
  // Writes one complete block compressed elsewhere (of this writer's codec; `payload_bytes`
  // its payload) after what was written so far: the current block is ended first. The block
  // goes to the writer thread as it is, in order, with `mark_count` marks at payload offsets
  // `marks` (ignored without a mark observer; at most one per 36 bytes). Producer thread only
  // (several threads may take turns, each turn ordered after the last by the caller's own
  // synchronisation). Throws the writer's IoError.
  void write_block(const std::uint8_t* block, std::size_t block_bytes, std::size_t payload_bytes,
                   const std::uint32_t* marks = nullptr, std::size_t mark_count = 0);
  // The most marks one block holds (one per 36 bytes, the smallest BAM record).
  static std::size_t max_marks_per_block() noexcept;
  const BlockCodec& codec() const noexcept { return codec_; }
  // Flushes, appends the EOF marker if asked, waits until everything is written.
  // Returns the compressed bytes written. Producer thread only.
  std::uint64_t finish(bool eof_marker);

  std::uint64_t payload_bytes() const noexcept { return payload_bytes_ + fill_bytes_; }

 private:
  struct Slot {
    std::uint8_t* payload = nullptr;
    std::uint8_t* compressed = nullptr;
    std::size_t payload_bytes = 0;
    std::size_t compressed_bytes = 0;
    bool end = false;
    std::uint32_t* marks = nullptr;  // offsets in the payload
    std::size_t mark_count = 0;
  };

  void submit_block();
  void acquire_slot();
  void worker_loop() noexcept;
  void writer_loop() noexcept;
  void shut_down() noexcept;
  void rethrow_failure();

  int fd_;
  std::string path_;
  std::uint64_t offset_;
  bool positional_;
  BlockCodec codec_;
  std::size_t worker_count_;
  Reservation codec_state_;
  MappedBuffer buffers_;
  std::vector<Slot> slots_;
  OrderedRing ring_;
  std::vector<std::thread> threads_;
  std::thread writer_thread_;

  std::size_t block_room_;
  std::uint64_t produce_seq_ = 0;
  std::uint8_t* fill_ = nullptr;
  std::size_t fill_bytes_ = 0;
  std::uint64_t payload_bytes_ = 0;
  bool eof_marker_ = false;
  bool finished_ = false;
  std::uint64_t compressed_bytes_ = 0;  // written by the writer thread, read after join

  MarkObserver* observer_ = nullptr;
  ByteObserver* byte_observer_ = nullptr;
  MappedBuffer mark_tables_;

  std::mutex failure_mutex_;
  std::exception_ptr failure_;
};

}  // namespace samsort
