// Thin wrappers over Linux futexes for the pipeline's hand-offs. libstdc++'s atomic wait and
// counting_semaphore spin with sched_yield before sleeping; on a 2-core machine with more
// threads than cores those yields cost more than they save (measured on the 4M-record set,
// -u, -@2: ~360k involuntary context switches per sort). These sleep after a short pause loop.
#pragma once
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdint>

#include "samsort/core/config.hpp"

namespace samsort {

// Blocks while `*word == expected` (spurious returns allowed; callers re-check).
inline void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected) noexcept {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected, nullptr,
          nullptr, 0);
}

inline void futex_wake(std::atomic<std::uint32_t>& word, int count = INT_MAX) noexcept {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, count, nullptr,
          nullptr, 0);
}

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Counting semaphore: release never blocks; acquire sleeps on the count when it is zero.
class FutexSemaphore {
 public:
  void release(std::uint32_t count = 1) noexcept {
    count_.fetch_add(count, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) != 0) {
      futex_wake(count_, static_cast<int>(count));
    }
  }

  void acquire() noexcept {
    for (int spin = 0;; ++spin) {
      std::uint32_t seen = count_.load(std::memory_order_relaxed);
      while (seen != 0) {
        if (count_.compare_exchange_weak(seen, seen - 1, std::memory_order_acquire)) return;
      }
      if (spin < config::kFutexSpinIterations) {
        cpu_relax();
        continue;
      }
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      futex_wait(count_, 0);  // returns at once if a release came in between
      sleepers_.fetch_sub(1, std::memory_order_relaxed);
    }
  }

 private:
  std::atomic<std::uint32_t> count_{0};
  std::atomic<std::uint32_t> sleepers_{0};
};

}  // namespace samsort
