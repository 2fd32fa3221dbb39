// SpillThread: the one background task of the split arena (spill beside reading): a run's
// sort and write on a thread of its own while the reader fills the arena's other half. At most
// one task is in flight; join() waits for it and rethrows its error on the caller's thread;
// abandon() asks it to stop (a flag the task polls) and waits, dropping its error, for when
// the job fails elsewhere (the first error is the one reported). When no thread can be had,
// the task runs at once on the caller's thread, as an unsplit spill would.
#pragma once
#include <atomic>
#include <exception>
#include <functional>
#include <thread>

namespace samsort {

class SpillThread {
 public:
  // The task: polls `stop` now and then and gives up (throws) when it is set.
  using Task = std::function<void(const std::atomic<bool>& stop)>;

  SpillThread() = default;
  ~SpillThread() { abandon(); }
  SpillThread(const SpillThread&) = delete;
  SpillThread& operator=(const SpillThread&) = delete;

  // Starts `task`; the previous one must have been joined or abandoned.
  void launch(Task task);
  // Whether a task was launched and not yet joined or abandoned.
  bool busy() const noexcept { return busy_; }
  // Waits for the task in flight (none: returns 0 at once) and rethrows its error; returns the
  // seconds waited (the reader's stall).
  double join();
  // Sets the stop flag, waits for the task, drops its error. Idempotent.
  void abandon() noexcept;

 private:
  void run() noexcept;

  Task task_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::exception_ptr error_;
  bool busy_ = false;
};

}  // namespace samsort
