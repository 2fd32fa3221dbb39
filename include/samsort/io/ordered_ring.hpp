// OrderedRing: a fixed set of slots that a producer fills in sequence, worker threads
// transform in any order, and a consumer takes back in sequence. The BGZF reader (inflate)
// and writer (deflate) both run on it. Bounded by construction: the producer waits when the
// consumer is slot_count blocks behind. Work is handed to workers through a fixed-capacity
// boost.lockfree queue; waits are futexes (futex.hpp) on the slot states and a semaphore.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace samsort {

class OrderedRing {
 public:
  // Thread-safe as described per member. `slot_count` >= 1.
  explicit OrderedRing(std::size_t slot_count);
  ~OrderedRing();
  OrderedRing(const OrderedRing&) = delete;
  OrderedRing& operator=(const OrderedRing&) = delete;

  std::size_t slot_count() const noexcept { return slot_count_; }
  std::size_t slot_of(std::uint64_t seq) const noexcept { return seq % slot_count_; }

  // Producer: waits until the slot of `seq` is free. False once stopped.
  bool wait_free(std::uint64_t seq);
  // Producer: hands a filled slot to the workers.
  void submit(std::size_t slot);
  // Producer: marks a slot done without work (end of stream, producer-side error).
  void mark_done(std::size_t slot);

  // Worker: takes the next slot to transform. False once stopped.
  bool take_work(std::size_t* slot);
  // Worker: marks its slot done.
  void finish_work(std::size_t slot) { mark_done(slot); }

  // Consumer: waits until the slot of `seq` is done. False once stopped.
  bool wait_done(std::uint64_t seq);
  // Consumer: returns a consumed slot to the producer.
  void release(std::size_t slot);

  // Any thread: wakes every waiter; all waits return false from now on. Idempotent.
  // `worker_count` permits are released so blocked workers return.
  void stop(std::size_t worker_count);
  bool stopped() const noexcept { return stopped_.load(std::memory_order_acquire); }

 private:
  static constexpr std::uint32_t kFree = 0;
  static constexpr std::uint32_t kFilled = 1;
  static constexpr std::uint32_t kDone = 2;
  static constexpr std::uint32_t kStopBit = 0x80000000u;
  static constexpr std::uint32_t kSleeperBit = 0x40000000u;  // someone sleeps on the slot
  static constexpr std::uint32_t kStateMask = 0x3fffffffu;

  bool wait_state(std::size_t slot, std::uint32_t wanted);
  void set_state(std::size_t slot, std::uint32_t state);

  std::size_t slot_count_;
  std::unique_ptr<std::atomic<std::uint32_t>[]> states_;
  // The work hand-off (a boost.lockfree queue and a futex semaphore), kept in the .cpp so
  // includers do not compile boost.lockfree or see the futex syscalls. One per ring; touched
  // once per block, so the indirection costs nothing measurable.
  struct WorkQueue;
  std::unique_ptr<WorkQueue> work_;
  std::atomic<bool> stopped_{false};
};

}  // namespace samsort
