// ArenaPrefault: faults the arena's fresh pages in on a thread of its own, a little ahead of
// the reader, so that the kernel's zeroing of new pages (a large share of the reading thread's
// time on its first pass over the arena) leaves the reading thread. Pages are populated with
// madvise(MADV_POPULATE_WRITE), which keeps any content already written (Linux 5.14 and
// later; on older kernels the thread just stops and the reader faults its pages as before).
// The pages lie inside the budget's arena: populating them early moves RSS forward in time
// (at most `lead_bytes` ahead of the reader), never above the budget.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace samsort {

class ArenaPrefault {
 public:
  struct Range {
    std::uint8_t* base = nullptr;
    std::size_t bytes = 0;
  };

  // `ranges`: the parts of the arena in the order the reader first fills them, each filled
  // from its top downward (records grow down from the top of an arena half). Populates in that
  // order, at most `lead_bytes` beyond what reader_at() last said and at most `most_bytes` in
  // all (what the input is expected to fill). Starts the thread; when none can be had, does
  // nothing.
  ArenaPrefault(const std::vector<Range>& ranges, std::size_t lead_bytes, std::size_t most_bytes);
  ~ArenaPrefault();  // stop()
  ArenaPrefault(const ArenaPrefault&) = delete;
  ArenaPrefault& operator=(const ArenaPrefault&) = delete;

  // The reader has filled `bytes` of the arena in all (monotonic). Cheap: call it per record.
  void reader_at(std::size_t bytes) noexcept {
    reader_bytes_.store(bytes, std::memory_order_relaxed);
  }
  // Stops and joins the thread (before the arena is unmapped). Idempotent.
  void stop() noexcept;
  // Bytes populated so far (for tests).
  std::size_t populated_bytes() const noexcept {
    return populated_.load(std::memory_order_relaxed);
  }

  // One madvise() step.
  static constexpr std::size_t kStepBytes = std::size_t{4} << 20;

 private:
  void run() noexcept;
  // Populates up to `bytes` from `offset` of the fill order (offset 0: the top of ranges_[0]),
  // within one range; returns the bytes populated, 0 when madvise() failed.
  std::size_t populate(std::size_t offset, std::size_t bytes) noexcept;

  std::vector<Range> ranges_;
  std::size_t total_bytes_ = 0;
  std::size_t lead_bytes_;
  std::atomic<std::size_t> reader_bytes_{0};
  std::atomic<std::size_t> populated_{0};
  std::mutex mutex_;
  std::condition_variable stop_requested_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace samsort
