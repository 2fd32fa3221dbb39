// OrderedRing state machine: free -> filled -> done -> free, per slot, with a stop bit.
#include "samsort/io/ordered_ring.hpp"

#include <boost/lockfree/queue.hpp>

#include "samsort/core/futex.hpp"

namespace samsort {

struct OrderedRing::WorkQueue {
  explicit WorkQueue(std::size_t capacity) : slots(capacity) {}
  boost::lockfree::queue<std::uint32_t, boost::lockfree::fixed_sized<true>> slots;
  FutexSemaphore ready;
};

OrderedRing::OrderedRing(std::size_t slot_count)
    : slot_count_(slot_count),
      states_(new std::atomic<std::uint32_t>[slot_count]),
      work_(std::make_unique<WorkQueue>(slot_count)) {
  for (std::size_t slot = 0; slot < slot_count_; ++slot) states_[slot].store(kFree);
}

OrderedRing::~OrderedRing() = default;

bool OrderedRing::wait_state(std::size_t slot, std::uint32_t wanted) {
  std::atomic<std::uint32_t>& state = states_[slot];
  std::uint32_t seen = state.load(std::memory_order_acquire);
  for (int spin = 0;; ++spin) {
    if ((seen & kStopBit) != 0) return false;  // after stop() every wait fails
    if ((seen & kStateMask) == wanted) return true;
    if (spin < config::kFutexSpinIterations) {
      cpu_relax();
    } else if ((seen & kSleeperBit) == 0 &&
               !state.compare_exchange_weak(seen, seen | kSleeperBit, std::memory_order_acquire)) {
      continue;  // the state moved: look again before sleeping
    } else {
      futex_wait(state, seen | kSleeperBit);
    }
    seen = state.load(std::memory_order_acquire);
  }
}

void OrderedRing::set_state(std::size_t slot, std::uint32_t state_value) {
  std::atomic<std::uint32_t>& state = states_[slot];
  std::uint32_t seen = state.load(std::memory_order_relaxed);
  // Keep the stop bit if stop() raced with us, so waiters still see it; sleepers re-arm
  // kSleeperBit themselves if the new state is not the one they wait for.
  while (!state.compare_exchange_weak(seen, (seen & kStopBit) | state_value,
                                      std::memory_order_acq_rel)) {
  }
  if ((seen & kSleeperBit) != 0) futex_wake(state);
}

bool OrderedRing::wait_free(std::uint64_t seq) { return wait_state(slot_of(seq), kFree); }

void OrderedRing::submit(std::size_t slot) {
  set_state(slot, kFilled);
  // Capacity equals the slot count and a slot is queued at most once, so push cannot fail.
  while (!work_->slots.push(static_cast<std::uint32_t>(slot))) {
  }
  work_->ready.release();
}

void OrderedRing::mark_done(std::size_t slot) { set_state(slot, kDone); }

bool OrderedRing::take_work(std::size_t* slot) {
  work_->ready.acquire();
  if (stopped()) return false;
  std::uint32_t value = 0;
  while (!work_->slots.pop(value)) {
    if (stopped()) return false;
  }
  *slot = value;
  return true;
}

bool OrderedRing::wait_done(std::uint64_t seq) { return wait_state(slot_of(seq), kDone); }

void OrderedRing::release(std::size_t slot) { set_state(slot, kFree); }

void OrderedRing::stop(std::size_t worker_count) {
  if (stopped_.exchange(true, std::memory_order_acq_rel)) return;
  for (std::size_t slot = 0; slot < slot_count_; ++slot) {
    states_[slot].fetch_or(kStopBit, std::memory_order_acq_rel);
    futex_wake(states_[slot]);
  }
  work_->ready.release(static_cast<std::uint32_t>(worker_count));
}

}  // namespace samsort
