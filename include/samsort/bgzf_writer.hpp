// BgzfWriter: a bounded ring of BGZF block slots. The producer copies bytes into the current
// slot; full slots are compressed by worker threads (libdeflate, one compressor per worker)
// and written in order by one writer thread. When every slot is in flight the producer waits.
// Used for the final output and for spilled runs. Ring memory comes from the budget.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <algorithm>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "samsort/memory_budget.hpp"
#include "samsort/ordered_ring.hpp"

namespace samsort {

class BgzfWriter {
 public:
  // Bytes of budget a writer with `threads` workers reserves (for planning).
  static std::size_t reserved_bytes_for(std::size_t threads) noexcept;

  // Writes to `fd` (not owned). With `positional`, blocks go to `start_offset` onwards with
  // pwrite (several writers may share a file at disjoint ranges); else with write().
  BgzfWriter(int fd, std::string path, std::uint64_t start_offset, bool positional,
             int libdeflate_level, std::size_t threads, MemoryBudget& budget);
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
  // Ends the current block early (e.g. after the header, as htslib does).
  void flush_block() {
    if (fill_bytes_ > 0) submit_block();
  }
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
  int level_;
  std::size_t worker_count_;
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

  std::mutex failure_mutex_;
  std::exception_ptr failure_;
};

}  // namespace samsort
