// The arena's pages faulted in ahead of the reader (arena_prefault.hpp).
#include "samsort/sort/arena_prefault.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <system_error>

namespace samsort {

ArenaPrefault::ArenaPrefault(const std::vector<Range>& ranges, std::size_t lead_bytes,
                             std::size_t most_bytes)
    : lead_bytes_(lead_bytes) {
  static const auto page_bytes = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  for (Range range : ranges) {
    // Whole pages only: the range's top is rounded down, its base up (madvise wants aligned
    // addresses; the pages at the edges are faulted by the reader as before).
    auto address = reinterpret_cast<std::uintptr_t>(range.base);
    std::size_t head = (page_bytes - address % page_bytes) % page_bytes;  // to the first page
    if (range.bytes <= head) continue;
    std::size_t bytes = (range.bytes - head) / page_bytes * page_bytes;
    if (bytes == 0) continue;
    ranges_.push_back({range.base + head, bytes});
    total_bytes_ += bytes;
  }
  total_bytes_ = std::min(total_bytes_, most_bytes);
  if (total_bytes_ == 0) return;
  try {
    thread_ = std::thread([this] { run(); });
  } catch (const std::system_error&) {
    // no thread to be had: the reader faults its pages itself
  }
}

ArenaPrefault::~ArenaPrefault() { stop(); }

void ArenaPrefault::stop() noexcept {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_requested_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t ArenaPrefault::populate(std::size_t offset, std::size_t bytes) noexcept {
  for (const Range& range : ranges_) {
    if (offset >= range.bytes) {
      offset -= range.bytes;
      continue;
    }
    // The range is filled from its top down: fill-order offset 0 is its last page. A step
    // ends at the range's base.
    std::size_t step = std::min(bytes, range.bytes - offset);
    std::uint8_t* end = range.base + range.bytes - offset;
    return madvise(end - step, step, MADV_POPULATE_WRITE) == 0 ? step : 0;
  }
  return 0;
}

void ArenaPrefault::run() noexcept {
  std::size_t done = 0;
  std::unique_lock lock(mutex_);
  while (!stopping_ && done < total_bytes_) {
    std::size_t target =
        std::min(total_bytes_, reader_bytes_.load(std::memory_order_relaxed) + lead_bytes_);
    if (done >= target) {  // far enough ahead: look again shortly
      stop_requested_.wait_for(lock, std::chrono::milliseconds(2));
      continue;
    }
    lock.unlock();
    std::size_t step = populate(done, std::min(kStepBytes, target - done));
    lock.lock();
    if (step == 0) break;  // an old kernel (EINVAL) or no memory: the reader faults the rest
    done += step;
    populated_.store(done, std::memory_order_relaxed);
  }
}

}  // namespace samsort
