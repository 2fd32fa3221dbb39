// The split arena's background spill task (spill_thread.hpp).
#include "samsort/sort/spill_thread.hpp"

#include <chrono>
#include <system_error>
#include <utility>

namespace samsort {

void SpillThread::run() noexcept {
  try {
    task_(stop_);
  } catch (...) {
    error_ = std::current_exception();
  }
}

void SpillThread::launch(Task task) {
  stop_.store(false, std::memory_order_relaxed);
  error_ = nullptr;
  task_ = std::move(task);
  busy_ = true;
  try {
    thread_ = std::thread([this] { run(); });
  } catch (const std::system_error&) {
    run();  // no thread to be had: the task runs here, as an unsplit spill
  }
}

double SpillThread::join() {
  if (!busy_) return 0;
  auto started = std::chrono::steady_clock::now();
  if (thread_.joinable()) thread_.join();
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  busy_ = false;
  task_ = nullptr;
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  return waited;
}

void SpillThread::abandon() noexcept {
  if (!busy_) return;
  stop_.store(true, std::memory_order_relaxed);
  if (thread_.joinable()) thread_.join();
  error_ = nullptr;
  busy_ = false;
  task_ = nullptr;
}

}  // namespace samsort
