// BgzfReader: I/O thread -> inflate workers -> in-order consumer over an OrderedRing.
#include "samsort/io/bgzf_reader.hpp"

#include <htslib/hfile.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <new>

#include "samsort/core/config.hpp"
#include "samsort/core/errors.hpp"

namespace samsort {

namespace {
constexpr std::size_t kSlotBytes = 2 * config::kBgzfMaxBlockBytes;

std::size_t slot_count_for(std::size_t threads) noexcept {
  return std::max(config::kInputMinSlots, config::kInputSlotsPerThread * threads);
}

// True if the `bytes` (< 18) read where a block header should start could begin one: a short
// text file is "not BGZF", not "a truncated block".
bool could_start_block_header(const std::uint8_t* header, std::size_t bytes) noexcept {
  static constexpr std::uint8_t kFixed[config::kBgzfHeaderBytes] = {
      0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0, 6, 0, 'B', 'C', 2, 0, 0, 0};
  static constexpr bool kChecked[config::kBgzfHeaderBytes] = {
      true,  true, true, false, false, false, false, false, false,
      false, true, true, true,  true,  true,  true,  false, false};
  for (std::size_t idx = 0; idx < bytes; ++idx) {
    if (kChecked[idx] && header[idx] != kFixed[idx]) return false;
  }
  return bytes < 4 || (header[3] & 0x04) != 0;  // FLG.FEXTRA
}
}  // namespace

std::size_t BgzfReader::reserved_bytes_for(std::size_t threads) noexcept {
  return round_up_to_pages(slot_count_for(threads) * kSlotBytes);
}

BgzfReader::BgzfReader(int fd, std::string path, std::size_t threads, MemoryBudget& budget)
    : BgzfReader(fd, nullptr, 0, std::move(path), threads, budget) {}

BgzfReader::BgzfReader(int fd, std::uint64_t start_offset, std::string path, std::size_t threads,
                       MemoryBudget& budget)
    : BgzfReader(fd, nullptr, start_offset, std::move(path), threads, budget) {}

BgzfReader::BgzfReader(hFILE* file, int fd, std::string path, std::size_t threads,
                       MemoryBudget& budget)
    : BgzfReader(fd, file, 0, std::move(path), threads, budget) {}

BgzfReader::BgzfReader(int fd, hFILE* file, std::uint64_t start_offset, std::string path,
                       std::size_t threads, MemoryBudget& budget)
    : fd_(fd),
      hfile_(file),
      path_(std::move(path)),
      worker_count_(std::max<std::size_t>(1, threads)),
      buffers_(budget, reserved_bytes_for(worker_count_), "input decompression ring"),
      slots_(slot_count_for(worker_count_)),
      ring_(slots_.size()),
      current_block_offset_(start_offset),
      current_block_end_(start_offset),
      start_offset_(start_offset) {
  for (std::size_t slot = 0; slot < slots_.size(); ++slot) {
    slots_[slot].compressed = buffers_.data() + slot * kSlotBytes;
    slots_[slot].payload = slots_[slot].compressed + config::kBgzfMaxBlockBytes;
  }
  if (fd_ >= 0) {
    stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (stop_fd_ < 0) throw IoError(path_, "cannot create the input reader's eventfd", errno);
  }
  try {
    threads_.emplace_back([this] { io_loop(); });
    for (std::size_t worker = 0; worker < worker_count_; ++worker) {
      threads_.emplace_back([this] { worker_loop(); });
    }
  } catch (...) {
    shut_down();
    throw;
  }
}

BgzfReader::~BgzfReader() { shut_down(); }

void BgzfReader::shut_down() noexcept {
  if (stop_fd_ >= 0) {
    // Wakes the I/O thread from poll(): the input may be a pipe whose writer is stalled.
    std::uint64_t one = 1;
    static_cast<void>(write(stop_fd_, &one, sizeof one));
  }
  ring_.stop(worker_count_);
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
  if (stop_fd_ >= 0) close(stop_fd_);
  stop_fd_ = -1;
}

bool BgzfReader::wait_readable() noexcept {
  pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  for (;;) {
    int ready = poll(fds, 2, -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return true;  // let read() report the problem
    if ((fds[1].revents & POLLIN) != 0) return false;
    return true;  // readable, end of file, or an error read() will report
  }
}

long long BgzfReader::read_input(std::uint8_t* out, std::size_t bytes) noexcept {
  std::size_t done = 0;
  while (done < bytes) {
    ssize_t got = 0;
    std::size_t buffered =
        hfile_ != nullptr ? static_cast<std::size_t>(hfile_->end - hfile_->begin) : 0;
    if (hfile_ != nullptr && fd_ < 0) {
      got = hread(hfile_, out + done, bytes - done);
    } else if (buffered > 0) {
      got = hread(hfile_, out + done, std::min(bytes - done, buffered));  // never refills
    } else {
      if (fd_ >= 0 && !wait_readable()) return kStopped;
      got = ::read(fd_, out + done, bytes - done);
    }
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return -1;
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return static_cast<long long>(done);
}

void BgzfReader::io_loop() noexcept {
  std::uint64_t offset = start_offset_;
  for (std::uint64_t seq = 0;; ++seq) {
    if (!ring_.wait_free(seq)) return;
    std::size_t slot_idx = ring_.slot_of(seq);
    Slot& slot = slots_[slot_idx];
    slot.block_offset = offset;
    slot.kind = SlotKind::kBlock;
    long long got = read_input(slot.compressed, config::kBgzfHeaderBytes);
    if (got == kStopped) return;
    std::size_t block_bytes = 0;
    if (got < 0) {
      slot.kind = SlotKind::kIoError;
      slot.errno_value = errno;
    } else if (got == 0) {
      slot.kind = SlotKind::kEnd;
    } else if (static_cast<std::size_t>(got) < config::kBgzfHeaderBytes) {
      bool partial_header =
          could_start_block_header(slot.compressed, static_cast<std::size_t>(got));
      slot.kind = partial_header ? SlotKind::kTruncated : SlotKind::kBadHeader;
      slot.status = BlockStatus::kBadHeader;
    } else if ((slot.status = parse_block_header(slot.compressed, &block_bytes)) !=
               BlockStatus::kOk) {
      slot.kind = SlotKind::kBadHeader;
    } else {
      std::size_t rest = block_bytes - config::kBgzfHeaderBytes;
      got = read_input(slot.compressed + config::kBgzfHeaderBytes, rest);
      if (got == kStopped) return;
      if (got < 0) {
        slot.kind = SlotKind::kIoError;
        slot.errno_value = errno;
      } else if (static_cast<std::size_t>(got) < rest) {
        slot.kind = SlotKind::kTruncated;
      }
    }
    if (slot.kind != SlotKind::kBlock) {
      ring_.mark_done(slot_idx);
      return;
    }
    slot.compressed_bytes = block_bytes;
    offset += block_bytes;
    ring_.submit(slot_idx);
  }
}

void BgzfReader::worker_loop() noexcept {
  std::unique_ptr<BlockInflater> inflater;
  try {
    inflater = std::make_unique<BlockInflater>();
  } catch (const std::bad_alloc&) {
    // Reported by the consumer for each block this worker takes.
  }
  std::size_t slot_idx = 0;
  while (ring_.take_work(&slot_idx)) {
    Slot& slot = slots_[slot_idx];
    slot.no_inflater = inflater == nullptr;
    if (inflater != nullptr) {
      slot.status = inflater->inflate(slot.compressed, slot.compressed_bytes, slot.payload,
                                      &slot.payload_bytes);
    }
    ring_.finish_work(slot_idx);
  }
}

bool BgzfReader::next_block() {
  try {
    return load_next_block();
  } catch (...) {
    failure_ = std::current_exception();
    throw;
  }
}

bool BgzfReader::load_next_block() {
  while (!at_end_) {
    if (holding_slot_) {
      ring_.release(ring_.slot_of(next_seq_ - 1));
      holding_slot_ = false;
    }
    if (!ring_.wait_done(next_seq_)) throw Error(path_ + ": input reader stopped");
    Slot& slot = slots_[ring_.slot_of(next_seq_)];
    ++next_seq_;
    holding_slot_ = true;
    current_block_offset_ = slot.block_offset;
    current_block_end_ = slot.block_offset;
    switch (slot.kind) {
      case SlotKind::kEnd:
        at_end_ = true;
        missing_eof_marker_ = !last_block_empty_;
        return false;
      case SlotKind::kTruncated:
        throw FormatError(path_, "truncated BGZF block (file cut short)", slot.block_offset);
      case SlotKind::kBadHeader:
        throw FormatError(path_, block_status_text(slot.status), slot.block_offset);
      case SlotKind::kIoError:
        throw IoError(path_, "read failed", slot.errno_value);
      case SlotKind::kBlock:
        break;
    }
    if (slot.no_inflater) throw std::bad_alloc();
    if (slot.status != BlockStatus::kOk) {
      throw FormatError(path_, block_status_text(slot.status), slot.block_offset);
    }
    compressed_bytes_ += slot.compressed_bytes;
    current_block_end_ = slot.block_offset + slot.compressed_bytes;
    last_block_empty_ = slot.payload_bytes == 0;
    cursor_ = slot.payload;
    left_bytes_ = slot.payload_bytes;
    current_payload_bytes_ = slot.payload_bytes;
    if (left_bytes_ > 0) return true;
  }
  return false;
}

std::size_t BgzfReader::read(void* out, std::size_t bytes) {
  if (failure_) std::rethrow_exception(failure_);
  auto* dst = static_cast<std::uint8_t*>(out);
  std::size_t done = 0;
  while (done < bytes) {
    if (left_bytes_ == 0 && !next_block()) break;
    std::size_t take = std::min(bytes - done, left_bytes_);
    std::memcpy(dst + done, cursor_, take);
    cursor_ += take;
    left_bytes_ -= take;
    done += take;
  }
  return done;
}

}  // namespace samsort
