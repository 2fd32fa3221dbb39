// BgzfReader: decompresses a BGZF stream (file or pipe) on worker threads and hands the
// payload bytes to one consumer in order. One I/O thread reads whole blocks into a bounded
// ring of slots (memory reserved from the budget), `threads` workers inflate and check CRC
// and sizes, the consumer reads bytes in order. Nothing grows with the input.
#pragma once
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "samsort/core/memory_budget.hpp"
#include "samsort/io/bgzf_block.hpp"
#include "samsort/io/ordered_ring.hpp"

struct hFILE;

namespace samsort {

class BgzfReader {
 public:
  // Bytes of budget a reader with `threads` workers reserves (for planning).
  static std::size_t reserved_bytes_for(std::size_t threads) noexcept;

  // Takes no ownership of `fd`. Starts the threads. Throws ResourceError if the budget is
  // short. `path` names the input in error messages.
  BgzfReader(int fd, std::string path, std::size_t threads, MemoryBudget& budget);
  // Over `fd` positioned at compressed offset `start_offset` of a file (a slice of a BAM
  // file, for the distributed sort): offsets are counted from there.
  BgzfReader(int fd, std::uint64_t start_offset, std::string path, std::size_t threads,
             MemoryBudget& budget);
  // Over an htslib hFILE that format detection has peeked at (hdopen over `fd`, the
  // descriptor under `file`): the bytes `file` has buffered are used first, then `fd` is read
  // directly, waiting in poll() so that stopping never waits for a stalled pipe. Neither is owned.
  BgzfReader(hFILE* file, int fd, std::string path, std::size_t threads, MemoryBudget& budget);
  ~BgzfReader();
  BgzfReader(const BgzfReader&) = delete;
  BgzfReader& operator=(const BgzfReader&) = delete;

  // Copies up to `bytes` payload bytes to `out`; returns fewer only at end of stream.
  // Throws FormatError (bad block, truncation) or IoError. Consumer thread only.
  std::size_t read(void* out, std::size_t bytes);

  // Compressed file offset of the block the next byte comes from (for error messages).
  std::uint64_t block_offset() const noexcept {
    return left_bytes_ == 0 ? current_block_end_ : current_block_offset_;
  }
  // Virtual offset (compressed block offset << 16 | offset in its payload) of the next byte;
  // at a block's end, the start of the next block.
  std::uint64_t virtual_offset() const noexcept {
    return left_bytes_ == 0 ? current_block_end_ << 16
                            : current_block_offset_ << 16 | (current_payload_bytes_ - left_bytes_);
  }
  const std::string& path() const noexcept { return path_; }
  // True once the end was reached without the 28-byte EOF marker block.
  bool missing_eof_marker() const noexcept { return missing_eof_marker_; }
  std::uint64_t compressed_bytes_read() const noexcept { return compressed_bytes_; }

 private:
  enum class SlotKind : std::uint8_t { kBlock, kEnd, kTruncated, kBadHeader, kIoError };
  struct Slot {
    std::uint8_t* compressed = nullptr;
    std::uint8_t* payload = nullptr;
    std::size_t compressed_bytes = 0;
    std::size_t payload_bytes = 0;
    std::uint64_t block_offset = 0;
    SlotKind kind = SlotKind::kBlock;
    BlockStatus status = BlockStatus::kOk;
    int errno_value = 0;
    bool no_inflater = false;  // the worker could not allocate its decompressor
  };

  void io_loop() noexcept;
  void worker_loop() noexcept;
  bool next_block();
  bool load_next_block();
  void shut_down() noexcept;

  BgzfReader(int fd, hFILE* file, std::uint64_t start_offset, std::string path, std::size_t threads,
             MemoryBudget& budget);
  // Reads until `bytes` or end of input: the count, -1 (errno set) or kStopped.
  long long read_input(std::uint8_t* out, std::size_t bytes) noexcept;
  bool wait_readable() noexcept;
  static constexpr long long kStopped = -2;

  int fd_ = -1;  // read directly (with poll) when >= 0, after the hFILE's buffer
  hFILE* hfile_ = nullptr;
  int stop_fd_ = -1;  // eventfd that shut_down() signals to end a poll() wait
  std::string path_;
  std::size_t worker_count_;
  MappedBuffer buffers_;
  std::vector<Slot> slots_;
  OrderedRing ring_;
  std::vector<std::thread> threads_;

  // Consumer state.
  std::uint64_t next_seq_ = 0;
  bool holding_slot_ = false;
  bool at_end_ = false;
  const std::uint8_t* cursor_ = nullptr;
  std::size_t left_bytes_ = 0;
  std::uint64_t current_block_offset_ = 0;
  std::uint64_t current_block_end_ = 0;
  std::size_t current_payload_bytes_ = 0;
  std::uint64_t start_offset_ = 0;  // compressed offset of the first byte read
  std::exception_ptr failure_;      // sticky: once read() threw, it throws the same again
  bool last_block_empty_ = false;
  bool missing_eof_marker_ = false;
  std::uint64_t compressed_bytes_ = 0;
};

}  // namespace samsort
